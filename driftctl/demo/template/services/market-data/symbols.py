"""Parse the symbols people type (``BTC-USDT``, ``btcusdt``, ``BTC/USDT``, ``BTC``) once.

Why: each exchange spells a contract differently (Gate.io ``BTC_USDT``, Bitget and
Binance ``BTCUSDT``). Providers receive a parsed :class:`Symbol` and map it themselves,
so a typo is rejected with one clear message before any exchange is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUPPORTED_QUOTES = ("USDT",)
_KNOWN_QUOTES = ("USDT", "USDC", "USD")
_SEPARATED = re.compile(r"^([A-Z0-9]{1,20})[-_/]([A-Z]{3,5})$")
_BARE = re.compile(r"^[A-Z0-9]{1,20}$")


class SymbolError(ValueError):
    """The text is not a symbol this service can look up."""


@dataclass(frozen=True)
class Symbol:
    """A USDT-margined perpetual: ``base`` coin quoted in ``quote``."""

    base: str
    quote: str

    @property
    def canonical(self) -> str:
        """The form the service answers with, e.g. ``BTC-USDT``."""
        return f"{self.base}-{self.quote}"

    @property
    def joined(self) -> str:
        """Binance/Bitget spelling, e.g. ``BTCUSDT``."""
        return f"{self.base}{self.quote}"

    @property
    def underscored(self) -> str:
        """Gate.io spelling, e.g. ``BTC_USDT``."""
        return f"{self.base}_{self.quote}"


def parse_symbol(text: str) -> Symbol:
    """Return the Symbol for ``text`` or raise SymbolError saying what is accepted."""
    cleaned = (text or "").strip().upper()
    match = _SEPARATED.match(cleaned)
    if match:
        base, quote = match.groups()
    elif _BARE.match(cleaned):
        base, quote = _split_bare(cleaned)
    else:
        raise SymbolError(f"not a symbol: {text!r} (try BTC-USDT)")
    if quote not in SUPPORTED_QUOTES:
        raise SymbolError(f"only USDT-margined contracts are supported, got {base}-{quote}")
    if not base or base == quote:
        raise SymbolError(f"not a symbol: {text!r} (try BTC-USDT)")
    return Symbol(base=base, quote=quote)


def _split_bare(cleaned: str) -> tuple[str, str]:
    for quote in _KNOWN_QUOTES:
        if cleaned.endswith(quote) and len(cleaned) > len(quote):
            return cleaned[: -len(quote)], quote
    return cleaned, "USDT"
