"""`driftctl compose config --env NAME` resolves an environment's compose files on its own host."""

from __future__ import annotations

import json

import pytest

from tests.helpers import driftctl, write_config

pytestmark = pytest.mark.integration

BASE = "services:\n  bot:\n    image: bot:${TAG:-1}\n    environment:\n      MARKET_DATA_URL: http://market-data:8001\n"
OVERRIDE = "services:\n  bot:\n    command: python main.py\n"


@pytest.fixture
def checkout(git_repo, bare_origin):
    repo = git_repo("app")
    repo.commit({"docker-compose.yml": BASE, "docker-compose.aws.yml": OVERRIDE, ".gitignore": ".env\n"}, "initial")
    (repo.path / ".env").write_text("TAG=7\n")
    origin = bare_origin()
    repo.git("remote", "add", "origin", str(origin))
    repo.git("push", "-q", "origin", "main")
    return repo, origin


def bot(run) -> dict:
    assert run.code == 0, run.err
    return json.loads(run.out)["services"]["bot"]


def test_env_over_ssh_uses_the_hosts_files(checkout, sshd, tmp_path) -> None:
    repo, _ = checkout
    cfg = write_config(tmp_path / "environments.yaml", {
        "aws": sshd.env_spec(str(repo.path), compose_files=["docker-compose.yml", "docker-compose.aws.yml"]),
    })
    service = bot(driftctl("compose", "config", "--env", "aws", "-c", str(cfg), cwd=tmp_path))
    assert service["image"] == "bot:7"  # the host's .env
    assert service["command"] == ["python", "main.py"]


def test_env_of_a_git_remote_reads_the_committed_files(checkout, tmp_path) -> None:
    _, origin = checkout
    cfg = write_config(tmp_path / "environments.yaml", {"github": {"transport": "git", "url": str(origin)}})
    service = bot(driftctl("compose", "config", "--env", "github", "-c", str(cfg), cwd=tmp_path))
    assert service["image"] == "bot:1"  # no .env is committed
    assert service.get("command") is None


def test_env_unknown_is_one_line(checkout, tmp_path) -> None:
    cfg = write_config(tmp_path / "environments.yaml", {"local": {"transport": "local", "path": "."}})
    run = driftctl("compose", "config", "--env", "nope", "-c", str(cfg), cwd=tmp_path)
    assert run.code == 2 and run.err.strip() == "error: unknown environment 'nope'; known: local"


def test_env_secrets_are_fingerprints_unless_asked_for(git_repo, sshd, tmp_path) -> None:
    token = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    repo = git_repo("app")
    repo.commit({"docker-compose.yml": "services:\n  bot:\n    image: bot:1\n    environment:\n"
                 "      BOT_TOKEN: ${BOT_TOKEN}\n      MODE: ${MODE}\n    command: [\"run\", \"--api-key=${BOT_TOKEN}\"]\n",
                 ".gitignore": ".env\n"}, "initial")
    (repo.path / ".env").write_text(f"BOT_TOKEN={token}\nMODE=webhook\n")
    cfg = write_config(tmp_path / "environments.yaml", {"aws": sshd.env_spec(str(repo.path))})

    run = driftctl("compose", "config", "--env", "aws", "-c", str(cfg), cwd=tmp_path)
    assert token not in run.out + run.err
    service = bot(run)
    assert service["environment"]["MODE"] == "webhook"
    assert service["environment"]["BOT_TOKEN"].startswith("fp:")
    assert service["command"][1].startswith("--api-key=fp:")
    assert run.err.strip() == "2 secret value(s) shown as keyed fingerprints; --show-secrets prints them"

    shown = driftctl("compose", "config", "--env", "aws", "--show-secrets", "-c", str(cfg), cwd=tmp_path)
    assert bot(shown)["environment"]["BOT_TOKEN"] == token and shown.err.strip() == ""
