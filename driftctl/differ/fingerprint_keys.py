"""Fingerprints made under different keys are not comparable: UNKNOWN, never MISMATCH.

Each snapshot records the id of the key that made its `fp:` values (`fingerprint_key`, an HMAC of a
constant under the key). When a row's differing values are fingerprints from snapshots with different
key ids, the difference says nothing about the secrets, only about the keys: the row becomes UNKNOWN
with a detail, and the matrix carries one note saying how to share a key. Snapshots without a key id
(older ones) are compared as before.
"""

from __future__ import annotations

import re
from dataclasses import replace

from driftctl.differ.common import View
from driftctl.matrix import QUIET, Entry, Row, Severity, Status

_FINGERPRINT = re.compile(r"fp:[0-9a-f]{16}|fingerprint [0-9a-f]{8}\.\.")
ADVICE = ("share one key between machines: point DRIFTCTL_FINGERPRINT_KEY_FILE at the same key file, "
          "or set DRIFTCTL_FINGERPRINT_KEY from a CI secret (README: Secrets)")


def key_ids(view: View) -> dict[str, str | None]:
    return {env: snap.get("fingerprint_key") for env, snap in view.snapshots.items()}


def neutralise(rows: list[Entry], view: View) -> tuple[list[Entry], list[str]]:
    """Rows whose fingerprinted values come from different keys become UNKNOWN; plus the one note.
    In-sync groups pass untouched (equal fingerprints are equal whatever the keys)."""
    ids = key_ids(view)
    out: list[Entry] = []
    touched = 0
    for row in rows:
        if not isinstance(row, Row):
            out.append(row)
            continue
        envs = [e for e, v in row.values.items() if _FINGERPRINT.search(v or "") and ids.get(e)]
        keys = {ids[e] for e in envs}
        if row.status in QUIET or len(keys) < 2:
            out.append(row)
            continue
        touched += 1
        named = ", ".join(f"{e}: {ids[e]}" for e in envs)
        out.append(replace(row, status=Status.UNKNOWN, severity=Severity.NONE, flagged=[],
                           details=[*row.details, f"fingerprints made under different keys ({named}): "
                                                  f"not comparable, would have been {row.status.value}"]))
    notes = []
    if touched:
        distinct = sorted({f"{e}: {k}" for e, k in ids.items() if k})
        notes.append(f"{touched} row(s) compare secrets fingerprinted under different keys ({', '.join(distinct)}); "
                     f"shown as UNKNOWN; {ADVICE}")
    return out, notes
