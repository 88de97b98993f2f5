"""The bot's client for the market-data service (``MARKET_DATA_URL``).

Why its own errors: the user must be told the difference between "market-data is down"
(nothing to show), "that symbol is wrong" (market-data said 400), and "some exchanges
failed" (a normal, partial answer that the formatter renders).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class MarketDataError(Exception):
    """market-data could not give an answer; ``str()`` is a user-facing sentence."""


class MarketDataUnavailable(MarketDataError):
    """market-data is unreachable, timed out, or answered with something unusable."""


class BadSymbol(MarketDataError):
    """market-data rejected the symbol (HTTP 400) and said why."""


class MarketDataClient:
    """Three calls, one pooled httpx client."""

    def __init__(self, base_url: str, timeout: float = 15.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        # trust_env=False: market-data is a sibling container; an HTTP(S)_PROXY meant for
        # reaching Telegram must not capture calls to it.
        self.base_url = base_url
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout, trust_env=False, transport=transport)

    async def open_interest(self, symbol: str) -> dict[str, Any]:
        return await self._request("POST", "/multi_oi", json={"symbol": symbol})

    async def price(self, symbol: str) -> dict[str, Any]:
        return await self._request("GET", f"/price/{quote(symbol, safe='')}")

    async def long_short_ratio(self, symbol: str) -> dict[str, Any]:
        return await self._request("GET", f"/ls_ratio/{quote(symbol, safe='')}")

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise MarketDataUnavailable("the market-data service did not answer in time") from None
        except httpx.HTTPError:
            raise MarketDataUnavailable("the market-data service is unreachable") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 400:
            message = body.get("error") if isinstance(body, dict) else None
            raise BadSymbol(message or "market-data rejected the request")
        # 502 still carries per-exchange reasons (every exchange failed), so it is rendered too.
        if response.status_code in (200, 502) and isinstance(body, dict) and "exchanges" in body:
            return body
        raise MarketDataUnavailable(f"the market-data service answered HTTP {response.status_code}")
