"""Small frozen records passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Command:
    """One command to run on a target: an argument vector, never a shell string.

    `cwd` is an absolute directory on the target (or None for the login directory). `ok_codes` lists
    exit statuses that still count as success (e.g. `git diff --quiet` returns 1 on changes).
    Every `git` command runs through `driftctl.gitsafe` (see the transports), whoever builds it.
    """

    argv: tuple[str, ...]
    cwd: str | None = None
    ok_codes: tuple[int, ...] = (0,)
    env: tuple[tuple[str, str], ...] = ()  # extra variables for this command only (names are fixed strings)
    label: str | None = field(default=None, compare=False)  # shown instead of a long fixed script
    # A named condition (driftctl.transport.batch.SKIP_TESTS) under which the command's answer is
    # known without running it: exit 0, no output. An SSH batch tests it with builtins and starts no
    # process then; elsewhere the command simply runs (same answer).
    skip_when: str | None = None

    def display(self) -> str:
        """The command as a shell line for people, with credentials in URLs fingerprinted
        (it lands in snapshots and error messages)."""
        import shlex

        from driftctl.secrets import redact_url

        text = self.label or shlex.join(self.argv)
        return redact_url(f"cd {shlex.quote(self.cwd)} && {text}" if self.cwd else text)


@dataclass(frozen=True)
class CommandResult:
    """What a command did on a target. A command that ran and failed is a result, not an exception."""

    command: Command
    exit_status: int
    stdout: bytes = b""
    stderr: bytes = b""

    @property
    def ok(self) -> bool:
        return self.exit_status in self.command.ok_codes

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")

    @property
    def error_text(self) -> str:
        return self.stderr.decode("utf-8", errors="replace").strip()

    def failure(self) -> str:
        """A one-line description of why the command failed, for collector errors."""
        err = self.error_text.splitlines()
        reason = err[-1] if err else f"exit status {self.exit_status}"
        return f"`{self.command.display()}` failed: {reason}"


@dataclass
class CollectorOutcome:
    """One collector's result inside a snapshot: data, or an error, or a reason it was skipped."""

    status: str  # "ok" | "error" | "skipped"
    data: dict | None = None
    error: str | None = None
    duration_s: float = 0.0
    commands: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        out: dict = {"status": self.status, "duration_s": round(self.duration_s, 3)}
        if self.data is not None:
            out["data"] = self.data
        if self.error is not None:
            out["error"] = self.error
        if self.commands:
            out["commands"] = self.commands
        return out
