"""How the fleet scheduler shares its few threads (driftctl/scheduler.py), on the real sshd: a silent
port or a hung batch holds only its own environment, up to its own deadline, and Ctrl-C's abort_all
ends every batch in flight. Order of events, not wall-clock times, is what the tests assert."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from driftctl.collectors.base import CollectContext, CollectGen, Collector
from driftctl.collectors.host import HostCollector
from driftctl.config import parse_config
from driftctl.models import Command
from driftctl.runner import abort_all, collect_all
from driftctl.scheduler import DRIVERS
from tests.fixtures.waiting import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


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


def test_silent_ports_hold_neither_drivers_nor_the_reachable_environments(tmp_path, sshd):
    silent_listener = socket.socket()
    silent_listener.bind(("127.0.0.1", 0))
    silent_listener.listen(64)  # the kernel accepts; nothing ever sends a banner
    silent = [f"s{i}" for i in range(2 * DRIVERS)]  # more silent ports than there are driver threads
    reachable = [f"r{i}" for i in range(4)]
    port = silent_listener.getsockname()[1]
    specs = {name: dict(sshd.env_spec(str(tmp_path), connect_timeout=120), port=port) for name in silent}
    specs |= {name: sshd.env_spec(str(tmp_path), connect_timeout=120) for name in reachable}
    events = Events()

    def progress(env: str, message: str) -> None:
        events(env, message)
        with events.lock:
            finished = {e for e, m in events.seen if m in ("done", "incomplete")}
        if finished >= set(reachable):
            silent_listener.close()  # only now do the silent ones see their connections reset

    try:
        snaps = collect_all(fleet(tmp_path, specs), silent + reachable, jobs=len(specs), progress=progress,
                            collectors=[HostCollector()])
    finally:
        silent_listener.close()

    by_env = {s["environment"]: s for s in snaps}
    assert [s["environment"] for s in snaps] == silent + reachable  # results keep the order of names
    assert all(by_env[e]["complete"] for e in reachable)
    # the silent ones were still waiting when every reachable one had finished: they ended on the
    # reset, not on their 120 s deadline (a design that parked them on the drivers could not get there)
    assert all(by_env[e]["error"] and "timed out" not in by_env[e]["error"] for e in silent), by_env
    assert max(events.position(e) for e in reachable) < min(events.position(e) for e in silent)


class Waiter(Collector):
    """`stuck` runs `sleep 300`; the `waiting` ones wait for a file to appear; the rest run `true`."""

    name = "waiter"
    needs = ("shell",)

    def __init__(self, waiting: set[str], flag: Path):
        self.waiting, self.flag = waiting, flag

    def collect(self, ctx: CollectContext) -> CollectGen[dict]:
        if ctx.env_name == "stuck":
            argv: tuple[str, ...] = ("sleep", "300")
        elif ctx.env_name in self.waiting:
            argv = ("sh", "-c", 'while [ ! -e "$1" ]; do sleep 0.05; done', "sh", str(self.flag))
        else:
            argv = ("true",)
        (result,) = yield [Command(argv)]
        return {"exit": result.exit_status}


def test_hung_batches_hold_only_their_own_environments(tmp_path, sshd):
    waiting = {f"w{i}" for i in range(DRIVERS + 1)}  # more hung batches than there are driver threads
    quick = ["a", "b", "c"]
    names = ["stuck", *sorted(waiting), *quick]
    flag = tmp_path / "released"
    specs = {name: sshd.env_spec(str(tmp_path), command_timeout=3 if name == "stuck" else 120) for name in names}
    events = Events()

    def progress(env: str, message: str) -> None:
        events(env, message)
        with events.lock:
            finished = {e for e, m in events.seen if m in ("done", "incomplete")}
        if finished >= set(quick):
            flag.touch()  # the waiting batches end only once the quick environments are through

    snaps = collect_all(fleet(tmp_path, specs), names, jobs=len(waiting) + 2, progress=progress,
                        collectors=[Waiter(waiting, flag)])

    by_env = {s["environment"]: s for s in snaps}
    assert "timed out after 3s" in by_env["stuck"]["collectors"]["waiter"]["error"]  # its own deadline
    assert not by_env["stuck"]["complete"]
    # the quick ones went through the free slots while the waiting batches were in flight, so those
    # ended well, on the file, long before their 120 s deadline
    assert all(by_env[e]["complete"] and by_env[e]["collectors"]["waiter"]["data"] == {"exit": 0}
               for e in [*waiting, *quick]), by_env


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
    seconds = f"{600 + os.getpid() % 1000}.{threading.get_ident() % 1000}"  # names this test's sleeps only
    specs = {name: sshd.env_spec(str(tmp_path), command_timeout=900) for name in names}
    result: dict[str, list[dict]] = {}
    worker = threading.Thread(target=lambda: result.setdefault("snaps", collect_all(
        fleet(tmp_path, specs), names, jobs=3, collectors=[Sleeper(set(names), seconds)])))
    worker.start()
    assert wait_until(lambda: len(remote_sleeps(seconds)) == 3, timeout=120)  # a state we can observe

    abort_all()  # what Ctrl-C does
    worker.join(60)

    assert not worker.is_alive()
    for snap in result["snaps"]:
        outcome = snap["collectors"]["sleeper"]
        assert outcome["status"] == "error" and "lost" in outcome["error"], outcome
    assert wait_until(lambda: remote_sleeps(seconds) == [], timeout=10)  # the remote watcher killed each batch's process group
