"""`driftctl check [ENV...] [--baseline FILE]`: the CI gate (exit 0 ok, 1 drift, 2 error, 3 incomplete)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from driftctl.cli.common import AcceptKeyOption, complete_environments
from driftctl.cli.diff import CachedOption, FormatOption, OutputOption, ShowIgnoredOption, SnapshotOption
from driftctl.cli.options import examples

if TYPE_CHECKING:
    from driftctl.api import Delivery
    from driftctl.config import Config
    from driftctl.matrix import Matrix


def register(app: typer.Typer) -> None:
    app.command("check", epilog=examples(
        'driftctl check',
        'driftctl check local github --fail-on critical',
        'driftctl check --baseline reports/accepted.json --format github',
        'driftctl check --cached --format junit -o reports/drift.xml',
    ))(check)


def check(
    environments: list[str] | None = typer.Argument(None, help="Environments to check (default: all).", autocompletion=complete_environments),
    baseline: str | None = typer.Option(None, "--baseline", help="A saved snapshot or diff (JSON) to compare against."),
    fail_on: str = typer.Option("any", "--fail-on", help="critical | moderate | any (default: any non-EXPECTED difference)."),
    cached: bool = CachedOption,
    snapshot: list[str] | None = SnapshotOption,
    format: str = FormatOption,
    output: str | None = OutputOption,
    show_ignored: bool = ShowIgnoredOption,
    component: list[str] | None = typer.Option(
        None, "--component", help="Check only rows whose component matches this pattern (repeatable; fnmatch)."
    ),
    accept_new_host_key: bool = AcceptKeyOption,
    notify: bool = typer.Option(False, "--notify", help="Alert the `notify:` channels when findings changed since the last alert."),
) -> int:
    """Without a baseline, compare the environments with each other; with one, compare them against it."""
    from driftctl.checks import (
        accept_baseline,
        baseline_environments,
        check_against_snapshot,
        compare,
        load_rules_config,
        read_baseline,
        restrict,
        validate_options,
    )
    from driftctl.cli.diff import collect, emit
    from driftctl.errors import UsageError
    from driftctl.matrix import exit_code

    validate_options(format, None, fail_on)
    files = list(snapshot or [])
    kind, base = read_baseline(baseline) if baseline else ("", {})
    names = list(environments or []) or ([] if files else baseline_environments(kind, base))
    cfg = load_rules_config(None, need=not files or notify)
    if notify and (cfg is None or not cfg.notify):
        raise UsageError("--notify needs a `notify:` section in environments.yaml")
    if not names and not files and cfg is not None:
        names = list(cfg.environments)
    snapshots = collect(cfg, names, cached=cached, snapshot_files=files, accept_new_host_key=accept_new_host_key)
    rules = cfg.rules if cfg else None
    if kind == "snapshot":
        matrix = check_against_snapshot(snapshots, base, rules, show_ignored=show_ignored)
    else:
        if not snapshots:
            raise UsageError("nothing to check: name environments or give --snapshot files")
        matrix = compare(snapshots, rules, show_ignored=show_ignored)
        if kind == "diff":
            matrix = accept_baseline(matrix, base, baseline or "")
    matrix = restrict(matrix, list(component or []))
    doc = matrix.to_json()
    if format == "html":
        from driftctl.api import report_context

        doc.update(report_context(cfg, snapshots))
    emit(doc, format, output)
    if notify and cfg is not None:
        notify_changes(cfg, matrix)
    return exit_code(matrix, fail_on)


def notify_changes(cfg: Config, matrix: Matrix) -> None:
    """Send the `notify:` channels what changed; a failed delivery is one stderr line, never an exit code."""
    from driftctl.api import notify as send_notifications

    report_deliveries(send_notifications(cfg, matrix))


def report_deliveries(deliveries: list[Delivery], *, sent_lines: bool = True) -> None:
    """One stderr line per channel: not delivered (why), or sent (what changed). Shared with `watch`."""
    from driftctl.terminal import terminal

    term = terminal()
    for d in deliveries:
        if d.error:
            term.warning(f"notify {d.channel}: not delivered: {d.error}")
        elif d.sent and sent_lines:
            term.info(f"notify {d.channel}: sent ({len(d.changes.new)} new, {len(d.changes.resolved)} resolved, "
                      f"{len(d.changes.raised)} raised)")
