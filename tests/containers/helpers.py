"""Small builders shared by the container tests: compose projects, environments.yaml, snapshots."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def engine_state(engine) -> str:
    """Every container's id, name, state, image and labels: what a read-only command must not change."""
    ids = engine.container_ids()
    docs = engine.inspect(*ids) if ids else []
    return json.dumps(sorted((d["Id"], d["Name"], d["State"]["Status"], d["Image"], d["Config"]["Labels"]) for d in docs),
                      sort_keys=True)


T = TypeVar("T")


class EngineWorlds:
    """Worlds (checkouts under a folder, containers on the engine) built once and handed to each test of a
    module for as long as they are exactly as built: before each use the engine's containers and the
    world's folder are compared with the build, and any difference (a test, of this module or another, that
    changed them) builds it again from an empty engine. So a test starts from the same world as with a
    fresh build, and the tests that only read it share one."""

    def __init__(self, engine, folders: Callable[[str], Path]) -> None:
        self.engine = engine
        self.folders = folders
        self.built: dict[str, tuple[Path, Any, tuple[str, str]]] = {}

    def _state(self, root: Path) -> tuple[str, str]:
        return engine_state(self.engine), tree_digest(root)

    def get(self, name: str, build: Callable[[Path], T]) -> tuple[Path, T]:
        """(folder, what `build(folder)` returned) of the world `name`."""
        entry = self.built.get(name)
        if entry is None or self._state(entry[0]) != entry[2]:
            self.built.clear()  # the engine is emptied: no other world stands either
            self.engine.remove_all_containers()
            root = self.folders(name)
            value = build(root)
            entry = self.built[name] = (root, value, self._state(root))
        return entry[0], entry[1]
