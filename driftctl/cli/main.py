"""Entry point: runs the typer app and maps errors to one line and an exit code (after pre-commit).

- DriftctlError  -> its message (one line per problem) and its exit code (2 config/usage, 3 incomplete)
- KeyboardInterrupt -> 130
- anything else  -> one line, the traceback in reports/driftctl.log, exit 4
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer

from driftctl.cli.app import register_commands
from driftctl.errors import DriftctlError, ExitCode


def _is_usage_error(exc: Exception) -> bool:
    """Click's own errors (bad option, missing argument), whichever click typer bundles."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


_COMMANDS: dict[str | None, Any] = {}


def click_command() -> Any:
    """The click command typer builds from the app (about 4 ms of CPU), built once per process: a process
    that runs many commands (a test harness, a fork server) builds it once. While building it, typer reads
    one variable (shell detection for --install-completion): one command per value of it."""
    import typer.main

    key = os.environ.get("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION")
    if key not in _COMMANDS:
        _COMMANDS[key] = typer.main.get_command(register_commands())
    return _COMMANDS[key]


def run() -> None:
    """The console script's and `python -m driftctl`'s entry point: `main()`, then an exit that skips
    the interpreter's teardown once the output is flushed (driftctl/process_exit.py)."""
    from driftctl import process_exit

    process_exit.run(main)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with a well-defined code; never show a traceback for expected failures."""
    from driftctl import settings
    from driftctl.cli import logs
    from driftctl.cli.logs import log_unexpected, scrub
    from driftctl.terminal import reset_terminal, terminal

    settings.reset()
    reset_terminal()
    logs.configure()
    try:
        code = click_command().main(args=argv, prog_name="driftctl", standalone_mode=False)
    except DriftctlError as exc:
        terminal().error(scrub(exc.message))
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        terminal().error("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except SystemExit:
        raise
    except (RecursionError, MemoryError) as exc:  # hostile input that slipped past the limits: one line
        log_unexpected(exc)
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
        where = log_unexpected(exc)
        hint = f" (details in {where})" if where else ""
        from driftctl.limits import one_line

        terminal().error(one_line(scrub(f"unexpected {type(exc).__name__}: {exc}{hint}")))
        sys.exit(int(ExitCode.UNEXPECTED))
    if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C inside a command into exit 130
        terminal().error("interrupted")
    sys.exit(int(code or 0))
