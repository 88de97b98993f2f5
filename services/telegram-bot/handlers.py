"""Telegram command handlers: parse the argument, ask market-data, reply with formatted text.

Why thin: all decisions about wording live in ``formatting`` and all network failure
handling in ``market_data_client``, so each handler is the same four steps.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from formatting import HELP_TEXT, format_long_short, format_open_interest, format_price, format_unavailable
from market_data_client import BadSymbol, MarketDataClient, MarketDataError
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

log = logging.getLogger("telegram-bot.handlers")

CLIENT_KEY = "market_data"
Fetch = Callable[[MarketDataClient, str], Awaitable[dict[str, Any]]]
Format = Callable[[dict[str, Any]], str]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, "👋 I report crypto futures data across exchanges.\n\n" + HELP_TEXT)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, HELP_TEXT)


def _market_command(command: str, fetch: Fetch, render: Format) -> Callable[..., Awaitable[None]]:
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not context.args:
            await _reply(update, f"Usage: /{command} SYMBOL, e.g. /{command} BTC-USDT")
            return
        client: MarketDataClient = context.application.bot_data[CLIENT_KEY]
        try:
            text = render(await fetch(client, context.args[0]))
        except BadSymbol as exc:
            text = f"❓ {exc}"
        except MarketDataError as exc:
            log.warning("/%s: %s", command, exc)
            text = format_unavailable(str(exc))
        await _reply(update, text)

    handler.__name__ = f"{command}_command"
    return handler


async def _reply(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


COMMANDS: dict[str, tuple[Callable[..., Awaitable[None]], str]] = {
    "start": (start, "Introduction"),
    "help": (help_command, "List the commands"),
    "price": (_market_command("price", MarketDataClient.price, format_price), "Price per exchange"),
    "oi": (_market_command("oi", MarketDataClient.open_interest, format_open_interest), "Open interest"),
    "ls": (_market_command("ls", MarketDataClient.long_short_ratio, format_long_short), "Long/short ratio"),
}


def register(application: Application) -> None:
    """Attach every command and an error handler that logs instead of crashing the bot."""
    for name, (callback, _) in COMMANDS.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_error_handler(_on_error)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update handling failed", exc_info=context.error)
