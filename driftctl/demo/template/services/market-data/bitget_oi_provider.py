"""Bitget USDT-M perpetuals (mix API v2).

Endpoints (https://www.bitget.com/api-doc/contract/market/Get-Open-Interest and
.../Get-Ticker): ``GET /api/v2/mix/market/open-interest`` whose ``size`` is already in
coins, and ``GET /api/v2/mix/market/ticker`` for ``lastPr`` and ``markPrice``. Both
need ``productType=USDT-FUTURES``. Bitget wraps answers in ``{"code": "00000", "data": ...}``
and reports some errors with HTTP 200 and another code, so the code is checked too.
"""

from __future__ import annotations

import asyncio
from typing import Any

from provider_base import BaseProvider, OpenInterest, PriceQuote, ProviderError, to_float
from symbols import Symbol

OPEN_INTEREST_PATH = "/api/v2/mix/market/open-interest"
TICKER_PATH = "/api/v2/mix/market/ticker"
PRODUCT_TYPE = "USDT-FUTURES"


class BitgetOIProvider(BaseProvider):
    """Open interest and prices from Bitget (no public account long/short ratio used)."""

    name = "bitget"
    display_name = "Bitget"

    async def get_open_interest(self, symbol: Symbol) -> OpenInterest:
        oi_data, ticker = await asyncio.gather(self._data(OPEN_INTEREST_PATH, symbol), self._ticker(symbol))
        try:
            size = to_float(oi_data["openInterestList"][0]["size"])
            mark = to_float(ticker["markPrice"])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise self._shape_error(OPEN_INTEREST_PATH, exc) from None
        return OpenInterest(size, 1.0, size, size * mark, mark)

    async def get_price(self, symbol: Symbol) -> PriceQuote:
        ticker = await self._ticker(symbol)
        try:
            return PriceQuote(to_float(ticker["lastPr"]), to_float(ticker["markPrice"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise self._shape_error(TICKER_PATH, exc) from None

    async def _ticker(self, symbol: Symbol) -> dict[str, Any]:
        data = await self._data(TICKER_PATH, symbol)
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise ProviderError(self.display_name, f"no ticker for {symbol.joined}")
        return data[0]

    async def _data(self, path: str, symbol: Symbol) -> Any:
        body = await self._get_json(path, {"symbol": symbol.joined, "productType": PRODUCT_TYPE})
        if not isinstance(body, dict) or body.get("code") != "00000":
            message = body.get("msg") if isinstance(body, dict) else "not an object"
            raise ProviderError(self.display_name, f"{path} answered code {body.get('code') if isinstance(body, dict) else '?'}: {message}")
        return body.get("data")
