"""The snapshot document: schema version, helpers to read collector data, and a content fingerprint.

A snapshot is plain JSON (a dict), so the differ and planner never depend on the collectors' code.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

SCHEMA_VERSION = 1
# Collector data keys that change between runs without drift (left out of the fingerprint).
DEFAULT_VOLATILE = {"host": {"memory", "disk", "uptime_s", "load"}}


def content_fingerprint(snapshot: dict, collectors: list | None = None) -> str:
    """sha256 over what was collected, without timestamps, durations and volatile facts.

    Two snapshots with the same fingerprint saw the same state; `apply` uses it to refuse stale plans.
    """
    volatile = {k: set(v) for k, v in DEFAULT_VOLATILE.items()}
    for c in collectors or []:
        if getattr(c, "volatile", None):
            volatile.setdefault(c.name, set()).update(c.volatile)
    stable: dict[str, Any] = {"environment": snapshot.get("environment"), "error": snapshot.get("error")}
    for name, outcome in sorted(snapshot.get("collectors", {}).items()):
        data = outcome.get("data")
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in volatile.get(name, set())}
        stable[name] = {"status": outcome.get("status"), "data": data, "error": outcome.get("error")}
    blob = json.dumps(stable, sort_keys=True, separators=(",", ":"), default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def collector_data(snapshot: dict, name: str) -> dict | None:
    """The data of one collector, or None when it failed, was skipped or did not run."""
    outcome = (snapshot.get("collectors") or {}).get(name) or {}
    return outcome.get("data") if outcome.get("status") == "ok" else None


def failures(snapshot: dict) -> list[dict]:
    """Every collector error of the snapshot, as `{environment, collector, error}`."""
    env = snapshot.get("environment")
    out = []
    for name, outcome in (snapshot.get("collectors") or {}).items():
        if outcome.get("status") == "error":
            out.append({"environment": env, "collector": name, "error": outcome.get("error")})
    if snapshot.get("error") and not out:
        out.append({"environment": env, "collector": "transport", "error": snapshot["error"]})
    return out
