"""Acceptance (2): a hand-applied override shows as exactly the keys it changed.

The deployment is brought up with a second compose file the environment does not declare (the way
production ran `python main.py` through a manual override); a declared service never started and a
container no compose file knows must both be reported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftctl.collectors.container_compare import compare_services
from tests.containers.helpers import by_name, containers_data, snapshot, write_config, write_project

pytestmark = pytest.mark.integration

COMPOSE = """\
services:
  bot:
    image: driftctl-test/busybox:1
    command: sleep 3601
    environment:
      MARKET_DATA_URL: http://crypto-market-data:8001
      MODE: webhook
  market-data:
    image: driftctl-test/busybox:1
    command: ["sleep", "3602"]
  cache:
    image: driftctl-test/busybox:1
    mem_limit: 32m
    ports: ["127.0.0.1:6379:6379"]
  db:
    image: driftctl-test/busybox:1
"""

HOTFIX = """\
services:
  bot:
    command: ["sleep", "4242"]
    environment:
      MARKET_DATA_URL: http://market-data:8001
      DEBUG_HOTFIX: "1"
  market-data:
    image: driftctl-test/busybox:hotfix
"""


def build_drifted(root: Path, docker_engine) -> Path:
    """bot and market-data up with the undeclared hotfix; cache created by hand with compose labels."""
    project = write_project(root / "prod", {"docker-compose.yml": COMPOSE, "hotfix.yml": HOTFIX})
    docker_engine.docker("tag", docker_engine.image, "driftctl-test/busybox:hotfix")
    docker_engine.compose(project, "-f", "docker-compose.yml", "-f", "hotfix.yml", "up", "-d", "bot", "market-data")
    docker_engine.docker(
        "run", "-d", "--name", "prod-cache-1", "--network", "prod_default",
        "--label", "com.docker.compose.project=prod", "--label", "com.docker.compose.service=cache",
        "--label", "com.docker.compose.project.config_files=" + str(project / "docker-compose.yml"),
        "--label", "com.docker.compose.config-hash=0123abcd", "--label", "com.docker.compose.oneoff=False",
        docker_engine.image,
    )
    docker_engine.docker("run", "-d", "--name", "stray", "--network", "none", docker_engine.image, "sleep", "3603")
    return project


@pytest.fixture
def drifted(dockerd, engine_worlds) -> Path:
    """The drifted `prod` deployment (shared while unchanged: EngineWorlds in tests/containers/helpers.py)."""
    return engine_worlds.get("drifted", lambda root: build_drifted(root, dockerd))[1]


def test_override_is_reported_on_exactly_the_changed_keys(tmp_path, drifted, dockerd):
    cfg = write_config(tmp_path, {"prod": {"transport": "local", "path": str(drifted), "docker_host": dockerd.docker_host}})
    data = containers_data(snapshot(cfg, "prod"))
    services = data["services"]

    assert services["bot"] == {
        "running": True,
        "containers": ["prod-bot-1"],
        "differs": {
            "command": {"declared": ["sleep", "3601"], "running": ["sleep", "4242"]},
            "environment": {
                "declared": {"DEBUG_HOTFIX": None, "MARKET_DATA_URL": "http://crypto-market-data:8001"},
                "running": {"DEBUG_HOTFIX": "1", "MARKET_DATA_URL": "http://market-data:8001"},
            },
        },
    }
    assert services["market-data"]["differs"] == {
        "image": {"declared": "driftctl-test/busybox:1", "running": "driftctl-test/busybox:hotfix"},
    }
    assert services["cache"]["differs"] == {
        "ports": {"declared": ["127.0.0.1:6379->6379/tcp"], "running": []},
        "memory_limit": {"declared": 32 * 1024 * 1024, "running": None},
    }
    assert services["db"] == {"running": False, "containers": [], "differs": {}}
    assert data["undeclared"] == ["stray"]
    # The hotfix file is what the engine remembers: the trace back to the override.
    assert by_name(data)["prod-bot-1"]["config_files"] == [str(drifted / "docker-compose.yml"), str(drifted / "hotfix.yml")]


def test_compare_services_agrees_with_compose_itself(tmp_path, drifted, dockerd):
    """`compare_services` on Compose's own resolved model gives the collector's answer."""
    cfg = write_config(tmp_path, {"prod": {"transport": "local", "path": str(drifted), "docker_host": dockerd.docker_host}})
    data = containers_data(snapshot(cfg, "prod"))
    model = json.loads(dockerd.compose(drifted, "-f", "docker-compose.yml", "config", "--format", "json").stdout)

    assert compare_services(model, data) == {"services": data["services"], "undeclared": data["undeclared"],
                                             "other_projects": []}


def test_no_compose_file_means_every_running_container_is_undeclared(tmp_path, docker_engine):
    docker_engine.docker("run", "-d", "--name", "lonely", "--network", "none", docker_engine.image)
    (tmp_path / "empty").mkdir()
    cfg = write_config(tmp_path, {"bare": {"transport": "local", "path": "empty", "docker_host": docker_engine.docker_host}})
    data = containers_data(snapshot(cfg, "bare"))

    assert data["services"] == {} and data["undeclared"] == ["lonely"]
    assert data["compose"] == {"project": None, "error": None}
