"""One object owns the rich Console and the ways driftctl speaks (after hatch's Terminal).

Data is printed with markup and emoji off, so a value such as `[red]` in a config is shown as is.
Messages go to stderr; data (tables, JSON, markdown) goes to stdout.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape


class Terminal:
    def __init__(self, *, quiet: bool = False, no_color: bool = False) -> None:
        self.quiet = quiet
        colour: dict[str, Any] = {"no_color": True} if no_color else {}
        self.out = Console(highlight=False, emoji=False, soft_wrap=False, **colour)
        if not self.out.is_terminal:  # a pipe or a file: never wrap, never cut (tables, plan commands)
            self.out = Console(highlight=False, emoji=False, soft_wrap=False, width=1_000_000, **colour)
        self.err = Console(stderr=True, highlight=False, emoji=False, soft_wrap=True, **colour)  # one problem, one line

    def error(self, message: str) -> None:
        for line in message.splitlines() or [""]:
            self.err.print(f"[bold red]error:[/] {escape(line)}")

    def warning(self, message: str) -> None:
        self.err.print(f"[yellow]warning:[/] {escape(message)}")

    def success(self, message: str) -> None:
        if self.quiet:
            return
        self.err.print(f"[green]{escape(message)}[/]")

    def info(self, message: str) -> None:
        if self.quiet:
            return
        self.err.print(escape(message))

    def data(self, text: str) -> None:
        """Raw text (JSON, markdown) to stdout, untouched by rich."""
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()

    def print(self, renderable: Any) -> None:
        self.out.print(renderable, markup=False)

    def status(self, message: str):
        return self.err.status(escape(message))

    @contextmanager
    def collecting(self, names: list[str]) -> Iterator[Callable[[str, str], None]]:
        """One live line per environment while they are collected concurrently; yields the
        `progress(environment, message)` callback the runner calls. Nothing is drawn when stderr
        is not a terminal (CI logs stay clean)."""
        if self.quiet or not self.err.is_terminal:
            yield lambda env, message: None
            return
        if len(names) > LIVE_LINES_MAX:
            yield from self._collecting_summary(names)
            return
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        progress = Progress(
            SpinnerColumn(), TextColumn("{task.fields[env]:<12}"), TextColumn("{task.description}"),
            TimeElapsedColumn(), console=self.err, transient=True,
        )
        tasks = {n: progress.add_task("waiting", env=n, total=None) for n in names}
        lock = threading.Lock()

        def update(env: str, message: str) -> None:
            with lock:
                if env in tasks:
                    progress.update(tasks[env], description=escape(message))

        with progress:
            yield update

    def _collecting_summary(self, names: list[str]) -> Iterator[Callable[[str, str], None]]:
        """A fleet: one summary line (done / failing / running) instead of a line per environment."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("collecting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                            TimeElapsedColumn(), console=self.err, transient=True)
        task = progress.add_task("", total=len(names))
        lock = threading.Lock()
        finished: set[str] = set()
        failing: set[str] = set()

        def update(env: str, message: str) -> None:
            with lock:
                if message.startswith(("done", "failed", "incomplete")) and env not in finished:
                    finished.add(env)
                    if not message.startswith("done"):
                        failing.add(env)
                    progress.update(task, completed=len(finished), description=f"{len(failing)} failing")

        with progress:
            yield update


LIVE_LINES_MAX = 20  # beyond this many environments, progress is one summary line


_terminal: Terminal | None = None


def terminal() -> Terminal:
    """The process's Terminal, following the global options (`-q`, `--no-color`) in force."""
    global _terminal
    if _terminal is None:
        from driftctl import settings

        _terminal = Terminal(quiet=settings.current.quiet, no_color=settings.current.no_color)
    return _terminal


def reset_terminal() -> None:
    """Forget the Terminal so the next call builds one with the current options."""
    global _terminal
    _terminal = None
