"""Named rows from `rules.components`: a snapshot path, its values mapped to meanings.

`Bot Mode` is `polling` where the telegram-bot command matches `main\\.py` and `webhook` where it
matches `main_webhook`; the raw row at the same path is folded into the named one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from driftctl.differ.common import ABSENT, UNKNOWN, View, get_path, show, value_evidence, value_row
from driftctl.differ.compose_normalize import mentions_unknown
from driftctl.matrix import Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.config import ComponentRule


def rows(view: View) -> list[Row]:
    return [_row(view, key, rule) for key, rule in view.rules.components.items()]


def folded(view: View) -> set[str]:
    """Component ids of raw rows replaced by a named row."""
    return {rule.path for rule in view.rules.components.values()}


def label(rule: ComponentRule, raw: Any) -> Any:
    """The first matching label, or the raw value when no regex matches (or it is absent)."""
    if raw is ABSENT or not isinstance(raw, (str, int, float, list)):
        return raw
    text = " ".join(map(str, raw)) if isinstance(raw, list) else str(raw)
    for pattern, name in rule.values.items():
        if re.search(pattern, text):
            return name
    return raw


def _row(view: View, key: str, rule: ComponentRule) -> Row:
    collector, _, rest = rule.path.partition(".")
    data = view.per_env(collector)
    raws = {e: (get_path(d, rest.split(".")) if rest else d) if isinstance(d, dict) else d for e, d in data.items()}
    # a value that needs an env file the environment does not have (a git remote) is unknown, not a value
    raws = {e: UNKNOWN if mentions_unknown(r) else r for e, r in raws.items()}
    values = {e: label(rule, r) for e, r in raws.items()}
    row = value_row(key, rule.title, values, status=Status(rule.status), severity=Severity(rule.severity),
                    sources={e: f"{collector}: {rest or '(all data)'}" for e in data})
    row.evidence = value_evidence(raws, collector, key=rest or None)
    if row.status is not Status.IN_SYNC and rule.values:
        row.details.extend(f"{e}: {show(r)}" for e, r in raws.items() if show(r) != row.values[e])
    return row
