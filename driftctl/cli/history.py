"""`driftctl history [ENV...]`: per component, when it first diverged and every change since."""

from __future__ import annotations

import typer

from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("history", epilog=examples(
        "driftctl history --since 7d",
        "driftctl history aws local --component 'git.*' --format json",
    ))(history)


def history(
    environments: list[str] | None = typer.Argument(None, help="Environments to replay (default: all)."),
    component: list[str] | None = typer.Option(None, "--component", help="Only components matching this pattern (repeatable)."),
    since: str | None = typer.Option(None, "--since", help="Show changes from this date or duration ago (2026-11-01, 7d)."),
    format: str = typer.Option("table", "--format", help="table | json | html"),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the rendered history to this file."),
) -> int:
    """Replay the saved snapshots (`reports/snapshots/`) in time order; reads nothing live."""
    from driftctl import api
    from driftctl.cli.output import emit_text
    from driftctl.errors import UsageError
    from driftctl.render.history import render

    if format not in ("table", "json", "html"):
        raise UsageError(f"--format must be table, json or html (got {format!r})")
    result = api.history(list(environments or []), patterns=list(component or []), since=since)
    emit_text(render(result, format), format, output)
    return 0
