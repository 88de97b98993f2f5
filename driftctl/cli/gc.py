"""`driftctl gc --keep 30d`: delete saved snapshots older than the retention (the newest of each
environment and every latest.json stay)."""

from __future__ import annotations

import typer

from driftctl.cli.common import check_format
from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("gc", epilog=examples(
        "driftctl gc --keep 30d",
        "driftctl gc --dry-run          # with `retention: 30d` in environments.yaml",
        "driftctl gc --keep 7d --format json",
    ))(gc)


def gc(
    keep: str | None = typer.Option(None, "--keep", help="Keep snapshots this recent (30d, 12h); default: `retention:`."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted, delete nothing."),
    format: str = typer.Option("table", "--format", help="table | json (removed paths and the count kept)."),
) -> int:
    """Delete saved snapshots older than the retention; the newest of each environment stays."""
    import json

    from driftctl import api
    from driftctl.terminal import terminal

    check_format(format, "table", "json")
    result = api.gc(keep, dry_run=dry_run)
    term = terminal()
    if format == "json":
        term.data(json.dumps(result.to_json(), indent=2))
        return 0
    for path in result.removed:
        term.data(f"{'would delete' if dry_run else 'deleted'} {path}")
    term.info(f"{len(result.removed)} snapshot{'s' if len(result.removed) != 1 else ''} "
              f"{'to delete' if dry_run else 'deleted'}, {result.kept} kept")
    return 0
