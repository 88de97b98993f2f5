"""A fleet is collected with bounded threads: an SSH environment in flight holds paramiko's reader
thread and nothing else; the scheduler's drivers and waiter, and connection deadlines, share a
constant few. Real sshd; a tenth of the environments point at a port that accepts and never answers."""

from __future__ import annotations

import socket
import threading

import pytest

from driftctl.collectors.host import HostCollector
from driftctl.config import parse_config
from driftctl.runner import collect_all
from driftctl.scheduler import DRIVERS

pytestmark = pytest.mark.integration

JOBS = 4
PER_ENVIRONMENT = 1  # paramiko's transport (reader) thread
SHARED = DRIVERS + 3  # the drivers, the waiter, the watchdog for connect deadlines, this test's main thread


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


def test_threads_stay_within_the_jobs_bound_and_failures_stay_isolated(tmp_path, sshd, silent_port):
    envs = {}
    for i in range(20):
        spec = sshd.env_spec(str(tmp_path), connect_timeout=3)
        if i % 10 == 9:
            spec["port"] = silent_port
        envs[f"h{i:02d}"] = spec
    cfg = parse_config({"version": 1, "environments": envs}, None, "fleet.yaml", str(tmp_path))
    before = threading.active_count()
    seen: list[int] = []
    in_flight: set[str] = set()
    most_in_flight = 0
    lock = threading.Lock()

    def progress(env: str, message: str) -> None:  # called from the drivers at every step
        nonlocal most_in_flight
        with lock:
            seen.append(threading.active_count())
            if message == "connecting":
                in_flight.add(env)
            elif message in ("done", "incomplete"):
                in_flight.discard(env)
            most_in_flight = max(most_in_flight, len(in_flight))

    snaps = collect_all(cfg, list(envs), jobs=JOBS, progress=progress, collectors=[HostCollector()])

    assert len(seen) >= 2 * len(envs)  # connecting, each round, done or incomplete: sampled throughout
    assert max(seen) <= before - 1 + JOBS * PER_ENVIRONMENT + SHARED, max(seen)
    assert most_in_flight == JOBS  # --jobs still means environments in flight, not threads
    by_env = {s["environment"]: s for s in snaps}
    failed = sorted(e for e, s in by_env.items() if s["error"])
    assert failed == ["h09", "h19"]
    assert all("timed out after 3s" in by_env[e]["error"] for e in failed)
    assert all(s["complete"] and s["collectors"]["host"]["status"] == "ok" for e, s in by_env.items() if e not in failed)
