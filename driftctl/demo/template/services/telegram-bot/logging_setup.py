"""Logging that cannot print the bot token.

Why: the token is part of every Bot API URL, and httpx logs each request URL at INFO,
so a default logging setup writes the token into ``docker logs``. httpx is turned down
to WARNING, and every record (message and traceback) passes a filter that masks the token.
"""

from __future__ import annotations

import logging

REDACTED = "<redacted-token>"


class RedactFilter(logging.Filter):
    """Replace each secret in the fully formatted message and traceback of a record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._clean(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


def configure_logging(level: str, secrets: list[str]) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact = RedactFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
