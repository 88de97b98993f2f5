"""The one small interface every transport implements (after pytest-testinfra's backends)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from driftctl import capabilities
from driftctl.models import Command, CommandResult
from driftctl.transport.waits import Call, Steps

if TYPE_CHECKING:
    from driftctl.collectors.base import CollectContext
    from driftctl.config import EnvironmentSpec

# open_stream(unix socket path on the target, timeout) -> a socket-like byte stream
StreamOpener = Callable[[str, float], Any]


class StreamRefused(Exception):
    """The target would not open a stream to one of its unix sockets (see SSHTransport.open_unix_stream)."""


class Transport(ABC):
    """Runs commands on one environment's host.

    `run_batch` is the unit of work: a whole round of collector commands goes to the target at once,
    so a remote snapshot costs a few round trips rather than one per fact.

    A transport also says what it reads, so callers never probe it with `getattr`: its
    `capabilities` (from its kind's row in driftctl.capabilities), and for a transport that reads a
    remote repository at a pinned revision its `url`, `ref` and `commit` (None otherwise). It builds
    the collectors' context from that (`collect_context`).
    """

    kind: str = "abstract"
    url: str | None = None  # the repository it reads, without credentials (git)
    ref: str | None = None  # the branch or tag it reads (git; known once open)
    commit: str | None = None  # the commit `ref` pointed to when it was opened: one revision per snapshot

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

    def open_steps(self) -> Steps[None]:
        """open() for the fleet scheduler (driftctl/scheduler.py): by default one blocking Call, which
        runs in a thread of its own; SSH yields its waits instead, so it needs no thread."""
        yield Call(self.open)

    def batch_steps(self, commands: Sequence[Command], timeout: float | None = None) -> Steps[list[CommandResult]]:
        """run_batch() for the fleet scheduler; see open_steps."""
        return (yield Call(lambda: self.run_batch(commands, timeout)))

    def close_steps(self) -> Steps[None]:
        """close() for the fleet scheduler; see open_steps."""
        yield Call(self.close)

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

    @property
    def capabilities(self) -> capabilities.Capabilities:
        """What this transport's environments can do (work tree, revision, shell, engine route)."""
        return capabilities.of(self.kind)

    def stream_opener(self) -> StreamOpener | None:
        """How to reach a unix socket on the target without starting a process there (an SSH host's
        Docker Engine API); None when this transport has no such route."""
        return None

    def collect_context(self, spec: EnvironmentSpec, own: tuple[str, ...] = ()) -> CollectContext:
        """Where the collectors look, as this transport declares it (open it first: a git transport
        knows its commit only then). `own` are driftctl's own files under the root (own_files.py)."""
        from driftctl.collectors.base import CollectContext

        return CollectContext(env_name=self.env_name, spec=spec, kind=self.kind, root=self.root,
                              commit=self.commit, ref=self.ref, url=self.url, own=own,
                              open_stream=self.stream_opener())

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
