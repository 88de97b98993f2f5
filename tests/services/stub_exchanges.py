"""Stand-in for the Gate.io, Bitget and Binance public REST APIs, on 127.0.0.1 only.

Serves the documented response shapes recorded in ``fixtures/*.json`` (each names its
source in ``_source``). Each exchange can be switched to ``fail`` (HTTP 500) or ``hold``
(the response waits on :attr:`StubExchanges.release`, so a provider timeout can be
exercised without sleeping). Also used by ``benchmarks/services_memory.py``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXCHANGES = ("gateio", "bitget", "binance")


def load_fixture(name: str) -> Any:
    """The recorded exchange response, without the ``_source`` note."""
    return json.loads((FIXTURES / name).read_text())["response"]


class StubExchanges:
    """One aiohttp server answering for all three exchanges under /gateio, /bitget, /binance."""

    def __init__(self) -> None:
        self.modes: dict[str, str] = {name: "ok" for name in EXCHANGES}
        self.release = asyncio.Event()
        self.held = asyncio.Event()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._runner: web.AppRunner | None = None
        self.root = ""

    @property
    def base_urls(self) -> dict[str, str]:
        return {
            "gateio": f"{self.root}/gateio/api/v4",
            "bitget": f"{self.root}/bitget",
            "binance": f"{self.root}/binance",
        }

    @property
    def env(self) -> dict[str, str]:
        """The override variables that point market-data at this stub."""
        urls = self.base_urls
        return {"GATEIO_BASE_URL": urls["gateio"], "BITGET_BASE_URL": urls["bitget"], "BINANCE_BASE_URL": urls["binance"]}

    async def __aenter__(self) -> StubExchanges:
        app = web.Application()
        gate = "/gateio/api/v4/futures/usdt"
        routes: list[tuple[str, str, Callable[[web.Request], Any]]] = [
            ("gateio", f"{gate}/contracts/{{contract}}", self._gate_contract),
            ("gateio", f"{gate}/tickers", _gate_query("gateio_tickers.json")),
            ("gateio", f"{gate}/contract_stats", _gate_query("gateio_contract_stats.json")),
            ("bitget", "/bitget/api/v2/mix/market/open-interest", _bitget("bitget_open_interest.json")),
            ("bitget", "/bitget/api/v2/mix/market/ticker", _bitget("bitget_ticker.json")),
            ("binance", "/binance/fapi/v1/openInterest", _binance("binance_open_interest.json")),
            ("binance", "/binance/fapi/v1/premiumIndex", _binance("binance_premium_index.json")),
            ("binance", "/binance/fapi/v1/ticker/price", _binance("binance_ticker_price.json")),
            ("binance", "/binance/futures/data/globalLongShortAccountRatio", _binance("binance_global_ls_ratio.json")),
        ]
        for exchange, path, answer in routes:
            app.router.add_get(path, self._guarded(exchange, answer))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.root = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release.set()  # let held handlers finish so the server can shut down
        if self._runner is not None:
            await self._runner.cleanup()

    def _guarded(
        self, exchange: str, answer: Callable[[web.Request], Any]
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            self.requests.append((exchange, request.path, dict(request.query)))
            mode = self.modes[exchange]
            if mode == "fail":
                return web.json_response({"message": "stub: internal server error"}, status=500)
            if mode == "hold":
                self.held.set()
                await self.release.wait()
            result = answer(request)
            return result if isinstance(result, web.StreamResponse) else web.json_response(result)

        return handler

    @staticmethod
    def _gate_contract(request: web.Request) -> Any:
        if request.match_info["contract"] != "BTC_USDT":
            return web.json_response({"label": "CONTRACT_NOT_FOUND", "message": "Contract not found"}, status=400)
        return load_fixture("gateio_contract.json")


def _gate_query(fixture: str) -> Callable[[web.Request], Any]:
    def answer(request: web.Request) -> Any:
        if request.query.get("contract") != "BTC_USDT":
            return web.json_response({"label": "CONTRACT_NOT_FOUND", "message": "Contract not found"}, status=400)
        return load_fixture(fixture)

    return answer


def _bitget(fixture: str) -> Callable[[web.Request], Any]:
    def answer(request: web.Request) -> Any:
        if request.query.get("symbol") != "BTCUSDT" or request.query.get("productType") != "USDT-FUTURES":
            body = {"code": "40034", "msg": "Parameter does not exist", "requestTime": 0, "data": None}
            return web.json_response(body, status=400)
        return load_fixture(fixture)

    return answer


def _binance(fixture: str) -> Callable[[web.Request], Any]:
    def answer(request: web.Request) -> Any:
        if request.query.get("symbol") != "BTCUSDT":
            return web.json_response(load_fixture("binance_invalid_symbol.json"), status=400)
        return load_fixture(fixture)

    return answer


async def wait_for(event: asyncio.Event, timeout: float = 5.0) -> None:
    """Wait for ``event`` or fail the test with a clear TimeoutError."""
    await asyncio.wait_for(event.wait(), timeout)
