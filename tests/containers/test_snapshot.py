"""Acceptance (1): a snapshot lists the running containers with their facts, locally and over SSH."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.containers.helpers import (
    by_name,
    containers_data,
    free_port,
    snapshot,
    without_volatile,
    write_config,
    write_project,
)

pytestmark = pytest.mark.integration

COMPOSE = """\
services:
  web:
    image: driftctl-test/busybox:1
    command: ["sleep", "3601"]
    environment:
      MARKET_DATA_URL: http://market-data:8001
      LOG_LEVEL: info
    ports: ["127.0.0.1:${WEB_PORT}:80"]
    mem_limit: 64m
    restart: unless-stopped
    volumes: ["data:/data"]
    networks:
      default:
        aliases: [frontend]
  worker:
    image: driftctl-test/busybox
    entrypoint: ["sleep"]
    command: ["3602"]
volumes:
  data: {}
"""


def build_shop(root: Path, engine) -> Path:
    project = write_project(root / "shop", {"compose.yml": COMPOSE, ".env": f"WEB_PORT={free_port()}\n"})
    engine.docker("tag", engine.image, "driftctl-test/busybox:latest")
    engine.compose(project, "up", "-d")
    return project


@pytest.fixture
def shop(dockerd, engine_worlds) -> Path:
    """The `shop` project brought up by real Compose v2 against the test daemon (shared while unchanged:
    EngineWorlds in tests/containers/helpers.py)."""
    return engine_worlds.get("shop", lambda root: build_shop(root, dockerd))[1]


def test_local_snapshot_lists_compose_containers(tmp_path, shop, dockerd):
    cfg = write_config(tmp_path, {"local": {"transport": "local", "path": str(shop), "docker_host": dockerd.docker_host}})
    snap = snapshot(cfg, "local")
    data = containers_data(snap)

    assert data["engine"]["host"] == dockerd.docker_host
    assert data["engine"]["version"] and data["engine"]["api_version"]
    web = by_name(data)["shop-web-1"]
    raw = dockerd.inspect("shop-web-1")[0]
    port = (shop / ".env").read_text().split("=")[1].strip()
    assert web["id"] == raw["Id"]
    assert (web["project"], web["service"]) == ("shop", "web")
    assert web["config_hash"] == raw["Config"]["Labels"]["com.docker.compose.config-hash"]
    assert web["config_files"] == [str(shop / "compose.yml")]
    assert web["image"] == "driftctl-test/busybox:1"
    assert web["image_id"] == raw["Image"] and web["image_id"].startswith("sha256:")
    assert web["repo_digests"] == []  # imported, never pushed or pulled
    assert web["command"] == ["sleep", "3601"] and web["entrypoint"] is None
    assert web["environment"] == {"MARKET_DATA_URL": "http://market-data:8001", "LOG_LEVEL": "info", "APP_ENV": "image"}
    assert web["ports"] == [f"127.0.0.1:{port}->80/tcp"]
    assert web["networks"] == {"shop_default": {"aliases": ["frontend", "shop-web-1", "web"]}}
    assert web["mounts"] == [{"type": "volume", "source": "shop_data", "target": "/data", "read_only": False}]
    assert web["restart_policy"] == "unless-stopped"
    assert (web["state"], web["health"], web["restart_count"]) == ("running", None, 0)
    assert web["started_at"] == raw["State"]["StartedAt"]
    assert web["memory_limit"] == 64 * 1024 * 1024
    assert isinstance(web["memory_usage"], int) and 0 < web["memory_usage"] <= web["memory_limit"]

    worker = by_name(data)["shop-worker-1"]
    assert (worker["entrypoint"], worker["command"], worker["memory_limit"]) == (["sleep"], ["3602"], None)
    assert data["services"] == {
        "web": {"running": True, "containers": ["shop-web-1"], "differs": {}},
        "worker": {"running": True, "containers": ["shop-worker-1"], "differs": {}},
    }
    assert data["undeclared"] == []
    assert data["compose"] == {"project": "shop", "error": None}
    assert snap["complete"], snap


def test_ssh_snapshot_gives_the_same_container_data(tmp_path, shop, dockerd, sshd):
    cfg = write_config(tmp_path, {
        "local": {"transport": "local", "path": str(shop), "docker_host": dockerd.docker_host},
        "remote": sshd.env_spec(str(shop), docker_host=dockerd.docker_host),
    })
    local = containers_data(snapshot(cfg, "local"))
    remote_snap = snapshot(cfg, "remote")
    remote = containers_data(remote_snap)

    assert without_volatile(remote) == without_volatile(local)
    assert all(isinstance(c["memory_usage"], int) for c in remote["containers"])
    commands = remote_snap["collectors"]["containers"]["commands"]
    # read through the SSH connection (no docker process on the target); the docker CLI route, for a
    # server that refuses such streams, is compared in tests/fleet/test_engine_stream.py
    assert "which Docker engine" in commands
    assert not any(c.startswith(f"env DOCKER_HOST={dockerd.docker_host} docker") for c in commands)


def test_stopped_and_unlabelled_containers(tmp_path, shop, dockerd):
    """A stopped service container is listed but not running; a hand-run container is undeclared."""
    dockerd.docker("stop", "-t", "0", "shop-worker-1")
    dockerd.docker("run", "-d", "--name", "by-hand", "--restart", "on-failure:3", "--network", "none",
                         dockerd.image, "sleep", "3603")
    cfg = write_config(tmp_path, {"local": {"transport": "local", "path": str(shop), "docker_host": dockerd.docker_host}})
    data = containers_data(snapshot(cfg, "local"))

    worker = by_name(data)["shop-worker-1"]
    assert (worker["state"], worker["memory_usage"]) == ("exited", None)
    hand = by_name(data)["by-hand"]
    assert (hand["project"], hand["service"], hand["config_files"]) == (None, None, [])
    assert hand["restart_policy"] == "on-failure:3"
    assert hand["networks"] == {"none": {"aliases": []}}
    assert data["services"]["worker"] == {"running": False, "containers": ["shop-worker-1"], "differs": {}}
    assert data["undeclared"] == ["by-hand"]
