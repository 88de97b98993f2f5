"""Applying the `rules:` of environments.yaml to rows: expected differences and ignored components.

Patterns are fnmatch patterns over component ids, matched case-sensitively; a pattern also covers
everything below it, so `compose.services.telegram-bot` ignores every key of that service.
Derived (named) rows from `rules.components` are built in `driftctl.differ.components`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fnmatch import fnmatchcase, translate
from itertools import combinations
from typing import TYPE_CHECKING

from driftctl.matrix import NOT_VALUES, QUIET, Entry, InSync, Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.config import ExpectedRule, Rules


def matches(pattern: str, component: str) -> bool:
    """True when `pattern` names `component` itself or one of its ancestors."""
    return fnmatchcase(component, pattern) or fnmatchcase(component, pattern + ".*")


def compile_patterns(patterns: list[str]) -> Callable[[str], bool]:
    """`matches` for any of `patterns`, as one regex (for checking many components at once)."""
    if not patterns:
        return lambda component: False
    regex = re.compile("|".join(f"(?:{translate(p)})|(?:{translate(p + '.*')})" for p in patterns))
    return lambda component: regex.match(component) is not None


def row_matches(pattern: str, row: Row) -> bool:
    """The row's id or one of its aliases (`var:NAME`, `env.<file>.NAME` for compose rows fed by that file)."""
    return any(matches(pattern, name) for name in (row.component, *row.aliases))


def differing_pairs(values: dict[str, str], among: list[str] | None = None) -> set[frozenset[str]]:
    """Pairs of environments whose display values differ (restricted to `among` when given)."""
    envs = [e for e in values if (among is None or e in among) and values[e] not in NOT_VALUES]
    return {frozenset((a, b)) for a, b in combinations(envs, 2) if values[a] != values[b]}


def _allowed_pairs(rule: ExpectedRule, envs: list[str]) -> set[frozenset[str]] | None:
    """The pairs a rule allows to differ, or None for any pair."""
    if rule.environments is None and rule.pairs is None:
        return None
    allowed: set[frozenset[str]] = set()
    if rule.environments is not None:
        allowed |= {frozenset(p) for p in combinations(rule.environments, 2)}
    for a, b in rule.pairs or []:
        allowed.add(frozenset((a, b)))
    return allowed


def expected_by(rule: ExpectedRule, row: Row, compared: list[str]) -> bool:
    """Does `rule` cover every difference the row reports?

    One-sided rows (DRIFT, BROKEN, CONSTRAINED, ...) carry `flagged` environments: each must be named
    by the rule. Other rows: each pair of environments with different values must be allowed.
    """
    if not row_matches(rule.component, row):
        return False
    allowed = _allowed_pairs(rule, compared)
    if allowed is None:
        return True
    named = {e for pair in allowed for e in pair}
    if row.flagged:
        return all(e in named for e in row.flagged)
    pairs = differing_pairs(row.values, compared)
    if not pairs:  # the difference lives in the details (e.g. file contents): every environment must be named
        return all(e in named for e in compared if row.values.get(e) not in NOT_VALUES)
    return pairs <= allowed


def apply_rules(rows: list[Entry], rules: Rules, compared: list[str], *, show_ignored: bool = False) -> list[Entry]:
    """Mark expected differences EXPECTED, drop (or, with `show_ignored`, mark) ignored rows.
    In-sync groups pass through (build_matrix has turned those a rule names into rows)."""
    out: list[Entry] = []
    for row in rows:
        if isinstance(row, InSync):
            out.append(row)
            continue
        if any(row_matches(p, row) for p in rules.ignore):
            if not show_ignored:
                continue
            row.ignored = True
            row.details.append("ignored by a rule in environments.yaml")
        if row.status not in QUIET:
            for rule in rules.expected:
                if expected_by(rule, row, [e for e in compared if e in row.values]):
                    why = f": {rule.reason}" if rule.reason else ""
                    row.details.append(
                        f"expected by rule `{rule.component}`{why} (would be {row.status.value} {row.severity.value})"
                    )
                    row.status, row.severity = Status.EXPECTED, Severity.NONE
                    break
        out.append(row)
    return out
