"""Shared fixtures. Real components live in tests/fixtures/: git repositories, sshd, dockerd.

The suite runs on pytest-xdist (`-n auto --dist loadgroup` in pyproject.toml): each worker is its own
pytest process with its own sshd, dockerd, fork server and temporary folders. Tests that share a
module- or class-scoped fixture (an expensive build made once for a module) stay on one worker, so no
such build is made twice; every other test goes wherever a worker is free.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.fixtures import forkrun
from tests.helpers import isolate_driftctl_home

pytest_plugins = ["tests.fixtures.gitrepos", "tests.fixtures.sshd", "tests.fixtures.dockerd"]

# Property tests check what a function returns, never how long one example takes: hypothesis's default
# 200 ms deadline per example failed a pure-function test once on a loaded CI worker.
settings.register_profile("driftctl", deadline=None)
settings.load_profile("driftctl")


@pytest.fixture(scope="session")
def _driftctl_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Path]]:
    """A fresh folder per call, under one folder of the session: `mktemp` lists its parent folder to number
    each new one, which made this autouse fixture slower with every test a worker had run."""
    base = tmp_path_factory.mktemp("driftctl-homes")
    counter = itertools.count()

    def fresh() -> Path:
        home = base / str(next(counter))
        home.mkdir()
        return home

    yield fresh


@pytest.fixture(autouse=True)
def _isolated_driftctl_home(_driftctl_homes, monkeypatch):
    """Keep the fingerprint key, known-hosts and caches of the test run away from the user's own
    (tests/helpers.isolate_driftctl_home; a module-scoped world gets its own with `driftctl_home()`)."""
    isolate_driftctl_home(monkeypatch, _driftctl_homes())


@pytest.fixture(scope="session")
def driftctl_home(_driftctl_homes) -> Iterator[Callable[[], contextlib.AbstractContextManager[Path]]]:
    """For fixtures wider than a test: `with driftctl_home():` applies a fresh isolated driftctl home (as
    every test gets) for the duration of the block, e.g. while a module-scoped fixture runs driftctl."""
    @contextlib.contextmanager
    def applied() -> Iterator[Path]:
        with pytest.MonkeyPatch.context() as mp:
            home = _driftctl_homes()
            isolate_driftctl_home(mp, home)
            yield home

    yield applied


@pytest.fixture(scope="session")
def driftctl_cli() -> Iterator[forkrun.ForkRunner]:
    """`driftctl_cli.run(args, cwd=, env=, input=, timeout=)`: `python -m driftctl ARGS` in a fresh forked
    process of a pre-imported driftctl (tests/fixtures/forkrun.py), a CompletedProcess like subprocess.run's."""
    yield forkrun.shared()


TMPFS_ROOT = Path("/dev/shm")
TMPFS_MIN_FREE = 2 << 30  # a run's folders take some 100-200 MB; pytest keeps the last three runs'


def pytest_configure(config: pytest.Config) -> None:
    """Temporary folders (tmp_path, tmp_path_factory) on tmpfs when the machine has one and nobody chose
    where they go (--basetemp, PYTEST_DEBUG_TEMPROOT). The suite builds thousands of small git
    repositories, and creating their loose objects on a disk file system costs system CPU (whole suite,
    3 workers, quiet 2-CPU machine: 115.6 s wall, 59 s system on disk; 105.9 s, 49 s on tmpfs). pytest
    keeps its numbered folders and their cleanup there (pytest-of-<user>/pytest-N); xdist workers take
    theirs under the controller's. A small /dev/shm (a container's default 64 MiB) is left alone."""
    if config.option.basetemp or "PYTEST_DEBUG_TEMPROOT" in os.environ:
        return
    if TMPFS_ROOT.is_dir() and os.access(TMPFS_ROOT, os.W_OK | os.X_OK) and _is_tmpfs(TMPFS_ROOT):
        fs = os.statvfs(TMPFS_ROOT)
        if fs.f_bavail * fs.f_frsize >= TMPFS_MIN_FREE:
            os.environ["PYTEST_DEBUG_TEMPROOT"] = str(TMPFS_ROOT)


def _is_tmpfs(path: Path) -> bool:
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return False
    return any(f.split()[1:3] == [str(path), "tmpfs"] for f in mounts if len(f.split()) > 2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    forkrun.close_shared()


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the CPUs this process may use, at most 4. A worker waits on its
    sshd, dockerd and git children much of the time, so one extra keeps the CPUs busy (2 CPUs, quiet
    machine: the whole suite in 115.6 s with 3 workers against 134.4 s with 2); more than 4
    would spend more on each worker's own sshd and dockerd start-up than they win.
    PYTEST_XDIST_AUTO_NUM_WORKERS overrides it, `-n 0` runs in one process."""
    wanted = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if wanted.isdigit():
        return int(wanted)
    return max(1, min(4, len(os.sched_getaffinity(0)) + 1))


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
