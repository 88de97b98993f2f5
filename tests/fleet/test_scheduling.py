"""How the fleet scheduler shares its few threads (driftctl/scheduler.py), on the real sshd: a silent
port or a hung batch holds only its own environment, up to its own deadline, and Ctrl-C's abort_all
ends every batch in flight. Order of events, not wall-clock times, is what the tests assert."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from driftctl.collectors.base import CollectContext, CollectGen, Collector
from driftctl.collectors.host import HostCollector
from driftctl.config import parse_config
from driftctl.models import Command
from driftctl.runner import abort_all, collect_all
from driftctl.scheduler import DRIVERS

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


@pytest.fixture
def silent_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # the kernel accepts; nothing ever sends a banner
    yield sock.getsockname()[1]
    sock.close()


class Sleeper(Collector):
    """Runs `sleep SECONDS` in the environments named in `slow`, `true` elsewhere."""

    name = "sleeper"
    needs = ("shell",)

    def __init__(self, slow: set[str], seconds: str):
        self.slow, self.seconds = slow, seconds

    def collect(self, ctx: CollectContext) -> CollectGen[dict]:
        argv = ("sleep", self.seconds) if ctx.env_name in self.slow else ("true",)
        (result,) = yield [Command(argv)]
        return {"exit": result.exit_status}


class Events:
    """Progress messages in the order the drivers said them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []

    def __call__(self, env: str, message: str) -> None:
        with self.lock:
            self.seen.append((env, message))

    def position(self, env: str, messages: tuple[str, ...] = ("done", "incomplete")) -> int:
        return next(i for i, (e, m) in enumerate(self.seen) if e == env and m in messages)


def fleet(tmp_path: Path, specs: dict[str, dict]):
    return parse_config({"version": 1, "environments": specs}, None, "fleet.yaml", str(tmp_path))


def test_silent_ports_hold_neither_drivers_nor_the_reachable_environments(tmp_path, sshd, silent_port):
    silent = [f"s{i}" for i in range(2 * DRIVERS)]  # more silent ports than there are driver threads
    reachable = [f"r{i}" for i in range(4)]
    specs = {name: dict(sshd.env_spec(str(tmp_path), connect_timeout=6), port=silent_port) for name in silent}
    specs |= {name: sshd.env_spec(str(tmp_path), connect_timeout=6) for name in reachable}
    events = Events()

    snaps = collect_all(fleet(tmp_path, specs), silent + reachable, jobs=len(specs), progress=events,
                        collectors=[HostCollector()])

    by_env = {s["environment"]: s for s in snaps}
    assert [s["environment"] for s in snaps] == silent + reachable  # results keep the order of names
    assert all("timed out after 6s" in by_env[e]["error"] for e in silent)
    assert all(by_env[e]["complete"] for e in reachable)
    # the silent ones started first and still waited on their deadline while every reachable one finished
    assert max(events.position(e) for e in reachable) < min(events.position(e) for e in silent)


def test_a_hung_batch_times_out_alone(tmp_path, sshd):
    names = ["slow", "a", "b", "c"]
    specs = {name: sshd.env_spec(str(tmp_path), command_timeout=4 if name == "slow" else 60) for name in names}
    events = Events()

    snaps = collect_all(fleet(tmp_path, specs), names, jobs=2, progress=events, collectors=[Sleeper({"slow"}, "300")])

    by_env = {s["environment"]: s for s in snaps}
    assert by_env["slow"]["collectors"]["sleeper"]["status"] == "error"
    assert "timed out after 4s" in by_env["slow"]["collectors"]["sleeper"]["error"]
    assert not by_env["slow"]["complete"]
    assert all(by_env[e]["complete"] and by_env[e]["collectors"]["sleeper"]["data"] == {"exit": 0} for e in "abc")
    # with jobs 2, the other slot served a, b and c one after another while `slow` waited
    assert max(events.position(e) for e in "abc") < events.position("slow")


def remote_sleeps(seconds: str) -> list[int]:
    """Pids of running `sleep SECONDS` processes (the target is this machine, through sshd)."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(argv) >= 2 and argv[0].endswith(b"sleep") and argv[1] == seconds.encode():
            pids.append(int(entry))
    return pids


def test_abort_all_ends_every_batch_in_flight(tmp_path, sshd):
    names = ["x", "y", "z"]
    seconds = f"{600 + os.getpid() % 1000}.{time.monotonic_ns() % 1000}"  # names this test's sleeps only
    specs = {name: sshd.env_spec(str(tmp_path), command_timeout=900) for name in names}
    result: dict[str, list[dict]] = {}
    worker = threading.Thread(target=lambda: result.setdefault("snaps", collect_all(
        fleet(tmp_path, specs), names, jobs=3, collectors=[Sleeper(set(names), seconds)])))
    worker.start()
    end = time.monotonic() + 120
    while len(remote_sleeps(seconds)) < 3 and time.monotonic() < end:
        time.sleep(0.02)  # polling a state we can observe, with a deadline
    assert len(remote_sleeps(seconds)) == 3

    abort_all()  # what Ctrl-C does
    worker.join(60)

    assert not worker.is_alive()
    for snap in result["snaps"]:
        outcome = snap["collectors"]["sleeper"]
        assert outcome["status"] == "error" and "lost" in outcome["error"], outcome
    end = time.monotonic() + 10
    while remote_sleeps(seconds) and time.monotonic() < end:
        time.sleep(0.02)
    assert remote_sleeps(seconds) == []  # the remote watcher killed each batch's process group
