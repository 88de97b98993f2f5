"""What every exchange provider shares: result types, errors, and one guarded GET.

Why: the incident's "working" provider copies existed because each provider grew its
own ad-hoc HTTP handling. Here there is one way to call an exchange - bounded by a
timeout, with every failure turned into a :class:`ProviderError` that names the
exchange - so a provider module only knows its endpoints and response shapes.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
from symbols import Symbol


class ProviderError(Exception):
    """One exchange could not answer; ``str()`` is safe to show to a user."""

    status = "error"

    def __init__(self, exchange: str, message: str) -> None:
        super().__init__(f"{exchange}: {message}")
        self.exchange = exchange
        self.message = message


class ProviderTimeout(ProviderError):
    """The exchange did not answer within the provider timeout."""

    status = "timeout"


class ProviderUnsupported(ProviderError):
    """The exchange does not publish this figure."""

    status = "unsupported"


@dataclass(frozen=True)
class OpenInterest:
    """Open interest on one exchange, in its own contracts and normalised to coins and USD."""

    contracts: float
    contract_size: float
    base_amount: float
    usd: float
    mark_price: float

    def as_dict(self) -> dict[str, float]:
        return {
            "oi_contracts": self.contracts,
            "contract_size": self.contract_size,
            "oi_base": self.base_amount,
            "oi_usd": self.usd,
            "mark_price": self.mark_price,
        }


@dataclass(frozen=True)
class PriceQuote:
    """Last traded price and mark price of one contract."""

    last_price: float
    mark_price: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class LongShortRatio:
    """Share of accounts long vs short, as the exchange publishes it."""

    long_short_ratio: float
    long_account: float
    short_account: float
    period: str

    def as_dict(self) -> dict[str, float | str]:
        return asdict(self)


class BaseProvider:
    """One exchange's public REST API. Subclasses set ``name``/``display_name`` and the calls."""

    name = "base"
    display_name = "Base"

    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout: float = 5.0) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def get_open_interest(self, symbol: Symbol) -> OpenInterest:
        raise ProviderUnsupported(self.display_name, "open interest is not available")

    async def get_price(self, symbol: Symbol) -> PriceQuote:
        raise ProviderUnsupported(self.display_name, "prices are not available")

    async def get_long_short_ratio(self, symbol: Symbol) -> LongShortRatio:
        raise ProviderUnsupported(self.display_name, "the exchange does not publish a long/short account ratio")

    async def _get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET ``base_url + path``; return the decoded JSON or raise a ProviderError."""
        url = f"{self.base_url}{path}"
        try:
            async with self._session.get(
                url, params=params, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response:
                body = await response.read()
                if response.status >= 400:
                    raise ProviderError(self.display_name, f"HTTP {response.status} from {path}: {_error_text(body)}")
        except asyncio.TimeoutError:
            raise ProviderTimeout(self.display_name, f"no answer within {self.timeout:g}s") from None
        except aiohttp.ClientError as exc:
            raise ProviderError(self.display_name, f"request to {path} failed: {type(exc).__name__}: {exc}") from None
        try:
            return json.loads(body)
        except ValueError:
            raise ProviderError(self.display_name, f"{path} did not return JSON") from None

    def _shape_error(self, path: str, exc: Exception) -> ProviderError:
        """Wrap a parsing failure: the exchange changed its response or sent an error body."""
        return ProviderError(self.display_name, f"unexpected response from {path}: {type(exc).__name__}: {exc}")


def _error_text(body: bytes) -> str:
    """The exchange's own error message if it sent one (all three use JSON), else the start of the body."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:120].decode("utf-8", "replace").strip() or "(empty body)"
    if isinstance(data, dict):
        for key in ("msg", "message", "label", "detail"):
            if data.get(key):
                return str(data[key])
    return json.dumps(data)[:120]


def to_float(value: Any) -> float:
    """Exchanges send numbers as strings; refuse missing values instead of guessing 0."""
    if value is None or value == "":
        raise ValueError("missing number")
    return float(value)
