"""What a plan remembers about the snapshots it came from, so `apply` can tell exactly what changed.

Beside the whole-snapshot fingerprint, one digest per collector (volatile facts left out, as in the
fingerprint) and the git facts people recognise: branch, HEAD, modified and untracked files.
"""

from __future__ import annotations

import hashlib
import json

from driftctl.snapshot import DEFAULT_VOLATILE, collector_data


def collector_digests(snapshot: dict) -> dict[str, str]:
    out = {}
    for name, outcome in sorted((snapshot.get("collectors") or {}).items()):
        data = outcome.get("data")
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in DEFAULT_VOLATILE.get(name, set())}
        blob = json.dumps({"status": outcome.get("status"), "data": data, "error": outcome.get("error")},
                          sort_keys=True, separators=(",", ":"), default=str).encode()
        out[name] = hashlib.sha256(blob).hexdigest()[:16]
    return out


def describe_source(snapshot: dict) -> dict:
    git = collector_data(snapshot, "git")
    head = git.get("head") if git else None
    return {
        "fingerprint": snapshot.get("fingerprint"),
        "target": snapshot.get("target"),
        "collected_at": snapshot.get("collected_at"),
        "complete": snapshot.get("complete"),
        "branch": git.get("branch") if git else None,
        "head": head.get("sha") if head else None,
        "modified": list(git.get("modified") or []) if git else [],
        "untracked": list(git.get("untracked") or []) if git else [],
        "collectors": collector_digests(snapshot),
    }


def what_changed(before: dict, after_snapshot: dict) -> list[str]:
    """Human phrases for the differences between a recorded source and a fresh snapshot."""
    now = describe_source(after_snapshot)
    out = []
    if before.get("branch") != now["branch"]:
        out.append(f"branch {before.get('branch')} -> {now['branch']}")
    if before.get("head") != now["head"]:
        out.append(f"HEAD {str(before.get('head'))[:8]} -> {str(now['head'])[:8]}")
    for kind in ("modified", "untracked"):
        added = sorted(set(now[kind]) - set(before.get(kind) or []))
        gone = sorted(set(before.get(kind) or []) - set(now[kind]))
        if added:
            out.append(f"newly {kind}: {', '.join(added[:5])}" + (" ..." if len(added) > 5 else ""))
        if gone:
            out.append(f"no longer {kind}: {', '.join(gone[:5])}" + (" ..." if len(gone) > 5 else ""))
    old = before.get("collectors") or {}
    changed = sorted(n for n in set(old) | set(now["collectors"]) if old.get(n) != now["collectors"].get(n))
    if changed:
        out.append(f"collector data changed: {', '.join(changed)}")
    return out or ["content fingerprint differs"]
