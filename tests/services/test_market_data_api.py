"""market-data's HTTP API end to end on a loopback port, providers reading the stub exchanges."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from exchange_config import DEFAULT_BASE_URLS, ConfigError, ServiceConfig

from tests.services.harness import running_market_data
from tests.services.stub_exchanges import StubExchanges


async def _call(modes: dict[str, str], *requests: tuple[str, str, Any]) -> list[tuple[int, Any]]:
    async with StubExchanges() as stub, running_market_data(stub.base_urls, provider_timeout=0.5) as url:
        stub.modes.update(modes)
        answers = []
        async with aiohttp.ClientSession() as client:
            for method, path, body in requests:
                async with client.request(method, url + path, json=body) as response:
                    answers.append((response.status, await response.json()))
        return answers


def test_health_reports_environment_and_endpoints() -> None:
    [(status, body)] = asyncio.run(_call({}, ("GET", "/health", None)))
    assert status == 200 and body["status"] == "ok" and body["exchange_env"] == "testnet"
    assert set(body["providers"]) == {"binance", "gateio", "bitget"}


def test_multi_oi_returns_per_exchange_and_total() -> None:
    [(status, body)] = asyncio.run(_call({}, ("POST", "/multi_oi", {"symbol": "BTC-USDT"})))
    assert status == 200 and body["symbol"] == "BTC-USDT" and body["status"] == "ok"
    gate = body["exchanges"]["gateio"]
    assert gate["status"] == "ok" and gate["oi_contracts"] == 512345678 and gate["exchange"] == "Gate.io"
    assert body["total"]["oi_base"] == pytest.approx(173703.6948)
    assert body["total"]["base_asset"] == "BTC"


def test_multi_oi_with_one_exchange_down_is_partial() -> None:
    [(status, body)] = asyncio.run(_call({"bitget": "fail"}, ("POST", "/multi_oi", {"symbol": "btcusdt"})))
    assert status == 200 and body["status"] == "partial" and body["failed"] == ["bitget"]


def test_multi_oi_with_every_exchange_down_is_502_with_reasons() -> None:
    modes = {"gateio": "fail", "bitget": "fail", "binance": "fail"}
    [(status, body)] = asyncio.run(_call(modes, ("POST", "/multi_oi", {"symbol": "BTC-USDT"})))
    assert status == 502 and body["status"] == "unavailable" and len(body["failed"]) == 3


def test_price_and_ls_ratio() -> None:
    (s1, price), (s2, ls) = asyncio.run(_call({}, ("GET", "/price/BTC-USDT", None), ("GET", "/ls_ratio/BTC-USDT", None)))
    assert s1 == 200 and price["exchanges"]["binance"]["last_price"] == 97003.10
    assert price["average_price"] == pytest.approx((97003.10 + 97001.2 + 97012.3) / 3)
    assert s2 == 200 and ls["exchanges"]["binance"]["long_short_ratio"] == 1.8519
    assert ls["exchanges"]["bitget"]["status"] == "unsupported" and ls["status"] == "ok"


@pytest.mark.parametrize(
    "method, path, body",
    [("POST", "/multi_oi", {"sym": "BTC"}), ("POST", "/multi_oi", {"symbol": "BTC-EUR"}), ("GET", "/price/BTC%20USDT", None)],
)
def test_bad_input_is_400_with_a_message(method: str, path: str, body: Any) -> None:
    [(status, answer)] = asyncio.run(_call({}, (method, path, body)))
    assert status == 400 and answer["error"]


def test_exchange_env_selects_endpoints_and_overrides_win() -> None:
    production = ServiceConfig.from_env({"EXCHANGE_ENV": "production"})
    assert production.base_urls == DEFAULT_BASE_URLS["production"]
    testnet = ServiceConfig.from_env({"GATEIO_BASE_URL": "http://127.0.0.1:1/gate/"})
    assert testnet.exchange_env == "testnet"
    assert testnet.base_urls["gateio"] == "http://127.0.0.1:1/gate"
    assert testnet.base_urls["binance"] == DEFAULT_BASE_URLS["testnet"]["binance"]
    with pytest.raises(ConfigError, match="EXCHANGE_ENV"):
        ServiceConfig.from_env({"EXCHANGE_ENV": "prod"})
