"""Commands on this machine: argv lists through subprocess, never a shell string."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from driftctl import gitsafe
from driftctl.config import EnvironmentSpec
from driftctl.errors import TransportError
from driftctl.models import Command, CommandResult
from driftctl.transport.base import Transport

BATCH_WORKERS = 8  # threads one local batch may use


class LocalTransport(Transport):
    kind = "local"

    def __init__(self, env_name: str, spec: EnvironmentSpec | None = None, *, root: str, command_timeout: float | None = None):
        timeout = command_timeout or (spec.command_timeout if spec else 60)
        super().__init__(env_name, root, timeout)

    def open(self) -> None:
        """A checkout that is not there is one error for the environment, not a failure per collector
        (nor drift rows about files that are "missing")."""
        if not os.path.isdir(self.root):
            what = "is not a directory" if os.path.exists(self.root) else "does not exist"
            raise TransportError(f"{self.env_name}: path {self.root} {what} (check `path:` in the config)")

    def run_batch(self, commands: Sequence[Command], timeout: float | None = None) -> list[CommandResult]:
        # Local commands are cheap to start; a small pool overlaps the slow ones (git status, du).
        # The git commands of the batch that run in one checkout share one scan of its driver keys,
        # made before any of them runs (as a remote batch does).
        scans = batch_scans(commands)

        def run(cmd: Command) -> CommandResult:
            keys = scans.get(gitsafe.local_scan_key(cmd.argv, cmd.cwd, extra_env=dict(cmd.env))) if gitsafe.is_git(cmd.argv) else None
            return run_local(cmd, timeout or self.command_timeout, driver_keys=keys)

        if len(commands) <= 1:
            return [run(c) for c in commands]
        with ThreadPoolExecutor(max_workers=min(BATCH_WORKERS, len(commands))) as pool:
            return list(pool.map(run, commands))

    def describe(self) -> str:
        return f"local:{self.root}"

    def abort(self) -> None:
        kill_running()


def batch_scans(commands: Sequence[Command]) -> dict[tuple[object, ...], list[str]]:
    """One driver-key scan per distinct checkout (and environment) among a batch's git commands."""
    scans: dict[tuple[object, ...], list[str]] = {}
    for cmd in commands:
        if not gitsafe.is_git(cmd.argv) or (cmd.cwd and not os.path.isdir(cmd.cwd)):
            continue
        key = gitsafe.local_scan_key(cmd.argv, cmd.cwd, extra_env=dict(cmd.env))
        if key not in scans:
            scans[key] = gitsafe.scan_for(cmd.argv, cmd.cwd, extra_env=dict(cmd.env))
    return scans


def run_local(cmd: Command, timeout: float, git_policy: str = gitsafe.TARGET,
              git_env: dict[str, str] | None = None, driver_keys: list[str] | None = None) -> CommandResult:
    """Run one command here. A git command runs under `git_policy` (see driftctl.gitsafe), with
    `git_env` added to its environment (e.g. askpass credentials; never put into the Command) and
    the checkout's `driver_keys` overridden (scanned now when not given)."""
    if cmd.cwd and not os.path.isdir(cmd.cwd):
        return CommandResult(cmd, 2, b"", f"cd: {cmd.cwd}: No such file or directory\n".encode())
    argv, env = list(cmd.argv), None
    if gitsafe.is_git(cmd.argv):
        argv, env = gitsafe.local_command(cmd.argv, cmd.cwd, git_policy, {**dict(cmd.env), **(git_env or {})},
                                          keys=driver_keys)
    elif cmd.env:
        env = dict(os.environ, **dict(cmd.env))
    try:
        proc = subprocess.Popen(argv, cwd=cmd.cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    except FileNotFoundError:
        return CommandResult(cmd, 127, b"", f"{cmd.argv[0]}: command not found\n".encode())
    except PermissionError as exc:
        return CommandResult(cmd, 126, b"", f"{cmd.argv[0]}: {exc.strerror}\n".encode())
    with _running_lock:
        _running.add(proc.pid)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return CommandResult(cmd, 124, b"", f"timed out after {timeout:g}s\n".encode())
    except BaseException:  # Ctrl-C (apply runs steps in the main thread): the step's whole group goes
        _kill_group(proc)
        raise
    finally:
        with _running_lock:
            _running.discard(proc.pid)
    return CommandResult(cmd, proc.returncode, stdout, stderr)


# Each command runs in a process group of its own, so a timeout or Ctrl-C ends everything it started
# (a step's `sh -c` and its children), not only the direct child.
_running: set[int] = set()
_running_lock = threading.Lock()


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.communicate(timeout=5)
    except Exception:  # noqa: BLE001 - best effort: it was killed
        pass


def kill_running() -> None:
    """Kill the process group of every local command still running (Ctrl-C during a snapshot)."""
    with _running_lock:
        pids = list(_running)
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
