"""Each provider against the stub exchanges: endpoint paths, symbol mapping, unit conversion, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
import pytest
from binance_oi_provider import BinanceOIProvider
from bitget_oi_provider import BitgetOIProvider
from gateio_oi_provider import GateIOOIProvider
from provider_base import BaseProvider, ProviderError, ProviderTimeout, ProviderUnsupported
from symbols import SymbolError, parse_symbol

from tests.services.stub_exchanges import StubExchanges, wait_for

T = TypeVar("T")
BTC = parse_symbol("BTC-USDT")


def run_with(cls: type[BaseProvider], scenario: Callable[[BaseProvider, StubExchanges], Awaitable[T]], timeout: float = 2.0) -> T:
    async def main() -> T:
        async with StubExchanges() as stub, aiohttp.ClientSession() as session:
            provider = cls(session, stub.base_urls[cls.name], timeout)
            return await scenario(provider, stub)

    return asyncio.run(main())


@pytest.mark.parametrize(
    "text, expected",
    [("BTC-USDT", "BTC-USDT"), ("btcusdt", "BTC-USDT"), ("BTC/USDT", "BTC-USDT"), ("eth_usdt", "ETH-USDT"), ("SOL", "SOL-USDT")],
)
def test_symbol_parsing_accepts_common_spellings(text: str, expected: str) -> None:
    symbol = parse_symbol(text)
    assert symbol.canonical == expected
    assert symbol.underscored == expected.replace("-", "_")
    assert symbol.joined == expected.replace("-", "")


@pytest.mark.parametrize("text", ["", "BTC-EUR", "BTC USDT", "BTC-USD", "$$$"])
def test_symbol_parsing_rejects_with_a_message(text: str) -> None:
    with pytest.raises(SymbolError):
        parse_symbol(text)


def test_gateio_converts_contracts_to_coins_and_usd() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        return await provider.get_open_interest(BTC), await provider.get_long_short_ratio(BTC), stub.requests

    oi, ls, requests = run_with(GateIOOIProvider, scenario)
    assert oi.contracts == 512345678 and oi.contract_size == 0.0001
    assert oi.base_amount == pytest.approx(51234.5678)
    assert oi.usd == pytest.approx(51234.5678 * 97000.1)
    assert ls.long_short_ratio == 1.25 and ls.long_account == pytest.approx(1.25 / 2.25)
    paths = {path for _, path, _ in requests}
    assert "/gateio/api/v4/futures/usdt/contracts/BTC_USDT" in paths
    assert ("gateio", "/gateio/api/v4/futures/usdt/tickers", {"contract": "BTC_USDT"}) in requests


def test_bitget_reads_open_interest_and_mark_price() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        return await provider.get_open_interest(BTC), await provider.get_price(BTC), stub.requests

    oi, price, requests = run_with(BitgetOIProvider, scenario)
    assert oi.base_amount == pytest.approx(41234.56) and oi.mark_price == 97010.5
    assert price.last_price == 97012.3
    assert all(query == {"symbol": "BTCUSDT", "productType": "USDT-FUTURES"} for _, _, query in requests)


def test_bitget_has_no_long_short_ratio() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        with pytest.raises(ProviderUnsupported):
            await provider.get_long_short_ratio(BTC)

    run_with(BitgetOIProvider, scenario)


def test_binance_open_interest_price_and_ratio() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        return await provider.get_open_interest(BTC), await provider.get_price(BTC), await provider.get_long_short_ratio(BTC)

    oi, price, ls = run_with(BinanceOIProvider, scenario)
    assert oi.base_amount == pytest.approx(81234.567) and oi.usd == pytest.approx(81234.567 * 97005.0)
    assert (price.last_price, price.mark_price) == (97003.10, 97005.0)
    assert (ls.long_short_ratio, ls.long_account, ls.short_account) == (1.8519, 0.6494, 0.3506)


def test_unknown_symbol_reports_the_exchange_message() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        with pytest.raises(ProviderError) as info:
            await provider.get_open_interest(parse_symbol("NOPE-USDT"))
        return str(info.value)

    message = run_with(BinanceOIProvider, scenario)
    assert message.startswith("Binance: HTTP 400") and "Invalid symbol." in message


def test_http_500_is_a_provider_error_naming_the_exchange() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        stub.modes["gateio"] = "fail"
        with pytest.raises(ProviderError) as info:
            await provider.get_price(BTC)
        return info.value

    error = run_with(GateIOOIProvider, scenario)
    assert error.status == "error" and str(error).startswith("Gate.io: HTTP 500")


def test_slow_exchange_times_out() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        stub.modes["bitget"] = "hold"
        with pytest.raises(ProviderTimeout) as info:
            await provider.get_price(BTC)
        await wait_for(stub.held)  # the request really reached the exchange and was held there
        return info.value

    error = run_with(BitgetOIProvider, scenario, timeout=0.3)
    assert error.status == "timeout" and "0.3s" in str(error)


def test_unreachable_exchange_is_a_provider_error() -> None:
    async def scenario(provider: BaseProvider, stub: StubExchanges):
        dead = BinanceOIProvider(provider._session, "http://127.0.0.1:9", 1.0)
        with pytest.raises(ProviderError) as info:
            await dead.get_open_interest(BTC)
        return str(info.value)

    assert run_with(BinanceOIProvider, scenario).startswith("Binance: request to /fapi/v1/openInterest failed")
