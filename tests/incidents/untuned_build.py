"""Build the untuned incident set (`untuned.yaml`) on real git and the real sshd, and score it.

It reuses the corpus machinery of `build.py` (ops, scoring, totals) and adds what the untuned
incidents need: environments reached over SSH, per-environment compose and env files and
`env_fallbacks`, a compose project in a subfolder, extra git remotes, ops that run once every
environment exists, and a machine-level tool difference (a Docker Compose plugin on this machine
only, which the SSH session does not see).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from tests.fixtures.compose_binary import compose_binary
from tests.fixtures.gitrepos import GitRepo, clone, init_repo
from tests.helpers import write_config
from tests.incidents.build import CALM, Score, apply_ops, findings, push_seed, score

UNTUNED = Path(__file__).with_name("untuned.yaml")
# every batch written before driftctl was run on it, in the order they were written
BATCHES = {"untuned": UNTUNED, "untuned-2": Path(__file__).with_name("untuned-2.yaml")}
PASSED_THROUGH = ("role", "compose_files", "env_files", "env_fallbacks", "code_health")


def load_untuned(path: Path = UNTUNED) -> list[dict]:
    return yaml.safe_load(path.read_text())["incidents"]


def load_all_untuned() -> list[dict]:
    return [i for path in BATCHES.values() for i in load_untuned(path)]


def needs_ssh(incident: dict) -> bool:
    return any(spec.get("ssh") for spec in incident["environments"].values())


def _ops(repo: GitRepo, ops: list[dict], root: Path) -> None:
    """The untuned ops (git, remote_add, fetch) run here; the corpus ops go to build.apply_ops."""
    for op in ops or []:
        (kind, arg), = op.items()
        if kind == "git":
            repo.git(*[str(a) for a in arg])
        elif kind == "remote_add":
            repo.git("remote", "add", str(arg), str(root / f"{arg}.git"))
            repo.git("fetch", "-q", str(arg))
        elif kind == "fetch":
            repo.git("fetch", "-q", str(arg))
        else:
            apply_ops(repo, [op])


def _bare(path: Path, branch: str) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", "-b", branch, str(path)], check=True)
    return path


def build(incident: dict, root: Path, sshd: Any = None) -> Path:
    """Create the hub, extra remotes and environments under `root`; return environments.yaml's path."""
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    branch = incident.get("branch", "main")
    name = incident.get("repo_name", "app")
    hub = _bare(root / f"{name}.git", branch)
    seed = init_repo(root / "seed", branch=branch)
    seed.commit(incident["files"], "initial")
    _ops(seed, incident.get("history") or [], root)
    remotes = {"origin": hub, **{r: _bare(root / f"{r}.git", branch) for r in incident.get("extra_remotes") or []}}
    for remote, path in remotes.items():
        seed.git("remote", "add", remote, str(path))
        push_seed(seed, remote, incident.get("hub_branches") or [branch], bool(incident.get("hub_tags")))
    defaults = {k: incident[k] for k in ("compose_files", "env_files") if k in incident}
    envs: dict[str, dict] = {}
    repos: dict[str, GitRepo] = {}
    for env, spec in incident["environments"].items():
        extra = {**defaults, **{k: spec[k] for k in PASSED_THROUGH if k in spec}}
        if spec.get("git"):
            envs[env] = {"transport": "git", "url": str(hub), **({"ref": spec["ref"]} if spec.get("ref") else {}), **extra}
            continue
        repo = clone(hub, root / "hosts" / env / spec.get("folder", name), branch=spec.get("clone"))
        _ops(repo, spec.get("ops") or [], root)
        repos[env] = repo
        if spec.get("ssh"):
            if sshd is None:
                raise ValueError(f"{incident['name']}: environment {env} needs the sshd fixture")
            envs[env] = sshd.env_spec(str(repo.path), **extra)
        else:
            envs[env] = {"transport": "local", "path": str(repo.path), **extra}
    for env, ops in (incident.get("after") or {}).items():
        _ops(repos[env], ops, root)
    rules = {**CALM, **(incident.get("rules") or {})}
    return write_config(root / "environments.yaml", envs, rules)


@contextmanager
def tools(incident: dict, root: Path) -> Iterator[None]:
    """`compose_plugin: true`: this machine (local environments) has `docker compose`; an SSH
    session does not inherit DOCKER_CONFIG, so the SSH host has no plugin."""
    if not incident.get("compose_plugin"):
        yield
        return
    plugins = root / "docker-config" / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "docker-compose").symlink_to(compose_binary())
    before = os.environ.get("DOCKER_CONFIG")
    os.environ["DOCKER_CONFIG"] = str(root / "docker-config")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DOCKER_CONFIG", None)
        else:
            os.environ["DOCKER_CONFIG"] = before


def run_untuned(incident: dict, root: Path, sshd: Any = None) -> tuple[Score, list[dict], list[dict]]:
    """(score, findings, every row) of one untuned incident."""
    config = build(incident, root, sshd)
    with tools(incident, root):
        found, rows = findings(config)
    return score(incident, found, rows), found, rows


def record_case(incident: dict, root: Path, dest: Path, collectors: tuple[str, ...], sshd: Any = None) -> None:
    """Write the incident's snapshots (only `collectors`, their paths made neutral) as a differ case
    folder (tests/differ/cases/<case>/<n>_<env>.json), with its rules: recorded data for unit tests."""
    import json

    from driftctl.checks import gather
    from driftctl.config import load_config

    config = build(incident, root, sshd)
    cfg = load_config(str(config))
    with tools(incident, root):
        snapshots = gather(cfg, list(cfg.environments))
    dest.mkdir(parents=True, exist_ok=True)
    for n, snap in enumerate(snapshots):
        snap = {**snap, "collectors": {k: v for k, v in snap["collectors"].items() if k in collectors}}
        text = json.dumps(snap, indent=1, sort_keys=True).replace(str(root), "/incident")
        (dest / f"{n}_{snap['environment']}.json").write_text(text + "\n")
    if incident.get("rules"):
        (dest / "rules.yaml").write_text(yaml.safe_dump(incident["rules"], sort_keys=False))
