"""Shared pieces of the row families: the view of the snapshots, value display, and value rows.

Families receive a `View` (environment -> snapshot) and return rows; only this module knows how a
raw value becomes its display form, so secrets are shown the same way everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii
from typing import TYPE_CHECKING, Any, Literal

import orjson
from typing_extensions import overload

from driftctl.capabilities import Capabilities, of_snapshot
from driftctl.evidence import Evidence
from driftctl.matrix import ABSENT_VALUE, NOT_APPLICABLE, UNKNOWN_VALUE, Row, Severity, Status
from driftctl.secrets import is_fingerprint
from driftctl.snapshot import collector_data

if TYPE_CHECKING:
    from driftctl.collectors.code_health import CodeHealthData
    from driftctl.collectors.compose import ComposeData
    from driftctl.collectors.containers import ContainersData
    from driftctl.collectors.env import EnvData
    from driftctl.collectors.files import FilesData
    from driftctl.collectors.git import GitData
    from driftctl.collectors.host import HostData
    from driftctl.config import Rules


class _Marker:
    """A value that is not a value: absent, unknown (collector failed), or not applicable."""

    def __init__(self, display: str):
        self.display = display

    def __repr__(self) -> str:
        return self.display


ABSENT = _Marker(ABSENT_VALUE)
UNKNOWN = _Marker(UNKNOWN_VALUE)
NA = _Marker(NOT_APPLICABLE)
Marker = _Marker  # for annotations: `GitData | Marker` is one environment's data or why there is none


@dataclass
class View:
    """The snapshots being compared, keyed by environment name (in the order given)."""

    snapshots: dict[str, dict]
    rules: Rules

    @property
    def envs(self) -> list[str]:
        return list(self.snapshots)

    def transport(self, env: str) -> str:
        return str(self.snapshots[env].get("transport") or "")

    def caps(self, env: str) -> Capabilities:
        """What the environment could do when collected (ask this, never the transport's name)."""
        return of_snapshot(self.snapshots[env])

    def role(self, env: str) -> str:
        """`deployment` or `development` (snapshots without a role: the transport's default)."""
        snap = self.snapshots[env]
        return str(snap.get("role") or ("deployment" if self.caps(env).deployment else "development"))

    def state(self, env: str, collector: str) -> str:
        """`ok`, `error`, `skipped` or `absent` (the collector did not run there)."""
        outcome = (self.snapshots[env].get("collectors") or {}).get(collector)
        if not outcome:
            return "error" if self.snapshots[env].get("error") else "absent"
        return str(outcome.get("status") or "absent")

    # The collectors' data types (in their modules, imported under TYPE_CHECKING) by name, so that mypy checks every read of them.
    @overload
    def data(self, env: str, collector: Literal["git"]) -> GitData | None: ...
    @overload
    def data(self, env: str, collector: Literal["compose"]) -> ComposeData | None: ...
    @overload
    def data(self, env: str, collector: Literal["env"]) -> EnvData | None: ...
    @overload
    def data(self, env: str, collector: Literal["files"]) -> FilesData | None: ...
    @overload
    def data(self, env: str, collector: Literal["host"]) -> HostData | None: ...
    @overload
    def data(self, env: str, collector: Literal["code_health"]) -> CodeHealthData | None: ...
    @overload
    def data(self, env: str, collector: Literal["containers"]) -> ContainersData | None: ...
    @overload
    def data(self, env: str, collector: str) -> Mapping[str, Any] | None: ...

    def data(self, env: str, collector: str) -> Any:
        """One environment's data of one collector, or None when it failed, was skipped or did not run."""
        return collector_data(self.snapshots[env], collector)

    @overload
    def per_env(self, collector: Literal["git"]) -> dict[str, GitData | Marker]: ...
    @overload
    def per_env(self, collector: Literal["compose"]) -> dict[str, ComposeData | Marker]: ...
    @overload
    def per_env(self, collector: Literal["env"]) -> dict[str, EnvData | Marker]: ...
    @overload
    def per_env(self, collector: Literal["files"]) -> dict[str, FilesData | Marker]: ...
    @overload
    def per_env(self, collector: Literal["host"]) -> dict[str, HostData | Marker]: ...
    @overload
    def per_env(self, collector: Literal["code_health"]) -> dict[str, CodeHealthData | Marker]: ...
    @overload
    def per_env(self, collector: Literal["containers"]) -> dict[str, ContainersData | Marker]: ...
    @overload
    def per_env(self, collector: str) -> dict[str, Mapping[str, Any] | Marker]: ...

    def per_env(self, collector: str) -> Any:
        """Each environment's data of one collector, or UNKNOWN (failed) / NA (not applicable there)."""
        out: dict[str, Any] = {}
        for env in self.envs:
            d = self.data(env, collector)
            if d is not None:
                out[env] = d
            else:
                out[env] = UNKNOWN if self.state(env, collector) == "error" else NA
        return out

    def has_worktree(self, env: str) -> bool:
        """Git environments are commits in a repository: no working tree, no host, no containers."""
        return self.caps(env).worktree

    def commands(self, env: str, collector: str) -> list[str]:
        outcome = (self.snapshots[env].get("collectors") or {}).get(collector) or {}
        return list(outcome.get("commands") or [])


def show(value: Any) -> str:
    """The display form of a value: secrets as `fingerprint a1b2c3d4..`, lists joined, mappings as JSON."""
    if isinstance(value, _Marker):
        return value.display
    if value is None or value == "":
        return "(empty)"
    if is_fingerprint(value):
        return f"fingerprint {value[3:11]}.."
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return " ".join(show(v) for v in value)
    return json.dumps(_mask(value), sort_keys=True, separators=(", ", ": "), default=str)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if is_fingerprint(value):
        return f"fingerprint {value[3:11]}.."
    return value


def comparable(values: dict[str, Any]) -> dict[str, Any]:
    """The environments whose value is known (not UNKNOWN, not NA)."""
    return {e: v for e, v in values.items() if v is not UNKNOWN and v is not NA}


_CANONICAL = json.JSONEncoder(sort_keys=True, default=str)


def canonical(value: Any) -> str:
    """A stable comparison key (dict order and list-vs-tuple never make a difference).

    Exactly `json.dumps(value, sort_keys=True, default=str)`, without building an encoder per call and,
    for strings and integers (nearly every leaf), without the encoder at all.
    """
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, _Marker):
        return value.display
    return _CANONICAL.encode(value)


def _exact(value: Any) -> bytes | str:
    """A canonical form of a container for `same`: orjson's sorted-keys bytes, or `canonical` where
    orjson refuses the value (integers past 64 bits, non-string keys)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return canonical(value)


def same(values: list[Any]) -> bool:
    """True when every value has the same canonical form; may say False for equal forms (the caller
    then compares exactly), never True for different ones.

    `==` runs at C speed over whole services and settles strings, integers and None on its own; where
    it could hide a difference the canonical form keeps (True == 1 == 1.0, 0.0 == -0.0) inside equal
    containers, their canonical forms decide, computed once per value.
    """
    if not values:
        return True
    first = values[0]
    kind = type(first)
    for v in values[1:]:
        if v is not first and not (type(v) is kind and v == first):
            return False
    if kind is str or kind is int or kind is bool or first is None or isinstance(first, _Marker):
        return True
    if kind is float:
        return len({float.__repr__(v) for v in values}) == 1
    return len({_exact(v) for v in values}) == 1


def differs(values: dict[str, Any]) -> bool:
    return len({canonical(v) for v in comparable(values).values()}) > 1


def value_row(
    component: str,
    title: str,
    values: dict[str, Any],
    *,
    status: Status = Status.MISMATCH,
    severity: Severity = Severity.MODERATE,
    sources: dict[str, str] | None = None,
    details: Iterable[str] = (),
    missing_status: Status = Status.MISSING,
    collector: str | None = None,
    facts: dict[str, Any] | None = None,
) -> Row:
    """A row comparing one value across environments.

    IN_SYNC when every known value is equal; `missing_status` when some environments have it and
    others do not (ABSENT); `status` otherwise. UNKNOWN/NA environments take no part.
    Each known environment contributes one `value` (or `absent`) evidence entry carrying the raw
    value; `collector` defaults to the component's first segment, `facts` adds identifying fields
    (service, key, path) and defaults to `key` = the rest of the component id.
    """
    keys = {e: canonical(v) for e, v in values.items() if v is not UNKNOWN and v is not NA}
    if len(set(keys.values())) <= 1:
        st, sev = Status.IN_SYNC, Severity.NONE
    elif any(values[e] is ABSENT for e in keys):
        st, sev = missing_status, severity
    else:
        st, sev = status, severity
    row = Row(component=component, title=title, values={e: show(v) for e, v in values.items()},
              status=st, severity=sev, details=list(details), sources=dict(sources or {}),
              evidence=value_evidence(values, collector or component.split(".", 1)[0],
                                      **(facts if facts is not None else {"key": component.partition(".")[2] or None})))
    if st is not Status.IN_SYNC:
        row.details.extend(_groups(keys))
    return row


def value_evidence(values: dict[str, Any], collector: str, **facts: Any) -> list[Evidence]:
    """`value` / `absent` entries for the environments whose value is known (raw values, secrets as fp:)."""
    out = []
    for env, v in comparable(values).items():
        if v is ABSENT:
            out.append(Evidence(env, collector, "absent", **facts))
        else:
            out.append(Evidence(env, collector, "value", value=plain(v), **facts))
    return out


def plain(value: Any) -> Any:
    """JSON data for an evidence value (markers never reach here; tuples become lists)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _groups(keys: dict[str, str]) -> list[str]:
    """`local = github; aws differs` style summary when more than two environments take part
    (`keys`: each known environment's canonical form)."""
    if len(keys) <= 2:
        return []
    groups: dict[str, list[str]] = {}
    for env, key in keys.items():
        groups.setdefault(key, []).append(env)
    if len(groups) == len(keys):
        return []
    return ["same value: " + "; ".join(" = ".join(g) for g in groups.values() if len(g) > 1)]


def get_path(data: Any, keys: list[str]) -> Any:
    """Walk `keys` into nested dicts; a key may itself contain dots (longest match first)."""
    node = data
    i = 0
    while i < len(keys):
        if not isinstance(node, dict):
            return ABSENT
        for j in range(len(keys), i, -1):
            key = ".".join(keys[i:j])
            if key in node:
                node, i = node[key], j
                break
        else:
            return ABSENT
    return node

