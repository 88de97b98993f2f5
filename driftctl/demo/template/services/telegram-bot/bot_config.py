"""The bot's settings, read from the environment and refused early when inconsistent.

Why strict: in the incident the bot was designed for webhooks, production had no HTTPS,
and someone forced polling by hand on the server (``command: python main.py``). Here the
mode is an explicit setting, and webhook mode without an https URL and a secret stops
at start-up with one line that says to use polling, instead of failing later.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

BOT_MODES = ("polling", "webhook")
DEFAULT_MARKET_DATA_URL = "http://market-data:8001"
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


class ConfigError(ValueError):
    """A one-line, secret-free explanation of what is wrong with the environment."""


@dataclass(frozen=True)
class BotConfig:
    """Validated bot settings. Secrets are kept out of ``repr`` so they cannot leak into logs."""

    token: str = field(repr=False)
    mode: str = "polling"
    market_data_url: str = DEFAULT_MARKET_DATA_URL
    market_data_timeout: float = 15.0
    api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    log_level: str = "INFO"

    @property
    def webhook_path(self) -> str:
        """The local path to serve, taken from WEBHOOK_URL so a reverse proxy can map it 1:1."""
        return urlparse(self.webhook_url or "").path.lstrip("/")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BotConfig:
        """Read ``env`` (default ``os.environ``); raise ConfigError with a one-line reason."""
        env = os.environ if env is None else env
        mode = env.get("BOT_MODE", "polling").strip().lower() or "polling"
        if mode not in BOT_MODES:
            raise ConfigError(f"BOT_MODE must be polling or webhook, got {mode!r}")
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set (put it in .env; it is never logged)")
        webhook_url = env.get("WEBHOOK_URL", "").strip() or None
        webhook_secret = env.get("WEBHOOK_SECRET", "").strip() or None
        if mode == "webhook":
            _check_webhook(webhook_url, webhook_secret)
        market_data_url = env.get("MARKET_DATA_URL", "").strip() or DEFAULT_MARKET_DATA_URL
        if not market_data_url.startswith(("http://", "https://")):
            raise ConfigError(f"MARKET_DATA_URL must be an http(s) URL, got {market_data_url!r}")
        return cls(
            token=token,
            mode=mode,
            market_data_url=market_data_url.rstrip("/"),
            market_data_timeout=float(env.get("MARKET_DATA_TIMEOUT_SECONDS", "") or 15.0),
            api_base_url=env.get("TELEGRAM_API_BASE_URL", "").strip() or None,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_listen=env.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
            webhook_port=int(env.get("WEBHOOK_PORT", "") or 8443),
            log_level=(env.get("LOG_LEVEL", "") or "INFO").upper(),
        )


def _check_webhook(url: str | None, secret: str | None) -> None:
    problems = []
    if not url or urlparse(url).scheme != "https" or not urlparse(url).hostname:
        problems.append("WEBHOOK_URL must be an https:// URL")
    if not secret or not _SECRET_TOKEN.match(secret):
        problems.append("WEBHOOK_SECRET must be set (1-256 of A-Z a-z 0-9 _ -)")
    if problems:
        raise ConfigError(
            "BOT_MODE=webhook needs an https WEBHOOK_URL and a WEBHOOK_SECRET, refusing to start "
            f"({'; '.join(problems)}). Without HTTPS, use BOT_MODE=polling."
        )
