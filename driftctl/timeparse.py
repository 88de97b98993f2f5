"""Durations (`30d`, `12h`, `10m`) and points in time (`2026-11-30`, ISO 8601, or a duration ago).

Shared by `history --since`, `diff ENV@WHEN`, `gc --keep` and `watch --every`, so every command
spells time the same way.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from driftctl.errors import UsageError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d{1,9})\s*([smhdw])\s*$")


def parse_duration(text: str, what: str = "duration") -> timedelta:
    """`90s`, `10m`, `12h`, `30d`, `2w` -> timedelta; anything else is one UsageError line."""
    match = _DURATION.match(text or "")
    if not match:
        raise UsageError(f"{what}: expected a number and a unit (s, m, h, d, w), e.g. 30d or 10m; got {text[:40]!r}")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """A point in time: an ISO date or date-time (UTC unless it says otherwise), or a duration ago."""
    now = now or datetime.now(timezone.utc)
    if _DURATION.match(text or ""):
        return now - parse_duration(text)
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"expected a date (2026-11-30), a date-time (2026-11-30T06:00) or a duration (7d); got {text[:40]!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def parse_stamp(text: str) -> datetime | None:
    """A snapshot's `collected_at`; None when it is not a time (a hand-edited or foreign file)."""
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
