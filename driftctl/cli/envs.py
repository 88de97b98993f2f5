"""`driftctl envs`: list the configured environments."""

from __future__ import annotations

import typer

from driftctl.cli.common import ConfigOption, load


def register(app: typer.Typer) -> None:
    app.command("envs")(envs)


def envs(config: str | None = ConfigOption, format: str = typer.Option("table", "--format", help="table | json")) -> int:
    """List the environments declared in environments.yaml."""
    from driftctl.render.envs import envs_json, envs_table
    from driftctl.terminal import terminal

    cfg = load(config)
    if format == "json":
        terminal().data(envs_json(cfg))
    else:
        terminal().print(envs_table(cfg))
    return 0
