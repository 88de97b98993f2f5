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
    environment that cannot be read gets one entry with `error` (the plan then warns it is unknown)."""
    from driftctl.filescan import scan_bytes
    from driftctl.rescue import read_target
    from driftctl.transport import make_transport

    out: list[dict] = []
    for env, snap in snapshots.items():
        spec = config.environments.get(env)
        git = collector_data(snap, "git")
        if spec is None or not capabilities.of(spec.transport).worktree or not git or not (git.get("modified") or git.get("untracked")):
            continue
        try:
            with make_transport(config, env) as transport:
                _, _, files = read_target(transport, transport.root)
        except DriftctlError as exc:
            out.append({"environment": env, "error": exc.message})
            continue
        for f in files:
            if f.change != "deleted" and f.mode != "120000":
                out += [{"environment": env, "path": x.path, "line": x.line, "kind": x.kind} for x in scan_bytes(f.path, f.content)]
    return out
