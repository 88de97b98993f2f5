"""`driftctl envs`: list the configured environments."""

from __future__ import annotations

import typer

from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("envs", epilog=examples(
        'driftctl envs',
        'driftctl -c ops/environments.yaml envs --format json',
    ))(envs)


def envs(format: str = typer.Option("table", "--format", help="table | json")) -> int:
    """List the environments declared in environments.yaml."""
    from driftctl import api
    from driftctl.render.envs import envs_json, envs_table
    from driftctl.terminal import terminal

    cfg = api.load()
    if format == "json":
        terminal().data(envs_json(cfg))
    else:
        terminal().print(envs_table(cfg))
    return 0
