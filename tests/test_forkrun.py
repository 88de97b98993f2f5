"""The fork runner (tests/fixtures/forkrun.py) gives what a real `python -m driftctl` subprocess gives:
the same exit status, stdout, stderr and files, from the command's own directory and environment."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
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
        driftctl_cli.run(["watch", "--every", "1h"], cwd=project, env=dict(os.environ), timeout=2)
    assert driftctl_cli.run(["--version"], cwd=project, env=dict(os.environ)).returncode == 0  # the server goes on


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_with_pipes_the_command_writes_into_pipes(project: Path, driftctl_cli: ForkRunner) -> None:
    """`pipes=True`: while the command runs its stdout and stderr are pipes (seen in /proc), its output
    arrives whole however large, and a timeout still ends it. (The worker's shared runner: its servers'
    forked children are this test's commands, one at a time, and a server outlives a command's timeout.)"""
    runner = driftctl_cli
    seen: list[tuple[bool, bool]] = []
    found = threading.Event()

    def look() -> None:  # the forked child of the one server: what are its fds 1 and 2?
        while not found.wait(0.02):
            for server in runner._started:
                for child in _children(server.proc.pid):
                    try:
                        targets = [os.readlink(f"/proc/{child}/fd/{fd}") for fd in (1, 2)]
                        if not all("driftctl-fork-" in t for t in targets):
                            continue  # just forked: still the server's own fds, not yet the command's
                        modes = [os.stat(f"/proc/{child}/fd/{fd}").st_mode for fd in (1, 2)]
                    except OSError:
                        continue
                    seen.append((stat.S_ISFIFO(modes[0]), stat.S_ISFIFO(modes[1])))
                    found.set()

    try:
        big = "services:\n" + "".join(f"  s{i}:\n    image: busybox\n    labels: [{'x' * 200}]\n" for i in range(400))
        (project / "big.yml").write_text(big)
        args = ["compose", "config", "-f", "big.yml", "--format", "json"]
        env = dict(os.environ)
        got = runner.run(args, cwd=project, env=env, pipes=True)
        want = real(args, project, env)
        assert len(want.stdout) > 65536  # more than a pipe holds: the drain must read while the command runs
        assert (got.returncode, got.stdout, got.stderr) == (want.returncode, want.stdout, want.stderr)

        (project / "environments.yaml").write_text(
            "version: 1\nenvironments:\n  here:\n    transport: local\n    path: .\n    collectors: [env]\n")
        watcher = threading.Thread(target=look, daemon=True)
        watcher.start()
        with pytest.raises(subprocess.TimeoutExpired):
            runner.run(["watch", "--every", "1h"], cwd=project, env=env, timeout=3, pipes=True)
        found.set()
        watcher.join(timeout=10)
        assert seen and seen[0] == (True, True), seen
    finally:
        found.set()
