"""Leave a finished command without tearing the interpreter down.

A command's last step, after its output and log are complete, is the interpreter's own finalization:
freeing every module, object and thread state one by one. For driftctl, with paramiko, cryptography,
pydantic and rich loaded, that is some 40-60 ms of CPU per run that changes nothing anyone can see
(benchmarks/fleet.py: about a tenth of a 20-host snapshot's controller CPU). So the command-line entry
point (`run`) records its exit status, lets the interpreter do everything that matters at exit —
join the non-daemon threads, run the atexit callbacks (logging.shutdown, tempfile's finalizers, ...)
— and then ends the process from the last atexit callback with `os._exit`, after flushing stdout and
stderr as the interpreter would.

The callback is registered when the `driftctl` package is first imported (`arm`, from
`driftctl/__init__.py`), before the modules a command imports register theirs: atexit runs callbacks
in reverse order of registration, so it runs after them. It does nothing unless `run` set a status,
so a program that uses driftctl as a library exits as usual.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable

_status: int | None = None
_armed = False
FLUSH_FAILED = 120  # the interpreter's exit status when it cannot flush stdout at exit


def arm() -> None:
    """Register the exit callback once per process."""
    global _armed
    if not _armed:
        atexit.register(_leave_without_teardown)
        _armed = True


def run(main: Callable[[], object]) -> None:
    """Run `main` (which ends with SystemExit) as the process's entry point: the interpreter handles
    the exit as usual, and `_leave_without_teardown` ends the process once its atexit work is done."""
    global _status
    try:
        main()
    except SystemExit as exc:
        _status = exit_status(exc.code)  # the interpreter still prints a message code, as usual
        raise
    _status = 0


def exit_status(code: object) -> int:
    """The process exit status the interpreter makes of `SystemExit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


def _leave_without_teardown() -> None:
    status = _status
    if status is None:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # noqa: BLE001 - e.g. a reader that closed the pipe
            if stream is sys.stdout:
                status = FLUSH_FAILED
    os._exit(status)
