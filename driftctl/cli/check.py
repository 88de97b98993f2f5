"""`driftctl check [ENV...] [--baseline FILE]`: the CI gate (exit 0 ok, 1 drift, 2 error, 3 incomplete)."""

from __future__ import annotations

import typer

from driftctl.cli.common import (
    AcceptKeyOption,
    CachedOption,
    FormatOption,
    OutputOption,
    ShowIgnoredOption,
    SnapshotOption,
    complete_environments,
)
from driftctl.cli.options import examples


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
    from driftctl import api
    from driftctl.checks import validate_options
    from driftctl.cli.output import emit, report_deliveries
    from driftctl.terminal import terminal

    validate_options(format, None, fail_on)
    result = api.check(list(environments or []), baseline=baseline, fail_on=fail_on, snapshot_files=list(snapshot or []),
                       cached=cached, components=list(component or []), show_ignored=show_ignored, alert=notify,
                       report=format == "html", accept_new_host_key=accept_new_host_key,
                       collecting=terminal().collecting)
    emit(result.document, format, output)
    report_deliveries(result.deliveries)  # a failed delivery is one stderr line, never an exit code
    return result.exit_code
