"""Secrets in files a plan would rescue: the uncommitted files of every checkout, read through its
transport (read-only, as `rescue` reads them) and scanned by content. The result names file, line and
kind, never the value, and goes into the plan (warnings, rescue notes), like the merge-risk analysis.
"""

from __future__ import annotations

from driftctl import capabilities
from driftctl.config import Config
from driftctl.errors import DriftctlError
from driftctl.snapshot import collector_data


def scan_uncommitted(config: Config, snapshots: dict[str, dict]) -> list[dict]:
    """[{environment, path, line, kind}] for the modified/untracked files of each checkout; an
    environment that cannot be read gets one entry with `error` (the plan then warns it is unknown).
    The checkouts are read at once (at most the collection's `DEFAULT_JOBS`), as they were collected:
    over SSH each read is a login of its own, and a fleet's logins one after another added seconds."""
    from concurrent.futures import ThreadPoolExecutor

    from driftctl.runner import DEFAULT_JOBS

    envs = [env for env, snap in snapshots.items() if _has_uncommitted(config, env, snap)]
    if not envs:
        return []
    with ThreadPoolExecutor(max_workers=min(DEFAULT_JOBS, len(envs))) as pool:
        found = list(pool.map(lambda env: _scan(config, env), envs))
    return [entry for entries in found for entry in entries]


def _has_uncommitted(config: Config, env: str, snap: dict) -> bool:
    spec = config.environments.get(env)
    git = collector_data(snap, "git")
    return bool(spec is not None and capabilities.of(spec.transport).worktree and git
                and (git.get("modified") or git.get("untracked")))


def _scan(config: Config, env: str) -> list[dict]:
    """One checkout's findings, or its one `error` entry."""
    from driftctl.filescan import scan_bytes
    from driftctl.rescue import read_target
    from driftctl.transport import make_transport

    try:
        with make_transport(config, env) as transport:
            _, _, files = read_target(transport, transport.root)
    except DriftctlError as exc:
        return [{"environment": env, "error": exc.message}]
    out: list[dict] = []
    for f in files:
        if f.change != "deleted" and f.mode != "120000":
            out += [{"environment": env, "path": x.path, "line": x.line, "kind": x.kind} for x in scan_bytes(f.path, f.content)]
    return out
