"""Every recorded vector (tests/compose/vectors/, see vectors.py) resolves exactly as Docker Compose 2.40.3.

A model case must give the same model, key for key and in the same key order; a rejected case must make `driftctl compose
config` exit 2 with one line on stderr holding the case's `error` text.
"""

from __future__ import annotations

import json

import pytest

from driftctl.compose import load_project
from tests.compose.cli_server import CliServer
from tests.compose.vectors import TOKEN, VECTORS, cases, environ, options, spec, swap, workdir

CASES = cases()
OK = [c for c in CASES if (VECTORS / c / "expected.json").is_file()]
REJECTED = [c for c in CASES if (VECTORS / c / "expected.err").is_file()]


def test_every_vector_is_recorded() -> None:
    assert CASES and sorted(OK + REJECTED) == CASES


@pytest.mark.parametrize("case", OK)
def test_same_model_as_docker_compose(case: str) -> None:
    expected = json.loads((VECTORS / case / "expected.json").read_text(encoding="utf-8"))
    folder = workdir(case)
    data = spec(case)
    got = load_project(data.get("files", ["compose.yml"]), project_dir=str(folder), environ=environ(case),
                       env_files=data.get("env_files"), project_name=data.get("project_name"))
    got = swap(swap(got, str(folder), TOKEN), str(VECTORS), "@VECTORS@")  # paths outside the folder too
    assert got == expected
    # and in Docker's field order, as `driftctl compose config` prints it
    assert json.dumps(got, indent=1) == json.dumps(expected, indent=1)


@pytest.mark.parametrize("case", REJECTED)
def test_rejected_like_docker_compose(case: str, cli_server: CliServer) -> None:
    """Through the CLI's own main (tests/compose/cli_server.py: the case's folder and environment, stdout
    and stderr as a process has them); test_cli.py runs such errors as real processes."""
    folder = workdir(case)
    args = [a for f in spec(case).get("files", ["compose.yml"]) for a in ("-f", f)] + options(case)
    proc = cli_server.run(["compose", "config", *args], cwd=folder, timeout=60, env={**environ(case), "COLUMNS": "400"})
    out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    assert proc.returncode == 2, out[:500] + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert spec(case)["error"] in lines[0]
