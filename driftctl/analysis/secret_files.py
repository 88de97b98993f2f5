"""Secrets in files a plan would rescue: the uncommitted files of every checkout, read through its
transport (read-only, as `rescue` reads them) and scanned by content. The result names file, line and
kind, never the value, and goes into the plan (warnings, rescue notes), like the merge-risk analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from driftctl import capabilities
from driftctl.config import Config
from driftctl.errors import DriftctlError
from driftctl.snapshot import collector_data

if TYPE_CHECKING:
    from driftctl.transport.base import Transport
    from driftctl.transport.waits import Steps


def scan_uncommitted(config: Config, snapshots: dict[str, dict], done: dict[str, list[dict]] | None = None) -> list[dict]:
    """[{environment, path, line, kind}] for the modified/untracked files of each checkout; an
    environment that cannot be read gets one entry with `error` (the plan then warns it is unknown).

    `done` holds the findings of checkouts already scanned on the connection their collection had
    open (scan_steps); only the others are read here, through a transport of their own. Those are
    read at once (at most the collection's `DEFAULT_JOBS`), as they were collected: over SSH each
    read is a login of its own, and a fleet's logins one after another added seconds."""
    from concurrent.futures import ThreadPoolExecutor

    from driftctl.runner import DEFAULT_JOBS

    done = done or {}
    envs = [env for env, snap in snapshots.items() if has_uncommitted(config, env, snap)]
    todo = [env for env in envs if env not in done]
    found = dict(done)
    if todo:
        with ThreadPoolExecutor(max_workers=min(DEFAULT_JOBS, len(todo))) as pool:
            found.update(zip(todo, pool.map(lambda env: _scan(config, env), todo)))
    return [entry for env in envs for entry in found[env]]


class UncommittedScan:
    """The scan of a plan's checkouts, done where it can be on the connections its collection has
    open (`while_open`, see runner.WhileOpen: no second SSH login), the rest through transports of
    their own (`findings`: snapshot files, `--cached`, an environment whose connection failed)."""

    def __init__(self, config: Config):
        self.config = config
        self._done: dict[str, list[dict]] = {}  # environment -> its findings (or its error entry)

    def while_open(self, name: str, transport: Transport, snapshot: dict) -> Steps[None]:
        if has_uncommitted(self.config, name, snapshot):
            self._done[name] = yield from scan_steps(name, transport)

    def findings(self, snapshots: dict[str, dict]) -> list[dict]:
        return scan_uncommitted(self.config, snapshots, done=self._done)


def has_uncommitted(config: Config, env: str, snap: dict) -> bool:
    """Whether the snapshot shows a checkout with modified or untracked files (what there is to scan)."""
    spec = config.environments.get(env)
    git = collector_data(snap, "git")
    return bool(spec is not None and capabilities.of(spec.transport).worktree and git
                and (git.get("modified") or git.get("untracked")))


def _scan(config: Config, env: str) -> list[dict]:
    """One checkout's findings, read through a transport of its own."""
    from driftctl.transport import make_transport
    from driftctl.transport.waits import run_blocking

    try:
        with make_transport(config, env) as transport:
            return run_blocking(scan_steps(env, transport))
    except DriftctlError as exc:
        return [{"environment": env, "error": exc.message}]


def scan_steps(env: str, transport: Transport) -> Steps[list[dict]]:
    """One checkout's findings, or its one `error` entry, read on an open `transport` (read-only)."""
    from driftctl.filescan import scan_bytes
    from driftctl.rescue import read_target_steps

    try:
        _, _, files = yield from read_target_steps(transport, transport.root)
    except DriftctlError as exc:
        return [{"environment": env, "error": exc.message}]
    out: list[dict] = []
    for f in files:
        if f.change != "deleted" and f.mode != "120000":
            out += [{"environment": env, "path": x.path, "line": x.line, "kind": x.kind} for x in scan_bytes(f.path, f.content)]
    return out
