"""Gate.io USDT-margined perpetuals (futures API v4).

Endpoints (https://www.gate.io/docs/developers/apiv4/#futures):
``GET /futures/usdt/contracts/{contract}`` for ``quanto_multiplier`` (coins per contract),
``GET /futures/usdt/tickers?contract=`` for ``total_size`` (open interest in contracts),
``last`` and ``mark_price``, and ``GET /futures/usdt/contract_stats?contract=`` for
``lsr_account``. Gate.io counts open interest in contracts of 0.0001 BTC, so it must be
converted before it can be added to other exchanges' figures.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from provider_base import BaseProvider, LongShortRatio, OpenInterest, PriceQuote, ProviderError, to_float
from symbols import Symbol

CONTRACTS_PATH = "/futures/usdt/contracts/{contract}"
TICKERS_PATH = "/futures/usdt/tickers"
STATS_PATH = "/futures/usdt/contract_stats"


class GateIOOIProvider(BaseProvider):
    """Open interest, prices and long/short ratio from Gate.io."""

    name = "gateio"
    display_name = "Gate.io"

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout: float = 5.0) -> None:
        super().__init__(session, base_url, timeout)
        # The contract multiplier practically never changes; caching it halves the calls.
        self._multipliers: dict[str, float] = {}

    async def get_open_interest(self, symbol: Symbol) -> OpenInterest:
        multiplier, ticker = await asyncio.gather(self._multiplier(symbol), self._ticker(symbol))
        try:
            contracts = to_float(ticker["total_size"])
            mark = to_float(ticker["mark_price"])
        except (KeyError, TypeError, ValueError) as exc:
            raise self._shape_error(TICKERS_PATH, exc) from None
        base_amount = contracts * multiplier
        return OpenInterest(contracts, multiplier, base_amount, base_amount * mark, mark)

    async def get_price(self, symbol: Symbol) -> PriceQuote:
        ticker = await self._ticker(symbol)
        try:
            return PriceQuote(to_float(ticker["last"]), to_float(ticker["mark_price"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._shape_error(TICKERS_PATH, exc) from None

    async def get_long_short_ratio(self, symbol: Symbol) -> LongShortRatio:
        stats = await self._get_json(STATS_PATH, {"contract": symbol.underscored, "interval": "5m", "limit": "1"})
        try:
            ratio = to_float(stats[-1]["lsr_account"])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise self._shape_error(STATS_PATH, exc) from None
        return LongShortRatio(ratio, ratio / (1 + ratio), 1 / (1 + ratio), "5m")

    async def _multiplier(self, symbol: Symbol) -> float:
        contract = symbol.underscored
        if contract not in self._multipliers:
            path = CONTRACTS_PATH.format(contract=contract)
            data = await self._get_json(path)
            try:
                self._multipliers[contract] = to_float(data["quanto_multiplier"])
            except (KeyError, TypeError, ValueError) as exc:
                raise self._shape_error(path, exc) from None
        return self._multipliers[contract]

    async def _ticker(self, symbol: Symbol) -> dict[str, Any]:
        data = await self._get_json(TICKERS_PATH, {"contract": symbol.underscored})
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise ProviderError(self.display_name, f"no ticker for {symbol.underscored}")
        return data[0]
