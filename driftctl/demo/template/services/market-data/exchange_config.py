"""Which exchange endpoints this process talks to, decided once from the environment.

Why a module of its own: the incident behind driftctl started with environments that
silently pointed at different APIs. Every URL the service uses is resolved here, from
``EXCHANGE_ENV`` (``testnet`` or ``production``) plus per-exchange overrides, and the
result is reported by ``GET /health`` so a drift check can see it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

EXCHANGE_ENVS = ("testnet", "production")

# Documented public REST hosts. Bitget has no separate public testnet host: its demo
# trading shares api.bitget.com, and public market data is the same in both.
DEFAULT_BASE_URLS: dict[str, dict[str, str]] = {
    "production": {
        "gateio": "https://api.gateio.ws/api/v4",
        "bitget": "https://api.bitget.com",
        "binance": "https://fapi.binance.com",
    },
    "testnet": {
        "gateio": "https://fx-api-testnet.gateio.ws/api/v4",
        "bitget": "https://api.bitget.com",
        "binance": "https://testnet.binancefuture.com",
    },
}

OVERRIDE_VARIABLES = {
    "gateio": "GATEIO_BASE_URL",
    "bitget": "BITGET_BASE_URL",
    "binance": "BINANCE_BASE_URL",
}


class ConfigError(ValueError):
    """The environment asks for something this service cannot do; the message says what."""


@dataclass(frozen=True)
class ServiceConfig:
    """Everything the service reads from the environment, validated."""

    exchange_env: str = "testnet"
    base_urls: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_BASE_URLS["testnet"]))
    provider_timeout: float = 5.0
    host: str = "0.0.0.0"
    port: int = 8001
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceConfig:
        """Build the config from ``env`` (default ``os.environ``); raise ConfigError on bad values."""
        env = os.environ if env is None else env
        exchange_env = env.get("EXCHANGE_ENV", "testnet").strip().lower() or "testnet"
        if exchange_env not in EXCHANGE_ENVS:
            raise ConfigError(f"EXCHANGE_ENV must be one of {', '.join(EXCHANGE_ENVS)}, got {exchange_env!r}")
        base_urls = dict(DEFAULT_BASE_URLS[exchange_env])
        for exchange, variable in OVERRIDE_VARIABLES.items():
            override = env.get(variable, "").strip()
            if override:
                if not override.startswith(("http://", "https://")):
                    raise ConfigError(f"{variable} must be an http(s) URL, got {override!r}")
                base_urls[exchange] = override.rstrip("/")
        return cls(
            exchange_env=exchange_env,
            base_urls=base_urls,
            provider_timeout=_positive_float(env, "PROVIDER_TIMEOUT_SECONDS", 5.0),
            host=env.get("HOST", "0.0.0.0"),
            port=int(_positive_float(env, "PORT", 8001)),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
        )


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value
