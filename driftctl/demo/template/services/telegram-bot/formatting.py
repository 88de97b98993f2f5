"""Turn market-data's JSON into messages people read on a phone.

Why plain text: figures, exchange names and error strings go straight into the message;
plain text needs no escaping, so an odd error message can never break delivery.
Every exchange gets one line, failures included, so a missing exchange is never silent.
"""

from __future__ import annotations

from typing import Any

STATUS_WORDS = {"error": "error", "timeout": "timed out", "unsupported": "not published"}


def group(value: float, decimals: int = 2) -> str:
    """Thousands-grouped number: 51234.5678 -> '51,234.57'."""
    return f"{value:,.{decimals}f}"


def usd(value: float) -> str:
    """Grouped whole dollars with a short form for big amounts: '$4,969,754,318 (≈$4.97B)'."""
    text = f"${value:,.0f}"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= size:
            return f"{text} (≈${value / size:.2f}{suffix})"
    return text


def price(value: float) -> str:
    """Enough decimals for both BTC and sub-cent coins."""
    if abs(value) >= 1000:
        return f"${value:,.2f}"
    if abs(value) >= 1:
        return f"${value:,.4f}"
    return f"${value:.8g}"


def _failure(entry: dict[str, Any]) -> str:
    word = STATUS_WORDS.get(entry.get("status", "error"), "error")
    reason = entry.get("error")
    if entry.get("status") == "unsupported" or not reason:
        return f"• {entry['exchange']}: {word}"
    return f"• {entry['exchange']}: unavailable ({word}: {reason})"


def _failed_line(data: dict[str, Any]) -> list[str]:
    names = [data["exchanges"][name]["exchange"] for name in data.get("failed", [])]
    return [f"⚠️ No answer from: {', '.join(names)}"] if names else []


def format_open_interest(data: dict[str, Any]) -> str:
    """Per-exchange open interest (coins, native contracts where they differ, USD) and the total."""
    total = data["total"]
    base = total.get("base_asset", "")
    lines = [f"📊 Open interest · {data['symbol']}", ""]
    entries = sorted(data["exchanges"].values(), key=lambda e: (e["status"] != "ok", -e.get("oi_usd", 0)))
    for entry in entries:
        if entry["status"] != "ok":
            lines.append(_failure(entry))
            continue
        contracts = ""
        if entry.get("contract_size", 1.0) != 1.0:
            contracts = f" ({group(entry['oi_contracts'], 0)} contracts)"
        lines.append(f"• {entry['exchange']}: {group(entry['oi_base'])} {base}{contracts} · {usd(entry['oi_usd'])}")
    lines.append("")
    if total["exchanges_ok"]:
        lines.append(
            f"Total ({total['exchanges_ok']}/{total['exchanges_total']} exchanges): "
            f"{group(total['oi_base'])} {base} · {usd(total['oi_usd'])}"
        )
    else:
        lines.append("No exchange answered, so there is no total.")
    return "\n".join(lines + _failed_line(data))


def format_price(data: dict[str, Any]) -> str:
    """Last and mark price per exchange, and their average."""
    lines = [f"💲 Price · {data['symbol']}", ""]
    for entry in data["exchanges"].values():
        if entry["status"] == "ok":
            lines.append(f"• {entry['exchange']}: {price(entry['last_price'])} (mark {price(entry['mark_price'])})")
        else:
            lines.append(_failure(entry))
    if data.get("average_price") is not None:
        lines += ["", f"Average: {price(data['average_price'])}"]
    return "\n".join(lines + _failed_line(data))


def format_long_short(data: dict[str, Any]) -> str:
    """Long/short account ratio per exchange with the long and short shares in percent."""
    lines = [f"⚖️ Long/short accounts · {data['symbol']}", ""]
    for entry in data["exchanges"].values():
        if entry["status"] == "ok":
            lines.append(
                f"• {entry['exchange']}: {entry['long_short_ratio']:.2f} "
                f"(long {entry['long_account'] * 100:.1f}% / short {entry['short_account'] * 100:.1f}%, {entry['period']})"
            )
        else:
            lines.append(_failure(entry))
    return "\n".join(lines + _failed_line(data))


def format_unavailable(reason: str) -> str:
    """What to say when market-data itself could not be asked."""
    return f"⚠️ No market data right now: {reason}. Please try again in a minute."


HELP_TEXT = "\n".join(
    [
        "Commands:",
        "/price SYMBOL – last and mark price per exchange",
        "/oi SYMBOL – open interest per exchange and in total",
        "/ls SYMBOL – long/short account ratio",
        "/help – this message",
        "",
        "SYMBOL is like BTC-USDT (BTCUSDT and BTC work too).",
    ]
)
