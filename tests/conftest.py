"""Shared fixtures. Real components live in tests/fixtures/: git repositories, sshd, dockerd.

The suite runs on pytest-xdist (`-n auto --dist loadgroup` in pyproject.toml): each worker is its own
pytest process with its own sshd, dockerd, fork server and temporary folders. Tests that share a
module- or class-scoped fixture (an expensive build made once for a module) stay on one worker, so no
such build is made twice; every other test goes wherever a worker is free.
"""

from __future__ import annotations

import os
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
    # global options (-c, --reports-dir, -q) of an in-process CLI call live in driftctl.settings for the
    # rest of the process: forget them, or a later test in the same xdist worker reads another test's config
    from driftctl import settings

    settings.reset()


@pytest.fixture(scope="session")
def driftctl_cli() -> Iterator[forkrun.ForkRunner]:
    """`driftctl_cli.run(args, cwd=, env=, input=, timeout=)`: `python -m driftctl ARGS` in a fresh forked
    process of a pre-imported driftctl (tests/fixtures/forkrun.py), a CompletedProcess like subprocess.run's."""
    yield forkrun.shared()


def pytest_sessionfinish(session: pytest.Session) -> None:
    forkrun.close_shared()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker per CPU this process may use, at most 4 (each worker starts its own sshd and
    dockerd, and the suite's commands are short: more workers would spend more on start-up than they
    win). PYTEST_XDIST_AUTO_NUM_WORKERS overrides it, `-n 0` runs in one process."""
    wanted = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if wanted.isdigit():
        return int(wanted)
    return max(1, min(4, len(os.sched_getaffinity(0))))


_SHARED_SCOPES = ("class", "module", "package")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests of a module that share a fixture wider than a test, for `--dist loadgroup`."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        for name in info.names_closure:
            defs = info.name2fixturedefs.get(name)
            if defs and defs[-1].scope in _SHARED_SCOPES:
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
                break
