"""`driftctl gc --keep 30d`: delete saved snapshots older than the retention (the newest of each
environment and every latest.json stay)."""

from __future__ import annotations

import typer

from driftctl.cli.common import ConfigOption


def register(app: typer.Typer) -> None:
    app.command("gc")(gc)


def gc(
    config: str | None = ConfigOption,
    keep: str | None = typer.Option(None, "--keep", help="Keep snapshots this recent (30d, 12h); default: `retention:`."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be deleted, delete nothing."),
) -> int:
    """Examples:
      driftctl gc --keep 30d
      driftctl gc --dry-run          # with `retention: 30d` in environments.yaml
    """
    from driftctl import api
    from driftctl.cli.common import load
    from driftctl.terminal import terminal

    result = api.gc(load(config), keep, dry_run=dry_run)
    term = terminal()
    for path in result.removed:
        term.data(f"{'would delete' if dry_run else 'deleted'} {path}")
    term.info(f"{len(result.removed)} snapshot{'s' if len(result.removed) != 1 else ''} "
              f"{'to delete' if dry_run else 'deleted'}, {result.kept} kept")
    return 0
