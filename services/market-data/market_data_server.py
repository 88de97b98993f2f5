"""market-data: the HTTP API the telegram bot calls (port 8001). Run: ``python market_data_server.py``.

Why one small aiohttp process: the production host is a t3.micro that was at 72 % memory
in the incident, so the service shares a single client session across providers, keeps
no history, and has aiohttp as its only dependency.

Routes: ``GET /health``, ``GET /price/{symbol}``, ``POST /multi_oi`` with
``{"symbol": "BTC-USDT"}``, ``GET /ls_ratio/{symbol}``. Partial answers are HTTP 200 with
``status: partial``; if no exchange answered the status is 502 and the body still says why.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from exchange_config import ConfigError, ServiceConfig
from symbols import Symbol, SymbolError, parse_symbol
from unified_oi_aggregator import UnifiedOIAggregator, build_providers

log = logging.getLogger("market-data")

CONFIG_KEY = web.AppKey("config", ServiceConfig)
AGGREGATOR_KEY = web.AppKey("aggregator", UnifiedOIAggregator)


def create_app(config: ServiceConfig) -> web.Application:
    """The aiohttp application; the exchange session lives exactly as long as the app."""
    app = web.Application(client_max_size=16 * 1024)
    app[CONFIG_KEY] = config
    app.cleanup_ctx.append(_exchange_session)
    app.router.add_get("/health", health)
    app.router.add_get("/price/{symbol}", price)
    app.router.add_post("/multi_oi", multi_oi)
    app.router.add_get("/ls_ratio/{symbol}", ls_ratio)
    return app


async def _exchange_session(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG_KEY]
    # A small pool is plenty for three exchanges and keeps sockets and buffers few.
    connector = aiohttp.TCPConnector(limit=30, ttl_dns_cache=300)
    async with aiohttp.ClientSession(connector=connector, headers={"User-Agent": "market-data/1.0"}) as session:
        app[AGGREGATOR_KEY] = UnifiedOIAggregator(build_providers(session, config.base_urls, config.provider_timeout))
        yield


async def health(request: web.Request) -> web.Response:
    """Liveness for the compose healthcheck; deliberately does not call the exchanges."""
    config = request.app[CONFIG_KEY]
    return web.json_response(
        {
            "status": "ok",
            "service": "market-data",
            "exchange_env": config.exchange_env,
            "providers": {p.name: p.base_url for p in request.app[AGGREGATOR_KEY].providers},
        }
    )


async def price(request: web.Request) -> web.Response:
    symbol = _symbol_or_400(request.match_info["symbol"])
    return _answer(await request.app[AGGREGATOR_KEY].prices(symbol))


async def multi_oi(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _bad_request('body must be JSON like {"symbol": "BTC-USDT"}') from None
    if not isinstance(body, dict) or not isinstance(body.get("symbol"), str):
        raise _bad_request('body must be JSON like {"symbol": "BTC-USDT"}')
    symbol = _symbol_or_400(body["symbol"])
    return _answer(await request.app[AGGREGATOR_KEY].open_interest(symbol))


async def ls_ratio(request: web.Request) -> web.Response:
    symbol = _symbol_or_400(request.match_info["symbol"])
    return _answer(await request.app[AGGREGATOR_KEY].long_short_ratios(symbol))


def _answer(result: dict[str, Any]) -> web.Response:
    for name, outcome in result["exchanges"].items():
        if outcome["status"] in ("error", "timeout"):
            log.warning("%s %s: %s", name, outcome["status"], outcome.get("error"))
    return web.json_response(result, status=502 if result["status"] == "unavailable" else 200)


def _symbol_or_400(text: str) -> Symbol:
    try:
        return parse_symbol(text)
    except SymbolError as exc:
        raise _bad_request(str(exc)) from None


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


def main() -> int:
    try:
        config = ServiceConfig.from_env()
    except ConfigError as exc:
        print(f"market-data: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.info("exchange_env=%s endpoints=%s", config.exchange_env, dict(config.base_urls))
    web.run_app(create_app(config), host=config.host, port=config.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
