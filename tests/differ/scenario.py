"""The incident, rebuilt on real git repositories: two checkouts of one repository on different
branches, with the differences the seed report found by hand planted one by one.

Planted (and the status each must get):
  * local on `main`, aws on `aws-deployment` (diverged)     -> git.branch DIVERGED critical
  * aws's `.env` has another MARKET_DATA_URL                 -> env.env.MARKET_DATA_URL MISMATCH (one finding;
                                                                 the interpolated compose value is shown,
                                                                 counted there)
  * an untracked provider file on aws                        -> worktree.services/market-data DRIFT
  * a hand-edited docker-compose.override.yml on aws         -> worktree.(root) DRIFT and the
                                                                 telegram-bot command DRIFT
  * main's aggregator imports a module only aws has          -> code_health.market-data BROKEN (local)
  * aws's committed aggregator needs that untracked file      -> code_health.market-data.commit DRIFT (aws)
  * the branches changed telegram-bot/main.py differently    -> files.services/telegram-bot MISMATCH
Nothing else may be drift: folder names, project/network names, absolute paths, hostnames, timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.fixtures.gitrepos import clone, init_repo

COMPOSE = """\
services:
  market-data:
    build: ./services/market-data
    command: ["python", "market_data_server.py"]
    ports: ["8001:8001"]
    volumes: ["./data:/data"]
  telegram-bot:
    build:
      context: ./services/telegram-bot
    command: ["python", "main_webhook.py"]
    environment:
      MARKET_DATA_URL: ${MARKET_DATA_URL}
      LOG_LEVEL: info
    depends_on: [market-data]
"""
OVERRIDE = """\
services:
  telegram-bot:
    restart: unless-stopped
"""
OVERRIDE_EDITED = """\
services:
  telegram-bot:
    restart: unless-stopped
    command: ["python", "main.py"]
"""
AGGREGATOR_LINES = [f"# unified open-interest aggregator, line {i}" for i in range(1, 18)]
AGGREGATOR = "\n".join(AGGREGATOR_LINES) + "\nfrom gateio_oi_provider import GateIOOIProvider\n"
AGGREGATOR_WORKING = "\n".join(AGGREGATOR_LINES) + "\nfrom gateio_oi_provider_working import GateIOOIProviderWorking\n"
MISSING_LINE = 18
DOCKERFILE = "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\n"

BASE = {
    "docker-compose.yml": COMPOSE,
    "docker-compose.override.yml": OVERRIDE,
    ".gitignore": ".env\nreports/\n",
    "services/market-data/Dockerfile": DOCKERFILE,
    "services/market-data/requirements.txt": "aiohttp\n",
    "services/market-data/market_data_server.py": "import unified_oi_aggregator\n",
    "services/market-data/gateio_oi_provider.py": "class GateIOOIProvider: ...\n",
    "services/market-data/unified_oi_aggregator.py": AGGREGATOR,
    "services/telegram-bot/Dockerfile": DOCKERFILE,
    "services/telegram-bot/requirements.txt": "python-telegram-bot\n",
    "services/telegram-bot/main.py": "print('polling')\n",
    "services/telegram-bot/main_webhook.py": "print('webhook')\n",
}

# Every row the planted differences may produce, with the status it must have.
PLANTED = {
    "git.branch": "DIVERGED",
    "env.env.MARKET_DATA_URL": "MISMATCH",
    "worktree.services/market-data": "DRIFT",
    "worktree.(root)": "DRIFT",
    "compose.services.telegram-bot.command": "DRIFT",
    "code_health.market-data": "BROKEN",
    "code_health.market-data.commit": "DRIFT",
    "files.services/telegram-bot": "MISMATCH",
}
# Rows that follow from a planted difference and are shown without counting (severity none).
CONSEQUENCES = {"git.head": "DIVERGED", "compose.services.telegram-bot.environment.MARKET_DATA_URL": "MISMATCH"}


@dataclass
class Incident:
    origin: Path
    local: Path
    aws: Path
    workdir: Path


def build(tmp_path: Path) -> Incident:
    """Create origin, the local checkout (main) and the aws checkout (aws-deployment)."""
    import subprocess

    from driftctl.secrets import fingerprint

    # Create the fingerprint key before environments are collected concurrently: two threads
    # creating it at once race in driftctl.secrets._key (reported to its owner).
    fingerprint("warm-up")

    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    seed = init_repo(tmp_path / "seed")
    seed.commit(BASE, "base")
    seed.git("remote", "add", "origin", str(origin))
    seed.checkout("aws-deployment", create=True)
    seed.commit({"services/market-data/unified_oi_aggregator.py": AGGREGATOR_WORKING,
                 "services/telegram-bot/main.py": "print('polling, aws tweaks')\n"}, "aws: working providers")
    seed.checkout("main")
    seed.commit({"services/market-data/unified_oi_aggregator.py": AGGREGATOR_WORKING}, "use the working providers")
    seed.git("push", "-q", "origin", "main", "aws-deployment")

    local = clone(origin, tmp_path / "local-checkout", branch="main")
    (local.path / ".env").write_text("MARKET_DATA_URL=http://crypto-market-data:8001\n")

    aws = clone(origin, tmp_path / "crypto-assistant-prod", branch="aws-deployment")
    (aws.path / ".env").write_text("MARKET_DATA_URL=http://market-data:8001\n")
    aws.write({"services/market-data/gateio_oi_provider_working.py": "class GateIOOIProviderWorking: ...\n",
               "docker-compose.override.yml": OVERRIDE_EDITED})
    workdir = tmp_path / "ops"
    workdir.mkdir()
    return Incident(origin=origin, local=local.path, aws=aws.path, workdir=workdir)


# Memory and disk of the test machine are not under test here (the cases cover CONSTRAINED);
# thresholds at 100% keep a busy CI runner from turning the scenario red.
CALM_THRESHOLDS = {"thresholds": {"memory_percent": 100, "disk_percent": 100}}


def local_envs(incident: Incident) -> dict:
    return {"local": {"transport": "local", "path": str(incident.local)},
            "aws": {"transport": "local", "path": str(incident.aws), "role": "deployment"}}
