"""`driftctl compose config`: print a compose project resolved exactly as Docker Compose resolves it.

Two sources: local files (`-f`, `--env-file`, `--project-directory`, like `docker compose config`), or
the configured compose files of one environment read on its own host (`--env NAME`). Parsing and
rendering only; the resolution is `driftctl.api.compose_config`.
"""

from __future__ import annotations

import typer

from driftctl.cli.common import check_format
from driftctl.cli.options import examples

compose_app = typer.Typer(
    name="compose",
    help="Compose files resolved exactly as Docker Compose resolves them.",
    epilog=examples("driftctl compose config -f docker-compose.yml -f docker-compose.aws.yml",
                    "driftctl compose config --env aws --format yaml"),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the app."""
    app.add_typer(compose_app, name="compose")


@compose_app.command("config", epilog=examples(
    "driftctl compose config",
    "driftctl compose config -f docker-compose.yml -f docker-compose.aws.yml --format yaml",
    "driftctl compose config --env aws",
))
def config(
    file: list[str] | None = typer.Option(None, "--file", "-f", help="Compose file(s), merged in order."),
    env_file: list[str] | None = typer.Option(None, "--env-file", help="Env file(s) for interpolation."),
    project_directory: str | None = typer.Option(None, "--project-directory", help="Project directory."),
    project_name: str | None = typer.Option(None, "--project-name", "-p", help="Project name."),
    format: str = typer.Option("json", "--format", help="json | yaml"),
    env: str | None = typer.Option(None, "--env", help="Resolve this environment's compose files on its host."),
    show_secrets: bool = typer.Option(False, "--show-secrets", help="With --env: print secret values in clear "
                                      "(by default they are keyed fingerprints, as in snapshots)."),
) -> int:
    """Print the resolved model, like `docker compose config --format json`."""
    from driftctl import api
    from driftctl.terminal import terminal

    check_format(format, "json", "yaml")
    resolved = api.compose_config(file or [], env_files=env_file or [], project_directory=project_directory,
                                  project_name=project_name, environment=env, reveal_secrets=show_secrets)
    terminal().data(resolved.text(format))
    if resolved.masked:
        terminal().info(f"{resolved.masked} secret value(s) shown as keyed fingerprints; --show-secrets prints them")
    return 0
