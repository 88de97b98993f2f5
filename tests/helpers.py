"""Small helpers shared by tests: run the real `driftctl` entry point and write configs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.fixtures.forkrun import run_driftctl


def isolate_driftctl_home(monkeypatch, home: Path) -> None:
    """driftctl's key, known hosts, caches and log under `home`; nothing of the machine's own ssh or
    Docker setup: what tests/conftest.py's autouse `_isolated_driftctl_home` gives every test (it calls
    this). A module-scoped fixture is set up before that one, so it applies this itself:
    `with pytest.MonkeyPatch.context() as mp: isolate_driftctl_home(mp, home)`, or `with driftctl_home():`
    (a fixture of tests/conftest.py that also picks the folder)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("DRIFTCTL_LOG", str(home / "driftctl.log"))
    monkeypatch.delenv("DRIFTCTL_CONFIG", raising=False)
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    # a machine's own Docker engine must not leak into tests that snapshot local environments
    monkeypatch.setenv("DRIFTCTL_DEFAULT_DOCKER_SOCKET", str(home / "no-docker.sock"))
    # the developer's own ssh setup must not change what the tests see
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(home / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    # global options (-c, --reports-dir, -q) of an in-process CLI call live in driftctl.settings for the
    # rest of the process: forget them, or a later test in the same xdist worker reads another test's config
    from driftctl import settings

    settings.reset()


@dataclass
class Run:
    code: int
    out: str
    err: str


def driftctl(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """Run `python -m driftctl ARGS` as a user would, with the test's environment (a fresh process forked
    from a pre-imported driftctl: tests/fixtures/forkrun.py)."""
    proc = run_driftctl(args, cwd=cwd, env=dict(os.environ, **(env or {}), COLUMNS="200"), timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write_config(path: Path, environments: dict, rules: dict | None = None) -> Path:
    doc: dict = {"version": 1, "environments": environments}
    if rules:
        doc["rules"] = rules
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def all_text_under(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())
