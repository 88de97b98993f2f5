"""Byte sizes and durations written the way `docker compose config` writes them.

Compose prints `mem_limit: 512m` as `"536870912"` and `interval: 90s` as `"1m30s"` (Go's
time.Duration format); a drift tool comparing the rendered model must do the same, or `512m` on one
host and `536870912` on another would look like drift.
"""

from __future__ import annotations

import re
from typing import Any

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)\s*$", re.IGNORECASE)
_MULT = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def bytes_string(value: Any) -> Any:
    """`"512m"` / `512` -> `"536870912"` (docker's RAMInBytes, 1024-based); other values unchanged."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return str(int(value))
    m = _SIZE.match(str(value))
    if not m:
        return value
    return str(int(float(m.group(1)) * _MULT[m.group(2).lower()]))


def duration_string(value: Any) -> Any:
    """`"90s"` -> `"1m30s"`, `"1500ms"` -> `"1.5s"` (Go's Duration.String); other values unchanged."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return format_duration(int(value) * 10**9)  # a bare number is seconds in the schema
    text = str(value).strip()
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text == "0":
        return "0s"
    pos = 0
    total = 0.0
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            return value
        total += float(m.group(1)) * _NS[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        return value
    return format_duration(sign * int(round(total)))


def format_duration(ns: int) -> str:
    """Go's time.Duration.String()."""
    if ns == 0:
        return "0s"
    neg = ns < 0
    ns = abs(ns)
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if ns >= size:
                return ("-" if neg else "") + _frac(ns, size) + unit
    h, rem = divmod(ns, 3600 * 10**9)
    m, rem = divmod(rem, 60 * 10**9)
    out = ""
    if h:
        out += f"{h}h"
    if h or m:
        out += f"{m}m"
    out += _frac(rem, 10**9) + "s"
    return ("-" if neg else "") + out


def _frac(value: int, unit: int) -> str:
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"
