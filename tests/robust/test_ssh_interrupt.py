"""Ctrl-C during an SSH snapshot (issue 14, acceptance 3), over the real sshd fixture.

The target is this machine reached through a real OpenSSH server, so the test can watch the remote
side directly in /proc: the batch's `sha256sum` of a 1 TiB sparse file (which would run for many
minutes) and the batch's temporary folder (its stdout file is open in that folder). No sleeps as
synchronisation: each step waits, with a deadline, for a state it can observe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.helpers import write_config


def wait_for(what: str, check: Callable[[], object], deadline_s: float) -> object:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def remote_hash(marker: str) -> tuple[int, str] | None:
    """(pid, temp folder) of a running `sha256sum` whose arguments name `marker`."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            if argv and argv[0].endswith(b"sha256sum") and marker.encode() in b" ".join(argv):
                return int(entry), os.path.dirname(os.readlink(f"/proc/{entry}/fd/1"))
        except OSError:
            continue
    return None


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_during_ssh_snapshot_exits_130_and_cleans_the_target(git_repo, sshd, tmp_path: Path) -> None:
    repo = git_repo("interrupted")
    repo.commit({"README": "x\n"}, "initial")
    marker = f"huge-{os.getpid()}-{time.monotonic_ns()}.bin"
    with (repo.path / marker).open("wb") as fh:
        fh.truncate(1 << 40)  # 1 TiB of holes: sha256sum would read zeros for many minutes
    write_config(repo.path / "environments.yaml",
                 {"remote": sshd.env_spec(str(repo.path), collectors=["files"], command_timeout=600)})
    proc = subprocess.Popen([sys.executable, "-m", "driftctl", "snapshot", "remote"], cwd=repo.path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, DRIFTCTL_REPORTS_DIR=str(tmp_path / "reports")))
    try:
        found = wait_for("the remote sha256sum", lambda: remote_hash(marker), 120)
        assert isinstance(found, tuple)
        pid, temp_dir = found
        assert os.path.isdir(temp_dir)

        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert elapsed < 2.0, f"took {elapsed:.2f}s to exit"
    assert [line for line in err.splitlines() if line.strip()] == ["error: interrupted"]
    wait_for("the remote sha256sum to end", lambda: not alive(pid), 10)
    wait_for("the remote temp folder to go", lambda: not os.path.exists(temp_dir), 10)
    leftovers = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert leftovers == [], leftovers
    print(f"exit 130 after {elapsed:.3f}s")
