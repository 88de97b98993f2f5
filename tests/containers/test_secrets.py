"""Acceptance (3): no secret value of a container reaches stdout, stderr or any file under reports/.

The secrets exist only on the containers (the shell that ran Compose, and `docker run -e`), so the
only way for them into a report is this collector.
"""

from __future__ import annotations

import json

import pytest

from tests.containers.helpers import run_cli, write_config, write_project

pytestmark = pytest.mark.integration

BOT_TOKEN = "987654321:AAFakeTelegramTokenForTestsOnly_0123"  # Telegram token shape (35 chars after ':')
API_KEY = "live-key-never-in-a-report-4242"
DB_PASSWORD = "hunter2-but-longer"
SECRETS = (BOT_TOKEN, API_KEY, DB_PASSWORD)

COMPOSE = """\
services:
  bot:
    image: driftctl-test/busybox:1
    environment:
      - TELEGRAM_BOT_TOKEN
      - EXCHANGE_API_KEY
"""


def test_container_secrets_never_leave_as_plain_text(tmp_path, docker_engine, sshd):
    project = write_project(tmp_path / "vault", {"compose.yml": COMPOSE})
    docker_engine.compose(project, "up", "-d")  # values come from the shell, like production's
    docker_engine.docker("run", "-d", "--name", "db", "--network", "none", "-e", f"DB_PASSWORD={DB_PASSWORD}",
                         "-e", f"CMDLINE_TOKEN={API_KEY}", docker_engine.image)
    cfg = write_config(tmp_path, {
        "vault": {"transport": "local", "path": "vault", "docker_host": docker_engine.docker_host},
        "vault-ssh": sshd.env_spec(str(project), docker_host=docker_engine.docker_host),
    })

    table = run_cli(["snapshot", "-c", str(cfg)], cwd=tmp_path, env=_no_secrets_env())
    as_json = run_cli(["snapshot", "-c", str(cfg), "--format", "json"], cwd=tmp_path, env=_no_secrets_env())

    assert table.returncode == 0, table.stderr
    assert as_json.returncode == 0, as_json.stderr
    outputs = table.stdout + table.stderr + as_json.stdout + as_json.stderr
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert files, "snapshot files were written"
    for secret in SECRETS:
        assert secret not in outputs
        for path in files:
            assert secret not in path.read_text(errors="replace"), path

    for env in ("vault", "vault-ssh"):
        data = json.loads((tmp_path / "reports" / "snapshots" / env / "latest.json").read_text())
        assert data["collectors"]["containers"]["status"] == "ok", data["collectors"]["containers"]
    containers = {c["name"]: c for c in data["collectors"]["containers"]["data"]["containers"]}
    bot_env = containers["vault-bot-1"]["environment"]
    assert bot_env["TELEGRAM_BOT_TOKEN"].startswith("fp:") and bot_env["EXCHANGE_API_KEY"].startswith("fp:")
    assert containers["db"]["environment"]["DB_PASSWORD"].startswith("fp:")
    assert containers["db"]["environment"]["CMDLINE_TOKEN"].startswith("fp:")


def _no_secrets_env() -> dict[str, str]:
    """driftctl itself runs without the secrets in its environment (so they cannot leak from there)."""
    return {"TELEGRAM_BOT_TOKEN": "", "EXCHANGE_API_KEY": ""}


@pytest.fixture(autouse=True)
def _secrets_in_compose_shell(monkeypatch):
    """`docker-compose up` passes TELEGRAM_BOT_TOKEN and EXCHANGE_API_KEY from its environment."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("EXCHANGE_API_KEY", API_KEY)
