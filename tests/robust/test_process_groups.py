"""A local command that times out or is interrupted takes its whole process group with it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from driftctl.models import Command
from driftctl.transport.local import run_local


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_timeout_kills_the_grandchildren(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = f"sleep 300 & echo $! > {pidfile}; wait"
    result = run_local(Command(("sh", "-c", script)), timeout=1.0)
    assert result.exit_status == 124
    pid = int(pidfile.read_text())
    end = time.monotonic() + 10
    while not gone(pid) and time.monotonic() < end:  # wait on the observable state, with a deadline
        time.sleep(0.02)
    assert gone(pid), f"sleep {pid} survived its command's timeout"
    assert os.getpgid(os.getpid()) != pid
