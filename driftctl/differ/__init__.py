"""The differ: snapshots in, the comparison matrix out. Pure: no I/O, no transports, no collectors.

Each module builds one family of rows from plain snapshot dicts; `build_matrix` runs them in the
order a reader wants them (branch first, errors last), folds raw rows that a named component
replaces, and applies the rules (expected, ignore).
"""

from __future__ import annotations

from driftctl.config import Rules
from driftctl.differ import (
    code_health,
    components,
    compose,
    compose_reference,
    containers,
    env,
    errors,
    files,
    git,
    host,
)
from driftctl.differ.common import View
from driftctl.matrix import Matrix, Row
from driftctl.rules import apply_rules, matches

FAMILIES = (git, components, code_health, compose, compose_reference, containers, env, files, host, errors)


def build_matrix(snapshots: list[dict], rules: Rules | None = None, *, show_ignored: bool = False) -> Matrix:
    """Compare the snapshots (environment names must be unique; see `driftctl.checks.unique_names`)."""
    rules = rules or Rules()
    view = View({s["environment"]: s for s in snapshots}, rules)
    if len(view.snapshots) != len(snapshots):
        raise ValueError("snapshots of the same environment name; rename them first")
    rows: list[Row] = []
    for family in FAMILIES:
        rows.extend(family.rows(view))
    replaced = components.folded(view)
    rows = [r for r in rows if r.component not in replaced or r.component in rules.components]
    rows = apply_rules(rows, rules, view.envs, show_ignored=show_ignored)
    # A collector whose failure row the rules ignore does not make the comparison incomplete.
    ignored = {f"collector.{i['collector']}" for i in errors.incomplete(view)
               if any(matches(p, f"collector.{i['collector']}") for p in rules.ignore)}
    incomplete = [i for i in errors.incomplete(view) if f"collector.{i['collector']}" not in ignored]
    return Matrix(environments=view.envs, rows=rows, incomplete=incomplete)
