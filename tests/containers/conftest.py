"""Container tests: a real dockerd (tests/fixtures/dockerd.py), real Compose v2 and, for SSH, real sshd."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_clients(tmp_path, monkeypatch):
    """No ~/.ssh/config, ssh-agent or Docker context of the developer leaks into these tests."""
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-client-config"))
    monkeypatch.setenv("DRIFTCTL_DEFAULT_DOCKER_SOCKET", str(tmp_path / "no-docker.sock"))
