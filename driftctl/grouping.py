"""Fleets read as one column: per component, the value most hosts of a group have, and only the
hosts that differ from it (`driftctl diff --group web`). Pure: a `driftctl.diff/v1` document in,
the same document shape out, so every renderer works on it unchanged."""

from __future__ import annotations

import json
from collections import Counter
from fnmatch import fnmatchcase

from driftctl.errors import UsageError

MAJORITY = "(majority)"


def members(groups: dict[str, list[str]], environments: list[str], name: str) -> list[str]:
    """The environments a group names (exact names or fnmatch patterns such as `web-*`), in config order."""
    if name not in groups:
        known = ", ".join(groups) or "(none)"
        raise UsageError(f"unknown group {name!r}; known: {known}")
    patterns = groups[name]
    out = [e for e in environments if any(fnmatchcase(e, p) for p in patterns)]
    if not out:
        raise UsageError(f"group {name!r} matches no environment")
    return out


def group_view(doc: dict, group: list[str]) -> dict:
    """Collapse the group's columns into `(majority)` plus one column per outlier host."""
    outliers: set[str] = set()
    rows = []
    for row in doc.get("rows") or []:
        values = row.get("values") or {}
        present = [e for e in group if e in values]
        if not present:
            rows.append(row)
            continue
        counts = Counter(_key(values[e]) for e in present)
        top_key, top_n = counts.most_common(1)[0]
        odd = [e for e in present if _key(values[e]) != top_key]
        outliers.update(odd)
        majority = next(values[e] for e in present if _key(values[e]) == top_key)
        new_values = {k: v for k, v in values.items() if k not in group}
        new_values[MAJORITY] = f"{_text(majority)} ({top_n}/{len(present)})"
        new_values.update({e: values[e] for e in odd})
        rows.append({**row, "values": new_values, "outliers": odd})
    others = [e for e in doc.get("environments") or [] if e not in group]
    ordered = [e for e in group if e in outliers]
    return {**doc, "environments": [*others, MAJORITY, *ordered], "rows": rows, "group": {"members": group}}


def _key(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
