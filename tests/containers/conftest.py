"""Container tests: a real dockerd (tests/fixtures/dockerd.py), real Compose v2 and, for SSH, real sshd."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.containers.helpers import EngineWorlds


@pytest.fixture(autouse=True)
def _isolated_clients(tmp_path, monkeypatch):
    """No ~/.ssh/config, ssh-agent or Docker context of the developer leaks into these tests."""
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-client-config"))
    monkeypatch.setenv("DRIFTCTL_DEFAULT_DOCKER_SOCKET", str(tmp_path / "no-docker.sock"))


@pytest.fixture(scope="module")
def engine_worlds(dockerd, tmp_path_factory) -> Iterator[EngineWorlds]:
    """Worlds on the engine shared by the tests of a module while unchanged (see EngineWorlds); their
    containers are removed when the module is done. Tests using it take `dockerd`, not `docker_engine`
    (which would remove the world's containers before each test)."""
    worlds = EngineWorlds(dockerd, tmp_path_factory.mktemp)
    yield worlds
    if worlds.built:
        dockerd.remove_all_containers()
