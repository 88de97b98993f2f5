"""The differ: snapshots in, the comparison matrix out. Pure: no I/O, no transports, no collectors.

Each module builds one family of rows from plain snapshot dicts; `build_matrix` runs them in the
order a reader wants them (branch first, errors last), folds raw rows that a named component
replaces, and applies the rules (expected, ignore).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from driftctl.differ import (
    code_health,
    components,
    compose,
    compose_reference,
    containers,
    env,
    errors,
    files,
    fingerprint_keys,
    git,
    host,
)
from driftctl.differ.common import View
from driftctl.matrix import Entry, InSync, Matrix, Row
from driftctl.rules import apply_rules, compile_patterns, matches

if TYPE_CHECKING:
    from driftctl.config import Rules

FAMILIES = (git, components, code_health, compose, compose_reference, containers, env, files, host, errors)


def build_matrix(snapshots: list[dict], rules: Rules | None = None, *, show_ignored: bool = False) -> Matrix:
    """Compare the snapshots (environment names must be unique; see `driftctl.checks.unique_names`)."""
    rules = rules if rules is not None else cast("Rules", NoRules())
    view = View({s["environment"]: s for s in snapshots}, rules)
    if len(view.snapshots) != len(snapshots):
        raise ValueError("snapshots of the same environment name; rename them first")
    entries: list[Entry] = []
    for family in FAMILIES:
        entries.extend(_family_rows(family, view))
    dropped = components.folded(view) - set(rules.components)
    entries = [e for e in _named_rows(entries, rules.ignore, dropped)
               if not isinstance(e, Row) or e.component not in dropped]
    entries, notes = fingerprint_keys.neutralise(entries, view)
    entries = apply_rules(entries, rules, view.envs, show_ignored=show_ignored)
    # A collector whose failure row the rules ignore does not make the comparison incomplete.
    ignored = {f"collector.{i['collector']}" for i in errors.incomplete(view)
               if any(matches(p, f"collector.{i['collector']}") for p in rules.ignore)}
    incomplete = [i for i in errors.incomplete(view) if f"collector.{i['collector']}" not in ignored]
    return Matrix(environments=view.envs, rows=entries, incomplete=incomplete, notes=notes)


class NoRules:
    """The rules of a comparison without environments.yaml (saved snapshots only): none. The default
    thresholds come from the config model, loaded only when host facts are compared."""

    expected: tuple = ()
    ignore: tuple = ()
    components: dict = {}

    @property
    def thresholds(self) -> Any:
        from driftctl.config import Thresholds

        return Thresholds.model_validate({})


def _family_rows(family: object, view: View) -> list[Entry]:
    """One family's rows; a snapshot whose collector data has the wrong shape (a hand-edited or
    truncated file) is one line naming the family, not a crash. The traceback goes to the log."""
    try:
        return list(family.rows(view))  # type: ignore[attr-defined]
    except (AttributeError, TypeError, KeyError, ValueError, IndexError) as exc:
        import logging

        from driftctl.errors import SnapshotError

        name = getattr(family, "__name__", "differ").rsplit(".", 1)[-1]
        logging.getLogger(__name__).error("comparing %s failed", name, exc_info=exc)
        raise SnapshotError(
            f"cannot compare {name}: a snapshot holds {name} data of an unexpected shape "
            f"({type(exc).__name__}); re-run `driftctl snapshot`"
        ) from None


def _named_rows(entries: list[Entry], patterns: list[str], dropped: set[str]) -> list[Entry]:
    """In-sync groups stay counts unless a rule names one of their rows (ignored or folded): those
    groups become rows, so the rules treat them exactly like any other row."""
    if not patterns and not dropped:
        return entries
    named = compile_patterns(patterns)
    out: list[Entry] = []
    for e in entries:
        if isinstance(e, InSync) and any(c in dropped or named(c) for c in e.ids()):
            out.extend(e.build())
        else:
            out.append(e)
    return out
