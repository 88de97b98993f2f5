"""Global options, accepted before or after the command (`driftctl -c x.yaml diff a b` and
`driftctl diff a b -c x.yaml`), the way `gh`, `terraform` and `docker compose` accept theirs.

Every command function is wrapped by `with_globals`: its signature gains the global options (so each
`--help` lists them and typer parses them), and the wrapper stores their values in
`driftctl.settings` before calling the command, which then never sees them. The root callback takes
the same options for the "before the command" spelling. Only typer's public API is used.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import typer

ConfigGlobal = typer.Option(
    None, "--config", "-c", metavar="PATH",
    help="environments.yaml to use (default: $DRIFTCTL_CONFIG, then ./environments.yaml).",
)
ReportsDirGlobal = typer.Option(
    None, "--reports-dir", metavar="DIR",
    help="Where snapshots, plans and the log go (default: $DRIFTCTL_REPORTS_DIR, then reports/ next to the config).",
)
QuietGlobal = typer.Option(False, "--quiet", "-q", help="Only errors and warnings on stderr.")
VerboseGlobal = typer.Option(False, "--verbose", "-v", help="Debug log on stderr (it always goes to the log file).")
NoColorGlobal = typer.Option(False, "--no-color", help="No colours (also: NO_COLOR=1; FORCE_COLOR=1 forces them).")

GLOBALS: dict[str, tuple[Any, Any]] = {  # parameter name -> (annotation, typer option)
    "config": (str | None, ConfigGlobal),
    "reports_dir": (str | None, ReportsDirGlobal),
    "quiet": (bool, QuietGlobal),
    "verbose": (bool, VerboseGlobal),
    "no_color": (bool, NoColorGlobal),
}


def apply_globals(config: str | None = None, reports_dir: str | None = None, quiet: bool = False,
                  verbose: bool = False, no_color: bool = False) -> None:
    """Record what was given (a later spelling wins; a flag once set stays set) and refresh the
    terminal and logging so they follow it."""
    from driftctl import settings
    from driftctl.cli import logs
    from driftctl.terminal import reset_terminal

    s = settings.current
    if config:
        s.config = config
    if reports_dir:
        import os

        s.reports_dir = os.path.abspath(os.path.expanduser(reports_dir))
    s.quiet = s.quiet or quiet
    s.verbose = s.verbose or verbose
    s.no_color = s.no_color or no_color
    reset_terminal()
    logs.configure(verbose=s.verbose)
    if s.verbose:
        import logging

        logging.getLogger("driftctl").debug("config %s, reports %s, log %s", s.config or "(default)",
                                            s.reports_dir or "(default)", logs.log_path())


def with_globals(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` with the global options added to its signature; they are applied, then dropped."""
    sig = inspect.signature(func, eval_str=True)
    own = [p for p in sig.parameters.values() if p.name not in GLOBALS]
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=annotation)
             for name, (annotation, option) in GLOBALS.items()]
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + extra

    shared = {name for name in GLOBALS if name in sig.parameters}  # e.g. a command's own --quiet

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        apply_globals(**{name: kwargs[name] for name in GLOBALS if name in kwargs})
        for name in GLOBALS:
            if name not in shared:
                kwargs.pop(name, None)
        return func(**kwargs)

    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    if sig.return_annotation is not inspect.Signature.empty:
        wrapper.__annotations__["return"] = sig.return_annotation
    del wrapper.__wrapped__  # typer must read the new signature, not the original one
    return wrapper


def examples(*lines: str) -> str:
    """A help epilog of example command lines, kept verbatim by click (the \\b marker)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)
