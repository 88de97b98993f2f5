"""The one small interface every transport implements (after pytest-testinfra's backends)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from driftctl.models import Command, CommandResult


class StreamRefused(Exception):
    """The target would not open a stream to one of its unix sockets (see SSHTransport.open_unix_stream)."""


class Transport(ABC):
    """Runs commands on one environment's host.

    `run_batch` is the unit of work: a whole round of collector commands goes to the target at once,
    so a remote snapshot costs a few round trips rather than one per fact.
    """

    kind: str = "abstract"

    def __init__(self, env_name: str, root: str, command_timeout: float = 60):
        self.env_name = env_name
        self.root = root  # absolute checkout path on the target
        self.command_timeout = command_timeout

    def open(self) -> None:
        """Connect or prepare; raise TransportError when the target cannot be reached."""
        return None

    @abstractmethod
    def run_batch(self, commands: Sequence[Command], timeout: float | None = None) -> list[CommandResult]:
        """Run every command (in order) and return one result each."""

    def run(self, command: Command, timeout: float | None = None) -> CommandResult:
        return self.run_batch([command], timeout)[0]

    def close(self) -> None:
        """Release connections; safe to call twice."""
        return None

    def abort(self) -> None:
        """Stop whatever runs now (Ctrl-C), from another thread; by default the same as close()."""
        self.close()

    def describe(self) -> str:
        return f"{self.kind}:{self.root}"

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
