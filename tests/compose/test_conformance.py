"""The conformance vectors taken from compose-go (interpolation, dotenv, merge), one test per vector.

The vectors and their checker live in tests/compose/conformance (a copy of shared/conformance/compose,
kept here so the suite is self-contained). The checker drives `driftctl compose config` as a process
and judges its exit status and JSON; here each vector is its own test (so a single regression fails
by name), and its command runs in one long-lived process that imported driftctl once
(tests/compose/cli_server.py: the CLI's own `main`, in the vector's folder, with exactly the vector's
environment) instead of paying a process per vector. What only a real process shows (the one-line
error on stderr, `python -m driftctl` itself) is checked in test_cli.py and test_vectors.py.
Every vector is required.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tempfile
from types import ModuleType
from typing import Any

import pytest

from tests.compose.cli_server import CliServer
from tests.compose.helpers import HERE, clean_env


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compose_run_check", HERE / "conformance" / "run_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RC = _checker()
INTERP, DOTENV, MERGE = RC.load_cases()
JOBS: dict[str, tuple[str, dict[str, Any], Any]] = {}
for _kind, _cases, _fn in (("interpolation", INTERP, RC.check_interpolation), ("dotenv", DOTENV, RC.check_dotenv),
                           ("merge", MERGE, RC.check_merge)):
    for _case in _cases:
        JOBS[f"{_kind}/{_case['id']}"] = (_kind, _case, _fn)


def test_the_whole_set_is_collected() -> None:
    assert len(JOBS) == 311


class _Served:
    """What the checker's Runner needs of `subprocess`: its `driftctl compose config` runs are served by
    the CLI server (each command in the vector's folder and environment, without a process of its own)."""

    TimeoutExpired = subprocess.TimeoutExpired

    def __init__(self, server: CliServer) -> None:
        self.server = server

    def run(self, args: list[str], *, cwd: str, env: dict[str, str], capture_output: bool,
            timeout: float) -> subprocess.CompletedProcess:
        assert args[0] == "driftctl" and capture_output
        return self.server.run(args[1:], cwd=cwd, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def conformance_runner(cli_server: CliServer) -> Any:
    names = RC.referenced_names(INTERP, DOTENV, MERGE)
    base_env = {k: v for k, v in clean_env().items() if k not in names}
    RC.subprocess = _Served(cli_server)  # this private copy of the checker only
    runner = RC.Runner(["driftctl"], 120, base_env)
    runner.probe()
    return runner


@pytest.mark.parametrize("vector", list(JOBS))
def test_vector(vector: str, conformance_runner: Any) -> None:
    kind, case, fn = JOBS[vector]
    tmp = tempfile.mkdtemp(prefix="conformance-")
    try:
        status, detail = fn(case, conformance_runner, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    assert status == "pass", f"{vector}: {status}: {detail}"
