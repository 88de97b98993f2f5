"""Start market-data in-process on an ephemeral loopback port, pointed at the stub exchanges."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from aiohttp import web
from exchange_config import ServiceConfig
from market_data_server import create_app


@asynccontextmanager
async def running_market_data(base_urls: Mapping[str, str], provider_timeout: float = 2.0) -> AsyncIterator[str]:
    """Yield the base URL of a market-data service whose providers read ``base_urls``."""
    config = ServiceConfig(
        exchange_env="testnet", base_urls=dict(base_urls), provider_timeout=provider_timeout, host="127.0.0.1", port=0
    )
    runner = web.AppRunner(create_app(config), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
