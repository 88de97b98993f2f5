"""The typer application: the root options, and the command modules that register themselves."""

from __future__ import annotations

import typer

from driftctl import __version__
from driftctl.cli.options import (
    ConfigGlobal,
    NoColorGlobal,
    QuietGlobal,
    ReportsDirGlobal,
    VerboseGlobal,
    apply_globals,
    examples,
    with_globals,
)

app = typer.Typer(
    name="driftctl",
    help="Find and repair drift between a compose deployment's environments (local, git remote, SSH hosts).",
    no_args_is_help=True,
    add_completion=True,
    epilog=examples(
        "driftctl init                      # write environments.yaml for this checkout",
        "driftctl snapshot                  # collect every environment (read-only)",
        "driftctl diff local github         # the comparison matrix",
        "driftctl -c ops/envs.yaml check --fail-on critical",
        "driftctl diff local aws --format plain | cut -f1   # tab-separated, for scripts",
    ),
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each command module registers itself; the list is the CLI's table of contents.
COMMAND_MODULES = (
    "init", "envs", "snapshot", "diff", "check", "plan", "rescue", "apply", "compose", "schema", "demo", "history",
    "watch", "gc", "backup", "scan",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"driftctl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    config: str | None = ConfigGlobal,
    reports_dir: str | None = ReportsDirGlobal,
    quiet: bool = QuietGlobal,
    verbose: bool = VerboseGlobal,
    no_color: bool = NoColorGlobal,
) -> None:
    """driftctl: snapshot environments, diff them, plan and apply safe repairs.

    Global options (-c, --reports-dir, -q, -v, --no-color) work before or after the command.
    """
    apply_globals(config=config, reports_dir=reports_dir, quiet=quiet, verbose=verbose, no_color=no_color)


def register_commands() -> typer.Typer:
    """Import the command modules (once) and give every command the global options."""
    import importlib

    if not app.registered_commands:
        for name in COMMAND_MODULES:
            importlib.import_module(f"driftctl.cli.{name}").register(app)
        for info in commands():
            info.callback = with_globals(info.callback) if info.callback else None
    return app


def commands() -> list[typer.models.CommandInfo]:
    """Every registered command, those of sub-apps (`compose config`) included."""
    return app.registered_commands + [c for g in app.registered_groups if g.typer_instance
                                      for c in g.typer_instance.registered_commands]
