"""Build the python-telegram-bot Application and run it in the configured mode.

Why one builder for both modes: polling and webhook differ only in how updates arrive,
so the handlers, the market-data client and its lifecycle are set up once here and the
mode is a runtime choice (``BOT_MODE``), never a different file or a hand-edited command.
"""

from __future__ import annotations

import logging

from bot_config import BotConfig
from handlers import CLIENT_KEY, COMMANDS, register
from market_data_client import MarketDataClient
from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

log = logging.getLogger("telegram-bot")


def build_application(config: BotConfig) -> Application:
    """An Application with handlers registered and a market-data client in ``bot_data``."""
    builder: ApplicationBuilder = ApplicationBuilder().token(config.token)
    if config.api_base_url:
        builder = builder.base_url(config.api_base_url)
    application = builder.post_init(_post_init).post_shutdown(_post_shutdown).build()
    application.bot_data[CLIENT_KEY] = MarketDataClient(config.market_data_url, config.market_data_timeout)
    register(application)
    return application


async def _post_init(application: Application) -> None:
    try:
        await application.bot.set_my_commands([BotCommand(name, about) for name, (_, about) in COMMANDS.items()])
    except TelegramError as exc:  # the command menu is a nicety; never refuse to start over it
        log.warning("could not publish the command list: %s", exc)


async def _post_shutdown(application: Application) -> None:
    await application.bot_data[CLIENT_KEY].aclose()


def run(config: BotConfig) -> None:
    """Block running the bot until SIGINT/SIGTERM."""
    application = build_application(config)
    log.info("starting in %s mode, market-data at %s", config.mode, config.market_data_url)
    if config.mode == "webhook":
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path=config.webhook_path,
            webhook_url=config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=["message"],
        )
    else:
        application.run_polling(allowed_updates=["message"])
