"""The snapshot document: schema version, helpers to read collector data, and a content fingerprint.

A snapshot is plain JSON (a dict), so the differ and planner never depend on the collectors' code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import overload

if TYPE_CHECKING:
    from driftctl.collectors.code_health import CodeHealthData
    from driftctl.collectors.compose import ComposeData
    from driftctl.collectors.containers import ContainersData
    from driftctl.collectors.env import EnvData
    from driftctl.collectors.files import FilesData
    from driftctl.collectors.git import GitData
    from driftctl.collectors.host import HostData

SCHEMA_VERSION = 1
# Collector data keys that change between runs without drift (left out of the fingerprint).
DEFAULT_VOLATILE = {"host": {"memory", "disk", "uptime_s", "load"}}
# Collectors add their own with a `volatile` class attribute: top-level keys or paths like `containers[].started_at`.


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
        for path in sorted(volatile.get(name, set())):
            data = _drop(data, path)
        stable[name] = {"status": outcome.get("status"), "data": data, "error": outcome.get("error")}
    blob = json.dumps(stable, sort_keys=True, separators=(",", ":"), default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def _drop(data: Any, path: str) -> Any:
    """`data` without the key at `path`: dotted keys, `name[]` to descend into every item of a list."""
    if not isinstance(data, dict):
        return data
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        key = head[:-2]
        if not isinstance(data.get(key), list):
            return data
        return {**data, key: [_drop(item, rest) if rest else item for item in data[key]]}
    if head not in data:
        return data
    if not rest:
        return {k: v for k, v in data.items() if k != head}
    return {**data, head: _drop(data[head], rest)}


# Each collector's data type (in its module, imported under TYPE_CHECKING) by name, so that mypy checks every read of it.
@overload
def collector_data(snapshot: dict, name: Literal["git"]) -> GitData | None: ...
@overload
def collector_data(snapshot: dict, name: Literal["compose"]) -> ComposeData | None: ...
@overload
def collector_data(snapshot: dict, name: Literal["env"]) -> EnvData | None: ...
@overload
def collector_data(snapshot: dict, name: Literal["files"]) -> FilesData | None: ...
@overload
def collector_data(snapshot: dict, name: Literal["host"]) -> HostData | None: ...
@overload
def collector_data(snapshot: dict, name: Literal["code_health"]) -> CodeHealthData | None: ...
@overload
def collector_data(snapshot: dict, name: Literal["containers"]) -> ContainersData | None: ...
@overload
def collector_data(snapshot: dict, name: str) -> Mapping[str, Any] | None: ...


def collector_data(snapshot: dict, name: str) -> Any:
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


# A value that depends on an env file a git environment does not have (gitignored): the compose
# collector writes it in place of the value, the differ shows it as unknown and never compares it.
UNKNOWN_ENV_VALUE = "<driftctl:unknown: needs an uncommitted env file>"
