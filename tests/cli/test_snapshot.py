"""`driftctl snapshot` end to end on real git repositories: what lands in reports/, exit codes, secrets."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from driftctl.errors import SnapshotError
from driftctl.snapshot_store import read_snapshot
from tests.helpers import all_text_under, driftctl, write_config

BOT_TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"
API_SECRET = "s3cr3t-Exchange-Value-42"

COMPOSE = """\
services:
  market-data:
    image: crypto/market-data:1.4
    environment:
      EXCHANGE_ENV: ${EXCHANGE_ENV:-testnet}
      GATEIO_API_SECRET: ${GATEIO_API_SECRET}
  telegram-bot:
    image: crypto/telegram-bot:1.4
    command: python main_webhook.py
    environment:
      - MARKET_DATA_URL=http://crypto-market-data:8001
      - TELEGRAM_BOT_TOKEN=${TELEGRAM_BOT_TOKEN}
"""


@pytest.fixture
def project(git_repo, tmp_path):
    repo = git_repo("crypto-assistant")
    repo.commit({"docker-compose.yml": COMPOSE, "services/market-data/app.py": "print('hi')\n"}, "initial")
    (repo.path / ".env").write_text(
        f"EXCHANGE_ENV=testnet\nTELEGRAM_BOT_TOKEN={BOT_TOKEN}\nGATEIO_API_SECRET='{API_SECRET}'\n"
    )
    (repo.path / ".gitignore").write_text(".env\nreports/\n")
    (repo.path / "notes.txt").write_text("untracked\n")
    write_config(repo.path / "environments.yaml", {"local": {"transport": "local", "path": "."}})
    return repo


def test_snapshot_local_writes_everything(project) -> None:
    run = driftctl("snapshot", "local", cwd=project.path)
    assert run.code == 0, run.err
    snap = json.loads((project.path / "reports/snapshots/local/latest.json").read_text())
    assert snap["schema_version"] == 1 and snap["complete"] is True and snap["environment"] == "local"
    data = {k: v["data"] for k, v in snap["collectors"].items() if v["status"] == "ok"}
    assert data["git"]["branch"] == "main" and data["git"]["head"]["sha"] == project.head()
    assert set(data["compose"]["services"]) == {"market-data", "telegram-bot"}
    bot_env = data["compose"]["services"]["telegram-bot"]["environment"]
    assert bot_env["MARKET_DATA_URL"] == "http://crypto-market-data:8001"
    assert bot_env["TELEGRAM_BOT_TOKEN"].startswith("fp:")
    env_vars = data["env"]["files"][".env"]["variables"]
    assert env_vars["EXCHANGE_ENV"] == "testnet"
    assert env_vars["TELEGRAM_BOT_TOKEN"].startswith("fp:") and env_vars["GATEIO_API_SECRET"].startswith("fp:")
    assert "services/market-data/app.py" in data["files"]["files"]
    assert data["files"]["changed"]["notes.txt"] == "untracked"
    assert data["host"]["memory"]["total_mb"] > 0
    assert "local" in run.out and "main" in run.out


def test_no_secret_value_in_reports_or_output(project) -> None:
    runs = [driftctl("snapshot", "local", cwd=project.path), driftctl("snapshot", "--format", "json", cwd=project.path)]
    everything = all_text_under(project.path / "reports") + "".join(r.out + r.err for r in runs)
    assert BOT_TOKEN not in everything and API_SECRET not in everything
    assert "AAHfiqksKZ8WmR2zSjiQ7" not in everything


def test_same_secret_same_fingerprint_across_runs(project) -> None:
    first = json.loads(driftctl("snapshot", "--format", "json", cwd=project.path).out)[0]
    second = json.loads(driftctl("snapshot", "--format", "json", cwd=project.path).out)[0]
    def fp(s):
        return s["collectors"]["env"]["data"]["files"][".env"]["variables"]["TELEGRAM_BOT_TOKEN"]
    assert fp(first) == fp(second)
    assert first["fingerprint"] == second["fingerprint"]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_ssh_host_is_incomplete_and_others_saved(project) -> None:
    write_config(project.path / "environments.yaml", {
        "local": {"transport": "local", "path": "."},
        "aws": {"transport": "ssh", "host": "127.0.0.1", "port": closed_port(), "user": "nobody",
                "path": "/srv/app", "connect_timeout": 2},
    })
    run = driftctl("snapshot", cwd=project.path)  # how soon it gives up: benchmarks/timeouts.py
    assert run.code == 3, run.err
    assert "aws: not collected: cannot connect" in run.err and "Traceback" not in run.err
    local = read_snapshot(project.path / "reports/snapshots/local/latest.json")
    aws = read_snapshot(project.path / "reports/snapshots/aws/latest.json")
    assert local["complete"] is True
    assert aws["complete"] is False and "cannot connect" in aws["error"]


def test_unknown_environment_exit_2(project) -> None:
    run = driftctl("snapshot", "prod", cwd=project.path)
    assert run.code == 2
    assert run.err.strip() == "error: unknown environment 'prod'; known: local"


def test_invalid_config_exit_2_one_line(project) -> None:
    (project.path / "environments.yaml").write_text("version: 1\nenvironments:\n  local:\n    transport: lokal\n")
    run = driftctl("snapshot", cwd=project.path)
    assert run.code == 2
    assert run.err.count("\n") == 1 and "environments.yaml:4: environments.local.transport:" in run.err


def test_config_option_and_missing_config(project, tmp_path) -> None:
    run = driftctl("snapshot", "-c", str(tmp_path / "none.yaml"), cwd=project.path)
    assert run.code == 2 and "none.yaml: file not found" in run.err


def test_newer_snapshot_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"schema_version": 99, "environment": "local"}))
    with pytest.raises(SnapshotError, match="schema version 99 is newer"):
        read_snapshot(path)


def test_envs_lists_environments(project) -> None:
    run = driftctl("envs", "--format", "json", cwd=project.path)
    assert run.code == 0 and json.loads(run.out)["local"]["transport"] == "local"


def test_malformed_env_file_error_names_the_key_not_the_value(project) -> None:
    (project.path / ".env").write_text(f'EXCHANGE_ENV=testnet\nTELEGRAM_BOT_TOKEN="{BOT_TOKEN}\n')
    run = driftctl("snapshot", "local", "--format", "json", cwd=project.path)
    env_file = json.loads(run.out)[0]["collectors"]["env"]["data"]["files"][".env"]
    assert env_file["error"].endswith("unterminated quoted value of TELEGRAM_BOT_TOKEN")
    assert BOT_TOKEN not in run.out + run.err + all_text_under(project.path / "reports")


def test_environment_chooses_its_collectors(project) -> None:
    write_config(project.path / "environments.yaml", {"local": {"transport": "local", "path": ".", "collectors": ["git", "env"]}})
    run = driftctl("snapshot", "--format", "json", cwd=project.path)
    assert run.code == 0, run.err
    assert set(json.loads(run.out)[0]["collectors"]) == {"git", "env"}
    write_config(project.path / "environments.yaml", {"local": {"transport": "local", "path": ".", "collectors": ["gti"]}})
    bad = driftctl("snapshot", cwd=project.path)
    assert bad.code == 2 and "environments.local.collectors.0:" in bad.err
