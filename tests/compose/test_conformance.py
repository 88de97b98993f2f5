"""The conformance vectors taken from compose-go (interpolation, dotenv, merge), one test per vector.

The vectors and their checker live in tests/compose/conformance (a copy of shared/conformance/compose,
kept here so the suite is self-contained). The checker drives `driftctl compose config` as a subprocess;
all vectors run once per session on a thread pool (as the checker does), and each vector is its own
test, so a single regression fails by name. Every vector is required.
"""

from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import shutil
import sys
import tempfile
from types import ModuleType
from typing import Any

import pytest

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


@pytest.fixture(scope="session")
def conformance_results() -> dict[str, tuple[str, str]]:
    names = RC.referenced_names(INTERP, DOTENV, MERGE)
    base_env = {k: v for k, v in clean_env().items() if k not in names}
    driftctl = shutil.which("driftctl")
    cmd = [driftctl] if driftctl else [sys.executable, "-m", "driftctl"]
    runner = RC.Runner(cmd, 120, base_env)
    runner.probe()

    def one(key: str) -> tuple[str, tuple[str, str]]:
        kind, case, fn = JOBS[key]
        tmp = tempfile.mkdtemp(prefix="conformance-")
        try:
            return key, fn(case, runner, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        return dict(pool.map(one, JOBS))


@pytest.mark.parametrize("vector", list(JOBS))
def test_vector(vector: str, conformance_results: dict[str, tuple[str, str]]) -> None:
    status, detail = conformance_results[vector]
    assert status == "pass", f"{vector}: {status}: {detail}"
