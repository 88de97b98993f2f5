"""Ask every exchange at once and answer with whatever came back.

Why: one slow or broken exchange must not take ``/oi`` down with it (in the incident a
single provider import error made the whole command fail). Each provider runs
concurrently under its own timeout; the answer lists every exchange with a status
(``ok``, ``error``, ``timeout``, ``unsupported``) and totals over those that answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiohttp
from binance_oi_provider import BinanceOIProvider
from bitget_oi_provider import BitgetOIProvider
from gateio_oi_provider import GateIOOIProvider
from provider_base import BaseProvider, ProviderError
from symbols import Symbol

PROVIDER_CLASSES: tuple[type[BaseProvider], ...] = (BinanceOIProvider, GateIOOIProvider, BitgetOIProvider)

Fetch = Callable[[BaseProvider], Awaitable[Any]]


def build_providers(
    session: aiohttp.ClientSession, base_urls: Mapping[str, str], timeout: float
) -> list[BaseProvider]:
    """One provider per exchange that has a base URL, sharing one HTTP session (one pool, less memory)."""
    return [cls(session, base_urls[cls.name], timeout) for cls in PROVIDER_CLASSES if cls.name in base_urls]


class UnifiedOIAggregator:
    """Fan a question out to all providers and collect per-exchange outcomes."""

    def __init__(self, providers: Sequence[BaseProvider]) -> None:
        self.providers = list(providers)

    async def open_interest(self, symbol: Symbol) -> dict[str, Any]:
        """Per-exchange open interest plus totals in coins and USD over the exchanges that answered."""
        exchanges = await self._gather(lambda p: p.get_open_interest(symbol))
        answered = [e for e in exchanges.values() if e["status"] == "ok"]
        total = {
            "base_asset": symbol.base,
            "oi_base": sum(e["oi_base"] for e in answered),
            "oi_usd": sum(e["oi_usd"] for e in answered),
            "exchanges_ok": len(answered),
            "exchanges_total": len(exchanges),
        }
        return self._envelope(symbol, exchanges) | {"total": total}

    async def prices(self, symbol: Symbol) -> dict[str, Any]:
        """Per-exchange last and mark price plus the mean last price."""
        exchanges = await self._gather(lambda p: p.get_price(symbol))
        lasts = [e["last_price"] for e in exchanges.values() if e["status"] == "ok"]
        average = sum(lasts) / len(lasts) if lasts else None
        return self._envelope(symbol, exchanges) | {"average_price": average}

    async def long_short_ratios(self, symbol: Symbol) -> dict[str, Any]:
        """Per-exchange long/short account ratio; exchanges without one say ``unsupported``."""
        return self._envelope(symbol, await self._gather(lambda p: p.get_long_short_ratio(symbol)))

    async def _gather(self, fetch: Fetch) -> dict[str, dict[str, Any]]:
        outcomes = await asyncio.gather(*(self._one(p, fetch) for p in self.providers))
        return {p.name: outcome for p, outcome in zip(self.providers, outcomes)}

    @staticmethod
    async def _one(provider: BaseProvider, fetch: Fetch) -> dict[str, Any]:
        head: dict[str, Any] = {"exchange": provider.display_name}
        try:
            result = await fetch(provider)
        except ProviderError as exc:
            return head | {"status": exc.status, "error": exc.message}
        except Exception as exc:  # a bug in one provider must not hide the others' answers
            return head | {"status": "error", "error": f"internal error: {type(exc).__name__}: {exc}"}
        return head | {"status": "ok"} | result.as_dict()

    @staticmethod
    def _envelope(symbol: Symbol, exchanges: dict[str, dict[str, Any]]) -> dict[str, Any]:
        failed = [name for name, e in exchanges.items() if e["status"] in ("error", "timeout")]
        ok = [name for name, e in exchanges.items() if e["status"] == "ok"]
        status = "ok" if not failed else ("partial" if ok else "unavailable")
        return {"symbol": symbol.canonical, "status": status, "exchanges": exchanges, "failed": failed}
