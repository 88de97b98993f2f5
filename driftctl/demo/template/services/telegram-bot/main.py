"""telegram-bot entry point, the only one: ``python main.py``. ``BOT_MODE`` picks polling or webhook.

A bad environment ends the process with exit status 2 and one line on stderr, so
``docker compose logs`` shows the reason at a glance and a restart loop is obvious.
"""

from __future__ import annotations

import sys

from bot_app import run
from bot_config import BotConfig, ConfigError
from logging_setup import configure_logging


def main() -> int:
    try:
        config = BotConfig.from_env()
    except ConfigError as exc:
        print(f"telegram-bot: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.log_level, [config.token, config.webhook_secret or ""])
    run(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
