"""Running `python -m driftctl demo` as a user would, and the seed rows every run must show."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.fixtures.forkrun import run_driftctl

REPO = Path(__file__).resolve().parents[2]


def demo_env(home: Path) -> dict[str, str]:
    """This checkout's driftctl, and nothing from the developer's own driftctl, ssh or docker setup."""
    env = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "DOCKER_HOST", "DRIFTCTL_CONFIG")}
    env.update(
        PYTHONPATH=str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
        XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
        DRIFTCTL_LOG=str(home / "driftctl.log"), DRIFTCTL_SSH_CONFIG=str(home / "no-ssh-config"),
        DRIFTCTL_DEFAULT_DOCKER_SOCKET=str(home / "no-docker.sock"), TMPDIR=str(home / "tmp"), COLUMNS="200",
    )
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def run_demo(cwd: Path, *args: str, home: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    home = home or cwd / "home"
    return run_driftctl(["demo", *args], cwd=cwd, env=demo_env(home), timeout=timeout)


def run_json(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    proc = run_demo(cwd, "--format", "json", *args)
    assert proc.stdout.strip(), proc.stderr
    return proc, json.loads(proc.stdout)


def rows(doc: dict) -> dict[str, dict]:
    return {r["component"]: r for r in doc["matrix"]["rows"]}


# The rows of the seed report's matrix (acceptance 1): component -> expected status.
SEED_STATUSES = {
    "git.branch": "DIVERGED",
    "bot_mode": "INCONSISTENT",
    "code_health.market-data": "BROKEN",
    "service_discovery": "MISMATCH",
    "worktree.services/market-data": "DRIFT",
    "worktree.(root)": "DRIFT",
    "compose.services.telegram-bot.environment.BOT_MODE": "DRIFT",
    "api_environment": "EXPECTED",
}


def assert_seed_rows(doc: dict) -> None:
    """Everything acceptance 1 lists, with the values that make each row the seed's."""
    got = rows(doc)
    assert {c: got.get(c, {}).get("status") for c in SEED_STATUSES} == SEED_STATUSES
    branch = got["git.branch"]["values"]
    assert (branch["local"], branch["aws"]) == ("main", "aws-deployment")
    assert got["bot_mode"]["values"] == {"local": "webhook", "aws": "polling", "github": "webhook"}
    assert got["bot_mode"]["severity"] == "critical"
    broken = got["code_health.market-data"]
    assert "gateio_oi_provider_working" in broken["values"]["local"]
    assert "bitget_oi_provider_working" in broken["values"]["local"]
    assert broken["values"]["aws"] == "ok"
    discovery = got["service_discovery"]
    assert discovery["severity"] == "critical"
    assert discovery["values"]["local"] == "http://crypto-market-data:8001"
    assert discovery["values"]["aws"] == "http://market-data:8001"
    providers = got["files.services/market-data"]
    assert providers["status"] in ("MISMATCH", "MISSING", "DIVERGED")
    assert any("gateio_oi_provider.py: content differs" in d for d in providers["details"])
    assert got["worktree.services/market-data"]["values"]["aws"] == (
        "untracked: bitget_oi_provider_working.py, gateio_oi_provider_working.py")
    assert got["worktree.(root)"]["values"]["aws"] == "modified: docker-compose.aws.yml"
    assert got["api_environment"]["values"]["aws"] == "production endpoints"
    assert doc["matrix"]["incomplete"] == []
    assert doc["exit_code"] == 1


def plan_steps(doc: dict) -> list[tuple[str, str]]:
    """(phase title, step id) in plan order."""
    return [(p["title"], s["id"]) for p in doc["plan"]["phases"] for s in p["steps"]]
