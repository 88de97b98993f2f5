"""`driftctl diff ENV_A ENV_B [ENV...]`: the comparison matrix of two or more environments."""

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
    app.command("diff", epilog=examples(
        'driftctl diff local github',
        'driftctl diff local aws github --only critical',
        'driftctl diff local github --format plain | cut -f1,4',
        'driftctl diff --snapshot old.json --snapshot new.json --format json',
        'driftctl diff --group web    # a fleet: the majority value and the hosts that differ',
        'driftctl diff prod@7d prod --format html -o week.html',
    ))(diff)


def diff(
    environments: list[str] | None = typer.Argument(None, help="Environments to compare (two or more with --snapshot files).", autocompletion=complete_environments),
    cached: bool = CachedOption,
    snapshot: list[str] | None = SnapshotOption,
    format: str = FormatOption,
    output: str | None = OutputOption,
    only: str | None = typer.Option(None, "--only", help="critical | moderate (and worse) | drift (DRIFT rows only)."),
    show_in_sync: bool = typer.Option(False, "--show-in-sync", help="Also show rows that are in sync."),
    show_ignored: bool = ShowIgnoredOption,
    accept_new_host_key: bool = AcceptKeyOption,
    group: str | None = typer.Option(None, "--group", help="A `groups:` entry: its hosts as one majority column plus outliers."),
) -> int:
    """Compare environments: exit 0 in sync (or only expected differences), 1 drift, 2 error, 3 incomplete."""
    from driftctl import api
    from driftctl.checks import validate_options
    from driftctl.cli.output import emit
    from driftctl.terminal import terminal

    validate_options(format, only)
    result = api.diff(list(environments or []), snapshot_files=list(snapshot or []), cached=cached, group=group,
                      only=only, show_in_sync=show_in_sync, show_ignored=show_ignored, report=format == "html",
                      accept_new_host_key=accept_new_host_key, collecting=terminal().collecting)
    emit(result.document, format, output)
    return result.exit_code
