"""Small builders shared by the container tests: compose projects, environments.yaml, snapshots."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import yaml

from driftctl.collectors import all_collectors
from driftctl.config import load_config
from driftctl.runner import collect_environment
from tests.fixtures.forkrun import run_driftctl

VOLATILE = ("memory_usage", "started_at")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_project(folder: Path, files: dict[str, str]) -> Path:
    """A compose checkout: file name -> text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def write_config(folder: Path, environments: dict[str, dict[str, Any]]) -> Path:
    path = folder / "environments.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "environments": environments}, sort_keys=False))
    return path


def snapshot(config_path: Path, env: str) -> dict:
    """One environment's snapshot through the runner, with every collector (as `driftctl snapshot`)."""
    return collect_environment(load_config(str(config_path)), env, all_collectors())


def containers_outcome(snap: dict) -> dict:
    return snap["collectors"]["containers"]


def containers_data(snap: dict) -> dict:
    outcome = containers_outcome(snap)
    assert outcome["status"] == "ok", outcome
    return outcome["data"]


def without_volatile(data: dict) -> dict:
    """The containers data minus the facts that change from one read to the next."""
    out = dict(data)
    out["containers"] = [{k: v for k, v in c.items() if k not in VOLATILE} for c in data["containers"]]
    return out


def by_name(data: dict) -> dict[str, dict]:
    return {c["name"]: c for c in data["containers"]}


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m driftctl ...` as a user runs it (a real process: exit code, stdout and stderr)."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("DOCKER_HOST", None)
    return run_driftctl(args, cwd=cwd, env=full_env, timeout=180)
