"""`driftctl schema`: the JSON Schema of environments.yaml (for editors and CI validation)."""

from __future__ import annotations

import typer

from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("schema", epilog=examples(
        'driftctl schema > environments.schema.json',
        'driftctl schema diff --format json',
    ))(schema)


def schema(
    document: str = typer.Argument("config", help="config (environments.yaml) or diff (driftctl.diff/v1, with row evidence)"),
    format: str = typer.Option("json", "--format", help="json (the only format: a JSON Schema)."),
) -> int:
    """Print the JSON Schema of environments.yaml (default) or of the `driftctl.diff/v1` document."""
    import json

    from driftctl import api
    from driftctl.errors import UsageError
    from driftctl.terminal import terminal

    if format != "json":
        raise UsageError(f"unknown format {format!r}; schema is JSON only (--format json)")
    terminal().data(json.dumps(api.schema(document), indent=2))
    return 0
