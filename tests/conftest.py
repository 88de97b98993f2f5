"""Shared fixtures. Real components live in tests/fixtures/: git repositories, sshd, dockerd."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures import forkrun

pytest_plugins = ["tests.fixtures.gitrepos", "tests.fixtures.sshd", "tests.fixtures.dockerd"]


@pytest.fixture(autouse=True)
def _isolated_driftctl_home(tmp_path_factory, monkeypatch):
    """Keep the fingerprint key, known-hosts and caches of the test run away from the user's own."""
    home = tmp_path_factory.mktemp("driftctl-home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("DRIFTCTL_LOG", str(home / "driftctl.log"))
    monkeypatch.delenv("DRIFTCTL_CONFIG", raising=False)
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    # a machine's own Docker engine must not leak into tests that snapshot local environments
    monkeypatch.setenv("DRIFTCTL_DEFAULT_DOCKER_SOCKET", str(home / "no-docker.sock"))
    # the developer's own ssh setup must not change what the tests see
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(home / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.fixture(scope="session")
def driftctl_cli() -> Iterator[forkrun.ForkRunner]:
    """`driftctl_cli.run(args, cwd=, env=, input=, timeout=)`: `python -m driftctl ARGS` in a fresh forked
    process of a pre-imported driftctl (tests/fixtures/forkrun.py), a CompletedProcess like subprocess.run's."""
    yield forkrun.shared()


def pytest_sessionfinish(session: pytest.Session) -> None:
    forkrun.close_shared()
