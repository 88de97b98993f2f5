"""`--shard K/N`: a stable split of environments across N parallel jobs (a CI matrix), so a large
fleet is collected in parallel and one job compares the saved snapshots.

Stable: an environment's shard depends only on its name (sha256), never on the order or number of
other environments, so adding a host moves no other host between jobs. Disjoint and complete: every
name lands in exactly one of the N shards.
"""

from __future__ import annotations

import hashlib
import re

from driftctl.errors import UsageError

_SPEC = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")


def parse_shard(spec: str) -> tuple[int, int]:
    """`2/5` -> (2, 5); K counts from 1."""
    match = _SPEC.match(spec or "")
    if not match or not (1 <= int(match.group(1)) <= int(match.group(2))):
        raise UsageError(f"--shard expects K/N with 1 <= K <= N (e.g. 1/4); got {spec[:20]!r}")
    return int(match.group(1)), int(match.group(2))


def shard_of(name: str, total: int) -> int:
    """The shard (1..total) an environment belongs to."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % total + 1


def select_shard(names: list[str], spec: str) -> list[str]:
    index, total = parse_shard(spec)
    return [n for n in names if shard_of(n, total) == index]
