"""The seed incident as data: the history of the repository and what was done by hand on the server.

Why data and not a script: the sandbox builder turns this into one `git fast-import` stream (fast,
and the commit hashes are the same on every machine), and the tests read the same data to check the
branch layout. Every edit is small and real: it changes the bundled services' code the way the
commit message says. `Replace` edits fail loudly when their anchor text is gone, so a change to the
bundled services that breaks the story is caught by the demo's tests, not by a user.

The bundled compose files at the repository root are the *fixed* design (one base file plus one
override per environment, no `container_name`); the demo rebuilds the state *before* the fix, so
its compose files are written here instead of copied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Tree = dict[str, bytes]


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    def line(self, epoch: int) -> str:
        return f"{self.name} <{self.email}> {epoch} +0000"


DEV = Identity("Dana Developer", "dana@crypto-assistant.example")
OPS = Identity("Sam Ops", "sam@crypto-assistant.example")


@dataclass(frozen=True)
class Write:
    """Create or overwrite a file."""

    path: str
    text: str

    def apply(self, tree: Tree) -> None:
        tree[self.path] = self.text.encode()


@dataclass(frozen=True)
class Replace:
    """Replace one exact piece of text (it must be there exactly once)."""

    path: str
    old: str
    new: str

    def apply(self, tree: Tree) -> None:
        text = tree[self.path].decode()
        if text.count(self.old) != 1:
            raise StoryError(f"{self.path}: expected exactly one {self.old!r} to edit (the bundled services changed?)")
        tree[self.path] = text.replace(self.old, self.new).encode()


@dataclass(frozen=True)
class Append:
    path: str
    text: str

    def apply(self, tree: Tree) -> None:
        tree[self.path] = tree[self.path] + self.text.encode()


Edit = Write | Replace | Append


class StoryError(Exception):
    """The story no longer applies to the template files (a bug in the demo, not a user error)."""


@dataclass(frozen=True)
class CommitSpec:
    message: str
    author: Identity
    epoch: int  # seconds since 1970, UTC: fixed so that hashes are reproducible
    edits: tuple[Edit, ...]


def _day(month: int, day: int, hour: int = 10, year: int = 2024) -> int:
    from datetime import datetime, timezone

    return int(datetime(year, month, day, hour, 0, tzinfo=timezone.utc).timestamp())


MD = "services/market-data"
BOT = "services/telegram-bot"

# --- compose files as they were before the incident was fixed ---------------------------------------

COMPOSE_BASE = """\
# crypto-assistant: market-data (HTTP on 8001) and the telegram bot.
name: crypto-assistant

services:
  market-data:
    build: ./services/market-data
    container_name: crypto-market-data
    env_file:
      - path: .env
        required: false
    environment:
      - EXCHANGE_ENV=${EXCHANGE_ENV:-testnet}
      - PORT=8001
    expose:
      - "8001"

  telegram-bot:
    build: ./services/telegram-bot
    container_name: crypto-telegram-bot
    command: python main.py
    env_file:
      - path: .env
        required: false
    environment:
      - MARKET_DATA_URL=http://crypto-market-data:8001
      - BOT_MODE=polling
    depends_on:
      - market-data
"""

COMPOSE_LOCAL = """\
# Developer machine: exchange testnets, market-data reachable on localhost:8001.
services:
  market-data:
    environment:
      - EXCHANGE_ENV=testnet
    ports:
      - "127.0.0.1:8001:8001"
"""

COMPOSE_AWS = """\
# Production (AWS t3.micro): production exchange endpoints.
services:
  market-data:
    environment:
      - EXCHANGE_ENV=production
"""

MAIN_WEBHOOK = '''\
"""telegram-bot in webhook mode: Telegram pushes updates to WEBHOOK_URL (needs HTTPS).

Same start-up as main.py, with BOT_MODE forced to webhook.
"""

from __future__ import annotations

import os
import sys

os.environ["BOT_MODE"] = "webhook"

from main import main  # noqa: E402  (BOT_MODE must be set before the config is read)

if __name__ == "__main__":
    sys.exit(main())
'''

MARKET_INTELLIGENCE = '''\
"""Phase 1A market intelligence: one line that sums up open interest and price across exchanges."""

from __future__ import annotations

from typing import Any


def summarize(open_interest: dict[str, Any], prices: dict[str, Any]) -> str:
    """`BTC: OI $12.3B on 3/3 exchanges, avg $97,000` from the aggregator's two answers."""
    total = open_interest.get("total") or {}
    average = prices.get("average_price")
    avg = f", avg ${average:,.0f}" if isinstance(average, (int, float)) else ""
    return (f"{total.get('base_asset', '?')}: OI ${total.get('oi_usd', 0) / 1e9:.1f}B on "
            f"{total.get('exchanges_ok', 0)}/{total.get('exchanges_total', 0)} exchanges{avg}")
'''

WORKING_IMPORTS = Replace(
    f"{MD}/unified_oi_aggregator.py",
    "from bitget_oi_provider import BitgetOIProvider\nfrom gateio_oi_provider import GateIOOIProvider\n",
    "from bitget_oi_provider_working import BitgetOIProviderWorking\n"
    "from gateio_oi_provider_working import GateIOOIProviderWorking\n",
)
WORKING_CLASSES = Replace(
    f"{MD}/unified_oi_aggregator.py",
    "(BinanceOIProvider, GateIOOIProvider, BitgetOIProvider)",
    "(BinanceOIProvider, GateIOOIProviderWorking, BitgetOIProviderWorking)",
)

# --- main: initial import .. webhook design (the point aws-deployment branched from) ----------------

MAIN_BASE: tuple[CommitSpec, ...] = (
    CommitSpec("Initial import: market-data and telegram-bot services", DEV, _day(11, 4), (
        Write("docker-compose.yml", COMPOSE_BASE),
        Write(".gitignore", ".env\n__pycache__/\n*.pyc\n"),
    )),
    CommitSpec("Per-environment compose overrides: testnet locally, production on AWS", DEV, _day(11, 6), (
        Write("docker-compose.local.yml", COMPOSE_LOCAL),
        Write("docker-compose.aws.yml", COMPOSE_AWS),
    )),
    CommitSpec("telegram-bot: webhook mode (main_webhook.py) instead of polling", DEV, _day(11, 12), (
        Write(f"{BOT}/main_webhook.py", MAIN_WEBHOOK),
        Replace("docker-compose.yml", "    command: python main.py\n", "    command: python main_webhook.py\n"),
        Replace("docker-compose.yml", "      - BOT_MODE=polling\n", "      - BOT_MODE=webhook\n"),
    )),
)

# --- aws-deployment: a dozen commits of production features, never merged back -----------------------

AWS_DEPLOYMENT: tuple[CommitSpec, ...] = (
    CommitSpec("Enhanced /price: spread between the highest and lowest exchange", OPS, _day(12, 2), (
        Append(f"{BOT}/formatting.py", '\n\ndef price_spread(data: dict[str, Any]) -> str:\n'
               '    """`spread $12.50 (0.013%)` over the exchanges that answered."""\n'
               '    lasts = [e["last_price"] for e in data["exchanges"].values() if e.get("status") == "ok"]\n'
               '    if len(lasts) < 2:\n'
               '        return ""\n'
               '    spread = max(lasts) - min(lasts)\n'
               '    return f"spread {price(spread)} ({spread / min(lasts):.3%})"\n'),
    )),
    CommitSpec("Enhanced /price: describe the spread in /help", OPS, _day(12, 3), (
        Replace(f"{BOT}/handlers.py", '"Price per exchange"', '"Price per exchange, with spread"'),
    )),
    CommitSpec("Enhanced /price: /v2/price route for the new bot", OPS, _day(12, 5), (
        Replace(f"{MD}/market_data_server.py", '    app.router.add_get("/price/{symbol}", price)\n',
                '    app.router.add_get("/price/{symbol}", price)\n    app.router.add_get("/v2/price/{symbol}", price)\n'),
    )),
    CommitSpec("L/S ratio: Binance top-trader account ratio", OPS, _day(12, 9), (
        Replace(f"{MD}/binance_oi_provider.py", '"/futures/data/globalLongShortAccountRatio"',
                '"/futures/data/topLongShortAccountRatio"'),
    )),
    CommitSpec("L/S ratio: explain the ratio in /ls replies", OPS, _day(12, 10), (
        Append(f"{BOT}/formatting.py", '\n\nLS_EXPLANATION = "Long/short: accounts long per account short (above 1: more longs)."\n'),
    )),
    CommitSpec("L/S ratio: longer market-data timeout for /ls", OPS, _day(12, 12), (
        Replace(f"{BOT}/market_data_client.py", "timeout: float = 15.0", "timeout: float = 20.0"),
    )),
    CommitSpec("OI improvements: cache Gate.io contract multipliers for 10 minutes", OPS, _day(12, 16), (
        Replace(f"{MD}/gateio_oi_provider.py", 'STATS_PATH = "/futures/usdt/contract_stats"\n',
                'STATS_PATH = "/futures/usdt/contract_stats"\nMULTIPLIER_TTL_SECONDS = 600\n'),
    )),
    CommitSpec("OI improvements: Bitget open interest per margin coin", OPS, _day(12, 18), (
        Replace(f"{MD}/bitget_oi_provider.py", 'PRODUCT_TYPE = "USDT-FUTURES"\n',
                'PRODUCT_TYPE = "USDT-FUTURES"\nMARGIN_COIN = "USDT"\n'),
    )),
    CommitSpec("OI improvements: aggregator uses the working Gate.io and Bitget providers", OPS, _day(12, 20), (
        WORKING_IMPORTS, WORKING_CLASSES,
    )),
    CommitSpec("Fix service discovery on AWS: reach market-data by its compose service name", OPS, _day(1, 6, year=2025), (
        Replace("docker-compose.yml", "MARKET_DATA_URL=http://crypto-market-data:8001", "MARKET_DATA_URL=http://market-data:8001"),
    )),
    CommitSpec("AWS t3.micro: memory limits (192m market-data, 256m bot)", OPS, _day(1, 7, year=2025), (
        Replace("docker-compose.aws.yml", "      - EXCHANGE_ENV=production\n",
                "      - EXCHANGE_ENV=production\n    mem_limit: 192m\n\n  telegram-bot:\n    mem_limit: 256m\n"),
    )),
    CommitSpec("Phase 1A: market intelligence summary", OPS, _day(1, 9, year=2025), (
        Write(f"{MD}/market_intelligence.py", MARKET_INTELLIGENCE),
    )),
)

# --- main after the branch point: the import was taken over, the files were not ----------------------

MAIN_AFTER: tuple[CommitSpec, ...] = (
    CommitSpec("Local development: .env.example with testnet settings", DEV, _day(1, 8, year=2025), (
        Write(".env.example", "EXCHANGE_ENV=testnet\nTELEGRAM_BOT_TOKEN=\n"),
    )),
    CommitSpec("OI: use the working Gate.io and Bitget providers (from aws-deployment)", DEV, _day(1, 13, year=2025), (
        WORKING_IMPORTS, WORKING_CLASSES,
    )),
)

# --- what was done by hand on the aws host and never committed -----------------------------------------

HAND_EDIT = Replace(
    "docker-compose.aws.yml",
    "  telegram-bot:\n",
    "  telegram-bot:\n"
    "    # manual fix 2025-01-12: webhook needs HTTPS and this host has none; force polling\n"
    "    command: python main.py\n"
    "    environment:\n"
    "      - BOT_MODE=polling\n",
)
WORKING_FILES = {  # untracked copy -> (the provider it was copied from, class renamed from, to)
    f"{MD}/gateio_oi_provider_working.py": (f"{MD}/gateio_oi_provider.py", "GateIOOIProvider", "GateIOOIProviderWorking"),
    f"{MD}/bitget_oi_provider_working.py": (f"{MD}/bitget_oi_provider.py", "BitgetOIProvider", "BitgetOIProviderWorking"),
}
INCIDENT_DATE = "2025-01-15"


def working_copy(tree: Mapping[str, bytes], path: str) -> bytes:
    """The hand-made `*_working.py` file: the provider with its class renamed and a note on top."""
    source, old, new = WORKING_FILES[path]
    text = tree[source].decode()
    if f"class {old}(" not in text:
        raise StoryError(f"{source}: class {old} not found (the bundled services changed?)")
    note = f"# Copied by hand on the production server ({INCIDENT_DATE[:7]}): fixed and never committed.\n"
    return (note + text.replace(f"class {old}(", f"class {new}(")).encode()


def apply(tree: Mapping[str, bytes], commit: CommitSpec) -> Tree:
    """The tree after one commit (a new dict; the input is left alone)."""
    out = dict(tree)
    for edit in commit.edits:
        edit.apply(out)
    return out


def aws_host_files(tree: Mapping[str, bytes]) -> Tree:
    """Files the aws host has on top of its checkout: the hand edit and the untracked copies."""
    edited = dict(tree)
    HAND_EDIT.apply(edited)
    out = {"docker-compose.aws.yml": edited["docker-compose.aws.yml"]}
    out.update({p: working_copy(tree, p) for p in WORKING_FILES})
    return out
