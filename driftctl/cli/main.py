"""Entry point: builds the typer app and maps errors to one line and an exit code (after pre-commit).

- DriftctlError  -> its message (one line per problem) and its exit code (2 config/usage, 3 incomplete)
- KeyboardInterrupt -> 130
- anything else  -> one line, the traceback in reports/driftctl.log, exit 4
"""

from __future__ import annotations

import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

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
from driftctl.errors import DriftctlError, ExitCode

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


def _register() -> None:
    import importlib

    if app.registered_commands:
        return
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"driftctl.cli.{name}")
        module.register(app)
    for info in app.registered_commands + [c for g in app.registered_groups if g.typer_instance
                                           for c in g.typer_instance.registered_commands]:
        info.callback = with_globals(info.callback) if info.callback else None


def _is_usage_error(exc: Exception) -> bool:
    """Click's own errors (bad option, missing argument), whichever click typer bundles."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


def _log_unexpected(exc: BaseException) -> Path | None:
    from driftctl.cli.logs import log_path

    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(timezone.utc).isoformat()} driftctl {__version__} argv={sys.argv[1:]}\n")
            fh.write(_scrub("".join(traceback.format_exception(exc))))
        return path
    except OSError:
        return None


def _scrub(text: str) -> str:
    """Error text can quote a target's values (a URL, a command line): credentials become fingerprints."""
    from driftctl.secrets import scrub_text

    return scrub_text(text, thorough=False)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with a well-defined code; never show a traceback for expected failures."""
    from driftctl import settings
    from driftctl.cli import logs
    from driftctl.terminal import reset_terminal, terminal

    settings.reset()
    reset_terminal()
    logs.configure()
    _register()
    try:
        code = app(args=argv, prog_name="driftctl", standalone_mode=False)
    except DriftctlError as exc:
        terminal().error(_scrub(exc.message))
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        terminal().error("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except SystemExit:
        raise
    except (RecursionError, MemoryError) as exc:  # hostile input that slipped past the limits: one line
        _log_unexpected(exc)
        what = "input nested too deeply" if isinstance(exc, RecursionError) else "out of memory (input too large?)"
        terminal().error(what)
        sys.exit(int(ExitCode.ERROR))
    except typer.Abort:
        terminal().error("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(int(ExitCode.ERROR))
        where = _log_unexpected(exc)
        hint = f" (details in {where})" if where else ""
        from driftctl.limits import one_line

        terminal().error(one_line(_scrub(f"unexpected {type(exc).__name__}: {exc}{hint}")))
        sys.exit(int(ExitCode.UNEXPECTED))
    if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C inside a command into exit 130
        terminal().error("interrupted")
    sys.exit(int(code or 0))
