"""The aggregator keeps answering when exchanges fail or hang, and says which ones did."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from symbols import parse_symbol
from unified_oi_aggregator import UnifiedOIAggregator, build_providers

from tests.services.stub_exchanges import StubExchanges, wait_for

BTC = parse_symbol("BTC-USDT")


async def _aggregate(modes: dict[str, str], timeout: float = 2.0) -> dict:
    async with StubExchanges() as stub, aiohttp.ClientSession() as session:
        stub.modes.update(modes)
        aggregator = UnifiedOIAggregator(build_providers(session, stub.base_urls, timeout))
        result = await aggregator.open_interest(BTC)
        if "hold" in modes.values():
            await wait_for(stub.held)
        return result


def test_all_exchanges_answer() -> None:
    result = asyncio.run(_aggregate({}))
    assert result["status"] == "ok" and result["failed"] == []
    assert set(result["exchanges"]) == {"binance", "gateio", "bitget"}
    assert result["total"]["oi_base"] == pytest.approx(81234.567 + 51234.5678 + 41234.56)
    expected_usd = 81234.567 * 97005.0 + 51234.5678 * 97000.1 + 41234.56 * 97010.5
    assert result["total"]["oi_usd"] == pytest.approx(expected_usd)
    assert result["total"]["exchanges_ok"] == 3


def test_one_failing_and_one_hanging_exchange_give_a_partial_answer() -> None:
    """How soon the answer comes (at most the timeout, concurrently) is measured by benchmarks/timeouts.py."""
    result = asyncio.run(_aggregate({"gateio": "fail", "bitget": "hold"}, timeout=0.3))
    assert result["status"] == "partial"
    assert result["failed"] == ["gateio", "bitget"]
    exchanges = result["exchanges"]
    assert exchanges["gateio"]["status"] == "error" and "HTTP 500" in exchanges["gateio"]["error"]
    assert exchanges["bitget"]["status"] == "timeout" and "0.3s" in exchanges["bitget"]["error"]
    assert exchanges["binance"]["status"] == "ok"
    assert result["total"]["oi_base"] == pytest.approx(81234.567)
    assert (result["total"]["exchanges_ok"], result["total"]["exchanges_total"]) == (1, 3)


def test_every_exchange_down_is_unavailable() -> None:
    result = asyncio.run(_aggregate({name: "fail" for name in ("gateio", "bitget", "binance")}))
    assert result["status"] == "unavailable" and result["total"]["oi_usd"] == 0
