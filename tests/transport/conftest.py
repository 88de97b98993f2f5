"""Keep the developer's own ~/.ssh/config and ssh-agent out of the transport tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_ssh_client(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
