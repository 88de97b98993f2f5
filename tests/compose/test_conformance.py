"""The conformance vectors taken from compose-go (interpolation, dotenv, merge), one test per vector.

The vectors and their checker live in tests/compose/conformance (a copy of shared/conformance/compose,
kept here so the suite is self-contained). The checker drives `driftctl compose config` as a process;
here each vector is its own test (so a single regression fails by name), and its process is forked from
a pre-imported driftctl (tests/fixtures/forkrun.py) instead of paying Python's start-up 311 times.
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

from tests.compose.helpers import HERE, clean_env
from tests.fixtures import forkrun


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


class _Forked:
    """What the checker's Runner needs of `subprocess`: its `driftctl compose config` runs are served by
    the fork runner (a fresh process per vector, without paying the interpreter's start-up and imports)."""

    TimeoutExpired = subprocess.TimeoutExpired

    def __init__(self, runner: forkrun.ForkRunner) -> None:
        self.runner = runner

    def run(self, args: list[str], *, cwd: str, env: dict[str, str], capture_output: bool,
            timeout: float) -> subprocess.CompletedProcess:
        assert args[0] == "driftctl" and capture_output
        return self.runner.run(args[1:], cwd=cwd, env=env, timeout=timeout, text=False)


@pytest.fixture(scope="module")
def conformance_runner(driftctl_cli: forkrun.ForkRunner) -> Any:
    names = RC.referenced_names(INTERP, DOTENV, MERGE)
    base_env = {k: v for k, v in clean_env().items() if k not in names}
    RC.subprocess = _Forked(driftctl_cli)  # this private copy of the checker only
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
