"""What a collector is: the commands it needs, and pure functions that turn their output into data.

A collector's `collect(ctx)` is a generator. Each `yield` hands the runner a list of commands and
receives their results; the generator's return value is the collector's data. The runner runs the
commands of every collector of an environment together, one batch per round, so a whole snapshot
costs a few round trips. Parsing lives in module-level `parse_*` functions that take plain text and
are tested from recorded fixtures without any host.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from driftctl.capabilities import Capabilities, of
from driftctl.config import EnvironmentSpec
from driftctl.errors import CollectorError
from driftctl.models import Command, CommandResult

MAX_GIT_BLOB = 64 << 20
_Data = TypeVar("_Data")
# `CollectGen[GitData]`: yields command lists, receives their results, returns the collector's data
CollectGen = Generator[list[Command], list[CommandResult], _Data]


class Skipped(Exception):
    """Raised by a collector that does not apply here (reported as skipped, not as an error)."""


@dataclass(frozen=True)
class CollectContext:
    """Where a collector looks: the environment, its transport kind and its checkout root.

    For a `git` environment `root` is the local bare mirror and `commit` the pinned commit; files are
    read with `git show` instead of `cat`.
    """

    env_name: str
    spec: EnvironmentSpec
    kind: str
    root: str
    commit: str | None = None
    ref: str | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    own: tuple[str, ...] = ()  # driftctl's own files and folders, relative to root (see own_files.py)
    # The transport's way to reach a unix socket on the target without a process there (an SSH
    # host's Docker Engine API): open_stream(socket path, timeout) -> a socket-like stream.
    open_stream: Callable[[str, float], Any] | None = None

    @property
    def caps(self) -> Capabilities:
        """What this environment can do (ask this, never `kind`)."""
        return of(self.kind)

    def mine(self, rel: str) -> bool:
        """A path of driftctl's own (reports, config, log, state): never inventoried nor reported."""
        return any(rel == e or rel.startswith(e + "/") for e in self.own)

    def path(self, rel: str) -> str:
        return posixpath.normpath(posixpath.join(self.root, rel))

    def rel(self, path: str) -> str:
        return posixpath.relpath(path, self.root)

    def read_command(self, rel: str) -> Command:
        """The command that prints one file of the checkout (relative path)."""
        from driftctl.limits import read_file_command

        rel = posixpath.normpath(rel)
        if self.caps.revision:
            return Command(("git", "show", f"{self.commit}:{rel}"), cwd=self.root)
        # regular files inside the checkout only, at most `max_file_bytes` (see driftctl.limits)
        cmd = read_file_command(self.path(rel), self.root, self.spec.max_file_bytes)
        return Command(cmd.argv, label=f"read {self.path(rel)}")

    def git(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> Command:
        """A git command in the checkout. `--no-optional-locks` keeps `git status` from refreshing
        the target's index: a snapshot must not write a single byte there."""
        return Command(("git", "--no-optional-locks", *args), cwd=self.root, ok_codes=ok_codes)


def file_text(result: CommandResult) -> str | None:
    """Text of a file read with `read_command`, or None when it does not exist there.

    A file that is there but refused (outside the checkout, not a regular file, over the size cap)
    raises `FileRefused`, a CollectorError whose message says why in one line.
    """
    argv = result.command.argv
    if argv[:2] == ("sh", "-c") and len(argv) == 7 and argv[3] == "driftctl-read":
        from driftctl.limits import read_result

        data = read_result(result.stdout, result.exit_status, result.stderr, argv[4], int(argv[6]) - 1)
        return None if data is None else data.decode("utf-8", errors="replace")
    if result.ok:
        if len(result.stdout) > MAX_GIT_BLOB:
            from driftctl.limits import FileRefused

            raise FileRefused(result.command.argv[-1], f"larger than {MAX_GIT_BLOB} bytes")
        return result.stdout.decode("utf-8", errors="replace")
    err = result.error_text.lower()
    if "no such file" in err or "does not exist" in err or "exists on disk, but not in" in err:
        return None
    raise CollectorError(result.failure())


def require(result: CommandResult) -> str:
    if not result.ok:
        raise CollectorError(result.failure())
    return result.text


class Collector:
    """Base class: subclasses set `name`, `needs` (the capabilities it requires), `data_type` (the
    TypedDict of their data, defined in the collector's own module), and implement `collect`."""

    name: ClassVar[str] = ""
    data_type: ClassVar[type | None] = None
    needs: ClassVar[tuple[str, ...]] = ()  # e.g. ("shell",): runs only where every one is true
    # Keys of the data that change from one run to the next without anything having drifted;
    # they are left out of the snapshot's content fingerprint.
    volatile: ClassVar[frozenset[str]] = frozenset()

    def applies(self, caps: Capabilities) -> bool:
        return all(getattr(caps, need) for need in self.needs)

    def collect(self, ctx: CollectContext) -> CollectGen[Any]:  # pragma: no cover - interface
        raise NotImplementedError
        yield []
