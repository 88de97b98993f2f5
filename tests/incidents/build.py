"""Build the incidents of `corpus.yaml` on real git, run driftctl on them, and score the findings.

Each incident: a seed repository commits `files` (and its `history`), pushes to a bare hub; each
environment is a clone that applies its `ops` (commits, tags, branches, edits, deletions, stashes,
pushes), or the hub itself as a `git` environment. driftctl then snapshots every environment and
builds the matrix with the incident's rules. Scoring compares the findings (rows with a severity)
with `planted` and checks the `negative` controls.

Container incidents: an environment with `docker` ops runs containers on the real dockerd of
tests/fixtures/dockerd.py (`docker_host` in its spec), after its git ops, in the order the
environments are listed (so a tag can move between two hosts' `up`). The engine is shared by the
incident's environments; a `folder` names the checkout folder, hence the compose project.
"""

from __future__ import annotations

import fnmatch
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.fixtures.gitrepos import GitRepo, clone, init_repo
from tests.helpers import write_config

CORPUS = Path(__file__).with_name("corpus.yaml")
CALM = {"thresholds": {"memory_percent": 100, "disk_percent": 100}}


def load_corpus(path: Path = CORPUS) -> list[dict]:
    return yaml.safe_load(path.read_text())["incidents"]


def apply_ops(repo: GitRepo, ops: list[dict]) -> None:
    for op in ops or []:
        (kind, arg), = op.items()
        if kind == "commit":
            repo.commit(arg.get("files"), arg.get("message", "change"))
        elif kind == "write":
            repo.write(arg)
        elif kind == "delete":
            for rel in arg:
                (repo.path / rel).unlink()
        elif kind == "tag":
            repo.git("tag", "-a", str(arg), "-m", f"release {arg}")
        elif kind == "branch":
            repo.checkout(str(arg), create=True)
        elif kind == "checkout":
            repo.git("checkout", "-q", str(arg))
        elif kind == "stash":
            repo.write(arg["files"])
            repo.git("stash", "push", "-q", "-m", arg["message"])
        elif kind == "push":
            repo.git("push", "-q", "-u", "origin", *arg)
        else:
            raise ValueError(f"unknown op {kind!r}")


def push_seed(seed: GitRepo, remote: str, branches: list[str], tags: bool) -> None:
    """The seed's HEAD as each of `branches` on `remote` (and every tag with `tags`), in one push."""
    seed.git("push", "-q", *(["--tags"] if tags else []), remote, *(f"HEAD:refs/heads/{name}" for name in branches))


def needs_docker(incident: dict) -> bool:
    return any(spec.get("docker") for spec in incident["environments"].values())


def apply_docker(engine: Any, checkout: Path, ops: list[dict]) -> None:
    """Container ops on the real dockerd, in the checkout (`{image}`: the busybox test image,
    `{project}`: the checkout's folder name, i.e. its default compose project)."""
    from tests.fixtures.dockerd import busybox_rootfs

    def fill(args: list) -> list[str]:
        return [str(a).replace("{image}", engine.image).replace("{project}", checkout.name) for a in args]

    for op in ops:
        (kind, arg), = op.items()
        if kind == "compose":  # docker compose <args> in the checkout
            engine.compose(checkout, *fill(arg))
        elif kind == "run":  # a container started by hand: docker run -d --network none <args>
            engine.docker("run", "-d", "--network", "none", *fill(arg))
        elif kind == "tag":  # point a tag at the test image
            engine.docker("tag", engine.image, str(arg))
        elif kind == "import":  # move a tag to a new image (same files, another id)
            engine.docker("import", "--change", 'CMD ["sleep","3600"]', "--change", "ENV APP_ENV=image",
                          "--change", f"ENV BUILT_FOR={checkout.parent.name}", "-", str(arg), input=busybox_rootfs())
        else:
            raise ValueError(f"unknown docker op {kind!r}")


def build(incident: dict, root: Path, engine: Any = None) -> Path:
    """Create the hub and environments under `root`; return the path of environments.yaml.
    `engine` (a tests.fixtures.dockerd.DockerDaemon) is needed by incidents with `docker` ops."""
    import os

    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    branch = incident.get("branch", "main")
    hub = root / f"{incident.get('repo_name', 'app')}.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", branch, str(hub)], check=True)
    seed = init_repo(root / "seed", branch=branch)
    seed.commit(incident["files"], "initial")
    apply_ops(seed, incident.get("history") or [])
    seed.git("remote", "add", "origin", str(hub))
    push_seed(seed, "origin", incident.get("hub_branches") or [branch], bool(incident.get("hub_tags")))
    envs: dict[str, dict] = {}
    for name, spec in incident["environments"].items():
        extra = {k: spec[k] for k in ("role",) if k in spec}
        if incident.get("env_files"):
            extra["env_files"] = incident["env_files"]
        if spec.get("git"):
            envs[name] = {"transport": "git", "url": str(hub), **({"ref": spec["ref"]} if spec.get("ref") else {}), **extra}
            continue
        folder = spec.get("folder") or incident.get("repo_name", "app")
        repo = clone(hub, root / "hosts" / name / folder, branch=spec.get("clone"))
        apply_ops(repo, spec.get("ops") or [])
        envs[name] = {"transport": "local", "path": str(repo.path), **extra}
        if spec.get("docker"):
            if engine is None:
                raise ValueError(f"incident {incident['name']} runs containers: pass a Docker engine")
            apply_docker(engine, repo.path, spec["docker"])
            envs[name]["docker_host"] = engine.docker_host
    for name, upstream in (incident.get("upstream_for") or {}).items():
        GitRepo(Path(envs[name]["path"])).git("branch", "-q", f"--set-upstream-to=origin/{upstream}")
    rules = {**CALM, **(incident.get("rules") or {})}
    return write_config(root / "environments.yaml", envs, rules)


def findings(config_path: Path) -> tuple[list[dict], list[dict]]:
    """(findings, every row) of the incident as `driftctl.diff/v1` rows."""
    from driftctl.checks import compare, gather
    from driftctl.config import load_config

    cfg = load_config(str(config_path))
    matrix = compare(gather(cfg, list(cfg.environments)), cfg.rules)
    doc = matrix.to_json(show_in_sync=True)
    rows = doc["rows"]
    found = [r for r in rows if r["severity"] != "none" and r["status"] not in ("IN_SYNC", "EXPECTED", "UNKNOWN")]
    return found, rows + [{"component": f"(incomplete) {i}", "status": "UNKNOWN", "severity": "none"}
                          for i in doc["incomplete"]]


@dataclass
class Score:
    """What one incident scored: matched planted drifts, missed ones, false positives, failed controls."""

    name: str
    hits: list[dict] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)
    noise: list[dict] = field(default_factory=list)
    failed_controls: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)


def _matches(plant: dict, row: dict) -> bool:
    if not fnmatch.fnmatchcase(row["component"], plant["component"]):
        return False
    if plant.get("status", "*") != "*" and row["status"] != plant["status"]:
        return False
    return not (plant.get("severity") and row["severity"] != plant["severity"])


def score(incident: dict, found: list[dict], rows: list[dict]) -> Score:
    result = Score(incident["name"])
    planted = incident.get("planted") or []
    for plant in planted:
        (result.hits if any(_matches(plant, r) for r in found) else result.missed).append(plant)
    for row in found:
        if not any(_matches(p, row) for p in planted):
            result.noise.append(row)
    for pattern in incident.get("negative") or []:
        bad = [r["component"] for r in found if fnmatch.fnmatchcase(r["component"], pattern)]
        if bad:
            result.failed_controls.append(f"{pattern}: {', '.join(bad)}")
    result.incomplete = [r["component"] for r in rows if r["component"].startswith("(incomplete)")]
    return result


def run_incident(incident: dict, root: Path, engine: Any = None) -> tuple[Score, list[dict]]:
    """Build and score one incident; a container incident without `engine` gets the shared one."""
    if needs_docker(incident):
        engine = engine or shared_engine()
        engine.remove_all_containers()
    config = build(incident, root, engine)
    found, rows = findings(config)
    return score(incident, found, rows), found


_ENGINE: list[Any] = []


def shared_engine() -> Any:
    """One dockerd for the benchmark run (outside pytest), started on first use, stopped at exit."""
    if not _ENGINE:
        import atexit
        import tempfile

        from tests.fixtures.dockerd import import_busybox_image, shut_down, start_dockerd

        workdir = Path(tempfile.mkdtemp(prefix="driftctl-dockerd-", dir="/tmp"))
        daemon = start_dockerd(workdir)
        _ENGINE.append(daemon)

        atexit.register(shut_down, daemon, workdir)
        import_busybox_image(daemon)
    return _ENGINE[0]


def family(component: str) -> str:
    """The class a false positive is charged to when no planted drift names it: its row family."""
    return component.split(".")[0]


def totals(scores: list[Score], corpus: list[dict]) -> dict[str, Any]:
    """Precision and recall overall and per class (a false positive counts against its row family)."""
    tp = sum(len(s.hits) for s in scores)
    fn = sum(len(s.missed) for s in scores)
    fp = sum(len(s.noise) for s in scores)
    classes: dict[str, dict[str, int]] = {}
    for s in scores:
        for p in s.hits:
            classes.setdefault(p["class"], {"tp": 0, "fn": 0, "fp": 0})["tp"] += 1
        for p in s.missed:
            classes.setdefault(p["class"], {"tp": 0, "fn": 0, "fp": 0})["fn"] += 1
        for r in s.noise:
            classes.setdefault(f"noise:{family(r['component'])}", {"tp": 0, "fn": 0, "fp": 0})["fp"] += 1

    def ratio(a: int, b: int) -> float:
        return round(a / b, 3) if b else 1.0

    return {
        "incidents": len(scores),
        "planted": tp + fn,
        "negative_controls": sum(len(i.get("negative") or []) for i in corpus),
        "precision": ratio(tp, tp + fp),
        "recall": ratio(tp, tp + fn),
        "true_positives": tp, "false_negatives": fn, "false_positives": fp,
        "failed_controls": [f"{s.name}: {c}" for s in scores for c in s.failed_controls],
        "per_class": {c: {**v, "precision": ratio(v["tp"], v["tp"] + v["fp"]), "recall": ratio(v["tp"], v["tp"] + v["fn"])}
                      for c, v in sorted(classes.items())},
    }
