"""Work on the connections a collection has open (runner.WhileOpen): it runs on each environment's own
transport before the close (no second login), at any number of jobs, and its failures never reach
the snapshots. Real sshd counting its logins."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from driftctl.collectors.host import HostCollector
from driftctl.config import parse_config
from driftctl.models import Command
from driftctl.runner import collect_all
from driftctl.transport.base import Transport
from driftctl.transport.waits import Steps
from tests.fixtures.sshd import free_port

pytestmark = pytest.mark.integration

REACHABLE = ["a", "b", "c"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


def fleet(tmp_path: Path, sshd) -> tuple:
    """`hub` (local, named first), three SSH environments and one whose port refuses connections."""
    specs: dict[str, dict] = {"hub": {"transport": "local", "path": str(tmp_path)}}
    specs |= {name: sshd.env_spec(str(tmp_path)) for name in REACHABLE}
    specs["refused"] = sshd.env_spec(str(tmp_path), port=free_port())
    config = parse_config({"version": 1, "environments": specs}, None, "fleet.yaml", str(tmp_path))
    return config, list(specs)


class Recorder:
    """Work that runs a command on each open transport and records what it saw."""

    def __init__(self, fail_in: str | None = None):
        self.lock = threading.Lock()
        self.ran: dict[str, str] = {}  # environment -> its command's output on the open transport
        self.seen: dict[str, dict] = {}  # environment -> the snapshot the work was given
        self.fail_in = fail_in

    def each(self, name: str, transport: Transport, snapshot: dict) -> Steps[None]:
        (result,) = yield from transport.batch_steps([Command(("echo", name))])
        if name == self.fail_in:
            raise RuntimeError("a bug in the extra work")
        with self.lock:
            self.ran[name] = result.text.strip()
            self.seen[name] = snapshot


@pytest.mark.parametrize("jobs", [1, 2, 8])
def test_work_runs_on_the_open_connections(tmp_path, sshd, jobs):
    config, names = fleet(tmp_path, sshd)
    work = Recorder()
    before = sshd.accepted_logins()

    snaps = collect_all(config, names, jobs=jobs, collectors=[HostCollector()], while_open=work.each)

    assert sshd.accepted_logins() - before == len(REACHABLE)  # the extra work logged in no more
    assert [s["environment"] for s in snaps] == names  # results keep the order of names
    assert work.ran == {name: name for name in ["hub", *REACHABLE]}  # not for the one that never connected
    by_env = {s["environment"]: s for s in snaps}
    assert all(work.seen[name] is by_env[name] for name in work.seen)  # the snapshots returned


def test_failing_work_leaves_the_snapshots_and_the_other_environments_alone(tmp_path, sshd):
    config, names = fleet(tmp_path, sshd)
    plain = collect_all(config, names, collectors=[HostCollector()])
    work = Recorder(fail_in="b")

    snaps = collect_all(config, names, collectors=[HostCollector()], while_open=work.each)

    assert [s["fingerprint"] for s in snaps] == [s["fingerprint"] for s in plain]
    assert [s["complete"] for s in snaps] == [s["complete"] for s in plain] == [True, True, True, True, False]
    assert set(work.ran) == {"hub", "a", "c"}
