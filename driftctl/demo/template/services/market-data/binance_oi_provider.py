"""Binance USDⓈ-M futures.

Endpoints (https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api):
``GET /fapi/v1/openInterest`` (coins), ``GET /fapi/v1/premiumIndex`` (``markPrice``),
``GET /fapi/v1/ticker/price`` (last price) and
``GET /futures/data/globalLongShortAccountRatio`` (long/short account ratio; the futures
testnet does not serve ``/futures/data``, so on testnet that call fails and says so).
"""

from __future__ import annotations

import asyncio

from provider_base import BaseProvider, LongShortRatio, OpenInterest, PriceQuote, to_float
from symbols import Symbol

OPEN_INTEREST_PATH = "/fapi/v1/openInterest"
PREMIUM_INDEX_PATH = "/fapi/v1/premiumIndex"
TICKER_PRICE_PATH = "/fapi/v1/ticker/price"
LS_RATIO_PATH = "/futures/data/globalLongShortAccountRatio"


class BinanceOIProvider(BaseProvider):
    """Open interest, prices and global long/short account ratio from Binance."""

    name = "binance"
    display_name = "Binance"

    async def get_open_interest(self, symbol: Symbol) -> OpenInterest:
        params = {"symbol": symbol.joined}
        oi, premium = await asyncio.gather(
            self._get_json(OPEN_INTEREST_PATH, params), self._get_json(PREMIUM_INDEX_PATH, params)
        )
        try:
            amount = to_float(oi["openInterest"])
            mark = to_float(premium["markPrice"])
        except (KeyError, TypeError, ValueError) as exc:
            raise self._shape_error(OPEN_INTEREST_PATH, exc) from None
        return OpenInterest(amount, 1.0, amount, amount * mark, mark)

    async def get_price(self, symbol: Symbol) -> PriceQuote:
        params = {"symbol": symbol.joined}
        ticker, premium = await asyncio.gather(
            self._get_json(TICKER_PRICE_PATH, params), self._get_json(PREMIUM_INDEX_PATH, params)
        )
        try:
            return PriceQuote(to_float(ticker["price"]), to_float(premium["markPrice"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._shape_error(TICKER_PRICE_PATH, exc) from None

    async def get_long_short_ratio(self, symbol: Symbol) -> LongShortRatio:
        rows = await self._get_json(LS_RATIO_PATH, {"symbol": symbol.joined, "period": "5m", "limit": "1"})
        try:
            row = rows[-1]
            return LongShortRatio(
                to_float(row["longShortRatio"]), to_float(row["longAccount"]), to_float(row["shortAccount"]), "5m"
            )
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise self._shape_error(LS_RATIO_PATH, exc) from None
