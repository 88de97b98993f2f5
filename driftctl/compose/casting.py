"""Strings Compose casts to numbers and booleans while interpolating (compose-go's type-cast table).

Why: `deploy.replicas: "2"` or `replicas: ${REPLICAS}` is the integer 2 for Docker Compose; kept as
a string, a host writing `2` and one writing `"2"` would look like drift. compose-go casts every
string found at these paths of each file, right after interpolating it (loader/interpolate.go,
`interpolateTypeCastMapping`); a value that does not parse is an error there, and here (worded as
compose-go words it, minus the value: it may come from a secret variable).
Other typed fields are not cast by compose-go: a string there fails its decoding (see validate.py).
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable
from typing import Any

_INT = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?(?:(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)$", re.IGNORECASE)


class CastError(ValueError):
    """A string at a cast path that compose-go cannot convert; `path` locates it."""

    def __init__(self, path: tuple[str, ...], message: str):
        super().__init__(message)
        self.path = path
        self.message = message


def _int(bits: int, func: str) -> Callable[[str], int]:
    def cast(text: str) -> int:
        if not _INT.match(text):
            raise ValueError(f"strconv.{func}: invalid syntax")
        value = int(text)
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ValueError(f"strconv.{func}: value out of range")
        return value

    return cast


def _float(single: bool) -> Callable[[str], float | int]:
    def cast(text: str) -> float | int:
        if not text or not _FLOAT.match(text) or not any(c.isdigit() or c in "iInN" for c in text):
            raise ValueError("strconv.ParseFloat: invalid syntax")
        value = float(text)
        if single and math.isfinite(value):
            value = struct.unpack("f", struct.pack("f", value))[0] if abs(value) < 3.4e38 else value
            value = float(f"{value:.7g}")  # Go prints a float32 with the shortest float32 digits
        return int(value) if value.is_integer() else value

    return cast


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "y", "yes", "on"):
        return True
    if lowered in ("false", "n", "no", "off"):
        return False
    raise ValueError("invalid boolean")


_TO_INT = _int(64, "Atoi")
_TO_INT64 = _int(64, "ParseInt")
_TO_FLOAT = _float(False)
_TO_FLOAT32 = _float(True)

# path below `services.<name>` ("[]" = any list item, "*" = any mapping key) -> cast
_SERVICE: dict[tuple[str, ...], Callable[[str], Any]] = {
    ("cpu_count",): _TO_INT64,
    ("cpu_percent",): _TO_FLOAT,
    ("cpu_period",): _TO_INT64,
    ("cpu_quota",): _TO_INT64,
    ("cpu_rt_period",): _TO_INT64,
    ("cpu_rt_runtime",): _TO_INT64,
    ("cpus",): _TO_FLOAT32,
    ("cpu_shares",): _TO_INT64,
    ("init",): _bool,
    ("deploy", "replicas"): _TO_INT,
    ("deploy", "update_config", "parallelism"): _TO_INT,
    ("deploy", "update_config", "max_failure_ratio"): _TO_FLOAT,
    ("deploy", "rollback_config", "parallelism"): _TO_INT,
    ("deploy", "rollback_config", "max_failure_ratio"): _TO_FLOAT,
    ("deploy", "restart_policy", "max_attempts"): _TO_INT,
    ("deploy", "placement", "max_replicas_per_node"): _TO_INT,
    ("healthcheck", "retries"): _TO_INT,
    ("healthcheck", "disable"): _bool,
    ("oom_kill_disable",): _bool,
    ("oom_score_adj",): _TO_INT64,
    ("pids_limit",): _TO_INT64,
    ("ports", "[]", "target"): _TO_INT,
    ("privileged",): _bool,
    ("read_only",): _bool,
    ("scale",): _TO_INT,
    ("stdin_open",): _bool,
    ("tty",): _bool,
    ("ulimits", "*"): _TO_INT,
    ("ulimits", "*", "hard"): _TO_INT,
    ("ulimits", "*", "soft"): _TO_INT,
    ("volumes", "[]", "read_only"): _bool,
    ("volumes", "[]", "volume", "nocopy"): _bool,
}
_RESOURCE: dict[str, tuple[str, ...]] = {
    "networks": ("external", "internal", "attachable", "enable_ipv4", "enable_ipv6"),
    "volumes": ("external",),
    "secrets": ("external",),
    "configs": ("external",),
}


def _tree(rules: dict[tuple[str, ...], Callable[[str], Any]]) -> dict[str, Any]:
    """The rule paths as a nested dict; a callable under "" casts the node itself."""
    root: dict[str, Any] = {}
    for path, cast in rules.items():
        node = root
        for part in path:
            node = node.setdefault(part, {})
        node[""] = cast
    return root


_SERVICE_TREE = _tree(_SERVICE)
_RESOURCE_TREE = {section: _tree({(k,): _bool for k in keys}) for section, keys in _RESOURCE.items()}


def cast_values(data: dict[str, Any]) -> None:
    """Cast, in place, the strings of one interpolated document found at compose-go's cast paths."""
    services = data.get("services")
    if isinstance(services, dict):
        for name, svc in services.items():
            _walk(svc, _SERVICE_TREE, ("services", str(name)))
    for section, tree in _RESOURCE_TREE.items():
        entries = data.get(section)
        if isinstance(entries, dict):
            for name, entry in entries.items():
                _walk(entry, tree, (section, str(name)))


def _walk(node: Any, tree: dict[str, Any], path: tuple[str, ...]) -> None:
    if isinstance(node, dict):
        wild = tree.get("*")
        keys = list(node) if wild is not None else [k for k in tree if k in node]
        for key in keys:
            _visit(node, key, tree.get(key) or wild or {}, path)
    elif isinstance(node, list) and "[]" in tree:
        for i in range(len(node)):
            _visit(node, i, tree["[]"], path)


def _visit(container: Any, key: Any, sub: dict[str, Any], path: tuple[str, ...]) -> None:
    value = container[key]
    here = (*path, str(key))
    cast = sub.get("")
    if isinstance(value, str):
        if cast is not None:
            try:
                container[key] = cast(value)
            except ValueError as exc:
                raise CastError(here, f"failed to cast to expected type: {exc}") from None
    elif isinstance(value, (dict, list)):
        _walk(value, sub, here)


# compose-go's decode-time `cast` (loader/mapstructure.go), by Go kind of the target field
GO_CASTS: dict[str, Callable[[str], Any]] = {
    "bool": _bool, "int": _TO_INT, "int64": _TO_INT64, "float32": _TO_FLOAT32, "float64": _TO_FLOAT,
}
