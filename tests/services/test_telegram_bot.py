"""The bot end to end: stub Telegram API -> bot -> market-data -> stub exchanges, all on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from bot_app import build_application
from bot_config import DEFAULT_MARKET_DATA_URL, BotConfig, ConfigError
from handlers import CLIENT_KEY

from tests.services.harness import running_market_data
from tests.services.stub_exchanges import StubExchanges, wait_for
from tests.services.stub_telegram import StubTelegram, command_update

BOT_DIR = Path(__file__).resolve().parents[2] / "services" / "telegram-bot"
TOKEN = "700001:TEST-secret-token-do-not-log"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def bot_env(**overrides: str) -> dict[str, str]:
    """The parent's environment minus proxies and bot settings, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES and not k.startswith(("BOT_", "WEBHOOK_"))}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env | {"NO_PROXY": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"} | overrides


@asynccontextmanager
async def running_bot(config: BotConfig) -> AsyncIterator[None]:
    """The same Application main.py builds, polled in this event loop."""
    application = build_application(config)
    async with application:
        await application.start()
        await application.updater.start_polling(timeout=1, allowed_updates=["message"])
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
    await application.bot_data[CLIENT_KEY].aclose()


async def ask_in_process(text: str, modes: dict[str, str] | None = None, market_data_down: bool = False) -> str:
    async with StubExchanges() as stub, running_market_data(stub.base_urls, provider_timeout=1.0) as market_url:
        stub.modes.update(modes or {})
        async with StubTelegram(TOKEN, [command_update(1, text)]) as telegram:
            url = "http://127.0.0.1:9" if market_data_down else market_url
            config = BotConfig(token=TOKEN, market_data_url=url, api_base_url=telegram.base_url, market_data_timeout=5)
            async with running_bot(config):
                await wait_for(telegram.message_sent, timeout=10)
            assert telegram.sent[0]["chat_id"] == "4242"
            return telegram.sent[0]["text"]


def test_oi_through_main_py_polling_end_to_end() -> None:
    """Run the real entry point as a process; /oi BTC-USDT comes back with per-exchange lines and total."""

    async def scenario() -> tuple[str, int, str]:
        async with StubExchanges() as stub, running_market_data(stub.base_urls) as market_url:
            async with StubTelegram(TOKEN, [command_update(1, "/oi BTC-USDT")]) as telegram:
                env = bot_env(
                    TELEGRAM_BOT_TOKEN=TOKEN,
                    TELEGRAM_API_BASE_URL=telegram.base_url,
                    MARKET_DATA_URL=market_url,
                    BOT_MODE="polling",
                    LOG_LEVEL="DEBUG",
                )
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "main.py", cwd=BOT_DIR, env=env,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                )
                output = b""
                try:
                    await wait_for(telegram.message_sent, timeout=20)
                finally:
                    if process.returncode is None:
                        process.terminate()
                    output, _ = await asyncio.wait_for(process.communicate(), 15)
                return telegram.sent[0]["text"], process.returncode, output.decode()

    text, returncode, output = asyncio.run(scenario())
    assert "Open interest · BTC-USDT" in text
    assert "• Binance: 81,234.57 BTC · $7,880,159,172 (≈$7.88B)" in text
    assert "• Gate.io: 51,234.57 BTC (512,345,678 contracts)" in text
    assert "• Bitget: 41,234.56 BTC" in text
    assert "Total (3/3 exchanges): 173,703.69 BTC · $16,850,102,655 (≈$16.85B)" in text
    assert "No answer from" not in text
    assert returncode == 0, output
    assert TOKEN not in output and "TEST-secret" not in output
    assert "getUpdates" in output or "polling" in output.lower()  # DEBUG logs were written, redacted


def test_oi_with_one_exchange_failing_names_it() -> None:
    text = asyncio.run(ask_in_process("/oi BTC-USDT", modes={"gateio": "fail"}))
    assert "• Gate.io: unavailable (error: HTTP 500" in text
    assert "Total (2/3 exchanges): 122,469.13 BTC" in text
    assert text.endswith("⚠️ No answer from: Gate.io")


def test_market_data_down_gives_a_clear_message() -> None:
    text = asyncio.run(ask_in_process("/oi BTC-USDT", market_data_down=True))
    assert text.startswith("⚠️ No market data right now: the market-data service is unreachable")


def test_price_and_ls_commands_and_bad_symbol() -> None:
    price = asyncio.run(ask_in_process("/price btcusdt"))
    assert "• Binance: $97,003.10 (mark $97,005.00)" in price and "Average: $97,005.53" in price
    ls = asyncio.run(ask_in_process("/ls BTC"))
    assert "• Binance: 1.85 (long 64.9% / short 35.1%, 5m)" in ls and "• Bitget: not published" in ls
    bad = asyncio.run(ask_in_process("/oi BTC-EUR"))
    assert bad.startswith("❓ only USDT-margined")


@pytest.mark.parametrize(
    "webhook",
    [
        {"WEBHOOK_URL": "http://bot.example.com/hook", "WEBHOOK_SECRET": "s3cret"},
        {"WEBHOOK_URL": "https://bot.example.com/hook"},
        {},
    ],
)
def test_webhook_without_https_and_secret_refuses_to_start(webhook: dict[str, str]) -> None:
    env = bot_env(TELEGRAM_BOT_TOKEN=TOKEN, BOT_MODE="webhook", **webhook)
    done = subprocess.run([sys.executable, "main.py"], cwd=BOT_DIR, env=env, capture_output=True, text=True, timeout=20)
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "BOT_MODE=polling" in lines[0] and "WEBHOOK_URL" in lines[0], done.stderr
    assert TOKEN not in done.stderr and "s3cret" not in done.stderr


def test_missing_token_refuses_to_start() -> None:
    done = subprocess.run([sys.executable, "main.py"], cwd=BOT_DIR, env=bot_env(), capture_output=True, text=True, timeout=20)
    assert done.returncode == 2 and done.stderr.strip() == (
        "telegram-bot: TELEGRAM_BOT_TOKEN is not set (put it in .env; it is never logged)"
    )


def test_config_defaults_and_secrets_stay_out_of_repr() -> None:
    config = BotConfig.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert config.mode == "polling" and config.market_data_url == DEFAULT_MARKET_DATA_URL == "http://market-data:8001"
    assert TOKEN not in repr(config)
    webhook = BotConfig.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_MODE": "webhook", "WEBHOOK_URL": "https://bot.example.com/tg/hook", "WEBHOOK_SECRET": "abc_DEF-1"}
    )
    assert webhook.webhook_path == "tg/hook" and "abc_DEF-1" not in repr(webhook)
    with pytest.raises(ConfigError, match="BOT_MODE"):
        BotConfig.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_MODE": "hybrid"})


def test_log_records_never_carry_the_token() -> None:
    import logging

    from logging_setup import REDACTED, RedactFilter

    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "HTTP Request: POST %s", (f"https://api.telegram.org/bot{TOKEN}/getMe",), None)
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/getUpdates")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    RedactFilter([TOKEN]).filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted and formatted.count(REDACTED) == 2
