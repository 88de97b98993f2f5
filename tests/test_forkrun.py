"""The fork runner (tests/fixtures/forkrun.py) gives what a real `python -m driftctl` subprocess gives:
the same exit status, stdout, stderr and files, from the command's own directory and environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.forkrun import ForkRunner

COMPOSE = "services:\n  web:\n    image: busybox\n    environment:\n      - LEVEL=${LEVEL:-info}\n"


def real(args: list[str], cwd: Path, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "driftctl", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          input=input, stdin=None if input is not None else subprocess.DEVNULL, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "compose.yml").write_text(COMPOSE)
    return tmp_path


@pytest.mark.parametrize("args", [
    ["compose", "config", "--format", "json"],  # a model, with LEVEL from the environment
    ["compose", "config", "-f", "missing.yml"],  # one line on stderr, exit 2
    ["no-such-command"],  # a usage error from click, naming the program as `python -m driftctl` does
    ["diff", "--help"],
    ["--version"],
])
def test_forked_command_gives_what_a_subprocess_gives(args: list[str], project: Path, driftctl_cli: ForkRunner) -> None:
    env = dict(os.environ, LEVEL="debug", COLUMNS="123")
    forked_before = driftctl_cli.forked
    got = driftctl_cli.run(args, cwd=project, env=env)
    assert driftctl_cli.forked == forked_before + 1
    want = real(args, project, env)
    assert (got.returncode, got.stdout, got.stderr) == (want.returncode, want.stdout, want.stderr)


def test_files_land_in_the_commands_directory(tmp_path: Path, driftctl_cli: ForkRunner) -> None:
    for name in ("forked", "real"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "compose.yml").write_text(COMPOSE)
    got = driftctl_cli.run(["init"], cwd=tmp_path / "forked", env=dict(os.environ))
    want = real(["init"], tmp_path / "real", dict(os.environ))
    assert got.returncode == want.returncode == 0, got.stderr + want.stderr
    files = {name: sorted(str(p.relative_to(tmp_path / name)) for p in (tmp_path / name).rglob("*"))
             for name in ("forked", "real")}
    assert files["forked"] == files["real"] and "environments.yaml" in files["forked"]


def test_an_environment_the_interpreter_reads_at_start_up_gets_a_real_process(project: Path) -> None:
    runner = ForkRunner(size=1)
    try:
        got = runner.run(["--version"], cwd=project, env=dict(os.environ, PYTHONWARNINGS="error::DeprecationWarning"))
        assert got.returncode == 0 and got.stdout.startswith("driftctl ")
        assert (runner.forked, runner.spawned) == (0, 1)
    finally:
        runner.close()


def test_a_command_past_its_timeout_is_killed(project: Path, driftctl_cli: ForkRunner) -> None:
    (project / "environments.yaml").write_text(
        "version: 1\nenvironments:\n  here:\n    transport: local\n    path: .\n    collectors: [env]\n")
    with pytest.raises(subprocess.TimeoutExpired):  # `watch` snapshots, then waits an hour
        driftctl_cli.run(["watch", "--every", "1h"], cwd=project, env=dict(os.environ), timeout=5)
    assert driftctl_cli.run(["--version"], cwd=project, env=dict(os.environ)).returncode == 0  # the server goes on
