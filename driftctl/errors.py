"""The project's fatal errors and the exit codes they map to.

Every expected failure is a `DriftctlError`: the CLI prints its message as one line and exits with
its code. Anything else is a bug and gets the `UNEXPECTED` code plus a pointer to the log file.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    DRIFT = 1
    ERROR = 2
    INCOMPLETE = 3
    UNEXPECTED = 4
    INTERRUPTED = 130


class DriftctlError(Exception):
    """An expected failure with a message fit to show the user as one line."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message



class ConfigError(DriftctlError):
    """environments.yaml (or another input file) is missing, malformed or invalid."""


class UsageError(DriftctlError):
    """The command line asks for something that does not exist (unknown environment, bad option)."""


class TransportError(DriftctlError):
    """The target could not be reached or talked to (SSH refused, timeout, auth, host key).

    Distinct from a command that ran on the target and failed: that is a `CommandResult` with a
    non-zero exit status.
    """

    exit_code = ExitCode.INCOMPLETE


class HostKeyError(TransportError):
    """The SSH host key is unknown or changed; refused on purpose."""


class CollectorError(DriftctlError):
    """A collector could not produce its data; recorded in the snapshot, never fatal for the run."""

    exit_code = ExitCode.INCOMPLETE


class SnapshotError(DriftctlError):
    """A snapshot file is missing, unreadable or of a newer schema."""
