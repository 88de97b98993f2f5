"""Where library chatter goes: the log file, never the terminal (unless `-v`).

Without a handler, Python prints any library's warnings and errors to stderr (the "last resort"
handler): that is how paramiko's 20-line banner traceback used to land in the middle of the live
display. Here the root logger gets a file handler (`reports/driftctl.log`, or `$DRIFTCTL_LOG`),
Python warnings and uncaught thread exceptions are routed into it, and `-v` adds a debug handler
on stderr. The file is opened only when something is logged.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from driftctl.settings import log_path

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_handlers: list[logging.Handler] = []


class _QuietFileHandler(logging.FileHandler):
    """A log file that is created on the first record and never complains on the terminal."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """A log that cannot be written must not print `--- Logging error ---` on the terminal."""


def _thread_exception(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("driftctl.thread").error(
        "uncaught exception in thread %s", getattr(args.thread, "name", "?"),
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
    )


def configure(*, verbose: bool = False) -> None:
    """Idempotent: replace driftctl's handlers on the root logger with the current choice."""
    root = logging.getLogger()
    for handler in _handlers:
        root.removeHandler(handler)
        handler.close()
    _handlers.clear()
    file_handler = _QuietFileHandler(log_path())
    file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    _handlers.append(file_handler)
    if verbose:
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setLevel(logging.DEBUG)
        stderr.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        _handlers.append(stderr)
    for handler in _handlers:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.captureWarnings(True)
    threading.excepthook = _thread_exception


def log_unexpected(exc: BaseException) -> Path | None:
    """The traceback of an unexpected error, into the log file (credentials scrubbed); its path."""
    import traceback
    from datetime import datetime, timezone

    from driftctl import __version__

    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(timezone.utc).isoformat()} driftctl {__version__} argv={sys.argv[1:]}\n")
            fh.write(scrub("".join(traceback.format_exception(exc))))
        return path
    except OSError:
        return None


def scrub(text: str) -> str:
    """Error text can quote a target's values (a URL, a command line): credentials become fingerprints."""
    from driftctl.secrets import scrub_text

    return scrub_text(text, thorough=False)
