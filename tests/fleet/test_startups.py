"""Logins to one SSH server are let through a few at a time, below OpenSSH's default MaxStartups.

A stock sshd drops new connections once 10 are still authenticating; a fleet sharing a server (one
VM with several projects, or a bastion every environment logs in to first) at `--jobs 32` would lose
environments to "no SSH banner". The gate is tested as pure logic (generators driven by hand, and a
property test over random interleavings), then on a real sshd that refuses every connection past 10
unauthenticated ones.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftctl.collectors.host import HostCollector
from driftctl.config import parse_config
from driftctl.runner import collect_all
from driftctl.transport.startups import StartupGate, StartupQueueTimeout
from driftctl.transport.waits import Signal
from tests.fixtures.sshd import start_sshd

SERVER = ("db.internal", "22")


def acquired(steps) -> bool:
    """Advance a fresh acquire generator: True if it got a slot at once, False if it waits."""
    try:
        wait = next(steps)
    except StopIteration:
        return True
    assert isinstance(wait, Signal)
    return False


def test_slots_up_to_the_bound_then_a_queue_served_in_order() -> None:
    gate = StartupGate(per_server=2)
    first, second = gate.acquire_steps(SERVER, None), gate.acquire_steps(SERVER, None)
    assert acquired(first) and acquired(second)
    third, fourth = gate.acquire_steps(SERVER, None), gate.acquire_steps(SERVER, None)
    assert not acquired(third) and not acquired(fourth)
    assert acquired(gate.acquire_steps(("other", "22"), None))  # another server is not held up
    gate.release(SERVER)
    with pytest.raises(StopIteration):  # the freed slot went to the longest waiter
        third.send(True)
    late = gate.acquire_steps(SERVER, None)
    assert not acquired(late)  # a newcomer queues behind `fourth`, even at the moment a slot frees
    gate.release(SERVER)
    with pytest.raises(StopIteration):
        fourth.send(True)
    assert gate.running(SERVER) == 2


def test_a_waiter_whose_deadline_passes_leaves_the_queue() -> None:
    gate = StartupGate(per_server=1)
    assert acquired(gate.acquire_steps(SERVER, None))
    waiting = gate.acquire_steps(SERVER, 0.0)
    assert not acquired(waiting)
    with pytest.raises(StartupQueueTimeout, match="waiting for 1 other logins to the same server"):
        waiting.send(False)
    gate.release(SERVER)
    assert gate.running(SERVER) == 0
    assert acquired(gate.acquire_steps(SERVER, None))  # nothing left behind in the queue


def test_a_slot_handed_to_a_waiter_that_gives_up_passes_on() -> None:
    """The slot reached the waiter, but an abort (Ctrl-C) arrives before it runs: not leaked."""
    gate = StartupGate(per_server=1)
    assert acquired(gate.acquire_steps(SERVER, None))
    aborted, next_one = gate.acquire_steps(SERVER, None), gate.acquire_steps(SERVER, None)
    assert not acquired(aborted) and not acquired(next_one)
    gate.release(SERVER)  # handed to `aborted`
    with pytest.raises(KeyboardInterrupt):
        aborted.throw(KeyboardInterrupt())
    with pytest.raises(StopIteration):  # ... and passed on to the next waiter
        next_one.send(True)
    gate.release(SERVER)
    assert gate.running(SERVER) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["come", "done", "give up"]), st.integers(0, 20)), max_size=60))
def test_never_more_than_the_bound_and_no_slot_is_lost(ops) -> None:
    bound = 3
    gate = StartupGate(per_server=bound)
    holders: list[object] = []  # generators that own a slot
    waiters: list[object] = []  # generators queued, oldest first
    for op, pick in ops:
        if op == "come":
            steps = gate.acquire_steps(SERVER, None)
            (holders if acquired(steps) else waiters).append(steps)
        elif op == "done" and holders:
            holders.pop(pick % len(holders))
            gate.release(SERVER)
            if waiters:  # the oldest waiter must be the one that got it
                oldest = waiters.pop(0)
                with pytest.raises(StopIteration):
                    oldest.send(True)
                holders.append(oldest)
        elif op == "give up" and waiters:
            quitter = waiters.pop(pick % len(waiters))
            with pytest.raises(StartupQueueTimeout):
                quitter.send(False)
        assert gate.running(SERVER) == len(holders) <= bound
        assert not waiters or len(holders) == bound  # nobody waits while a slot is free


@pytest.mark.integration
@pytest.mark.parametrize(("server_limit", "max_startups", "loses"), [
    ("MaxStartups 10", None, False),  # OpenSSH's default start; driftctl's default bound of 8
    ("MaxStartups 3", 2, False),  # a stricter server, told to the environments
    ("MaxStartups 10", 40, True),  # the bound lifted: the set-up can see the failure
])
def test_a_fleet_on_one_sshd_loses_no_environment_within_its_max_startups(
        tmp_path, sshd_user_key, monkeypatch, server_limit, max_startups, loses) -> None:
    """40 environments on one server that refuses every connection past its MaxStartups
    unauthenticated ones, collected 32 at a time: within the bound all complete and sshd dropped
    nothing; past it, environments are lost to "no SSH banner", as they were before the bound."""
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    server = start_sshd(tmp_path / "sshd", sshd_user_key, extra_config=(server_limit,))
    try:
        extra = {} if max_startups is None else {"max_startups": max_startups}
        envs = {f"h{i:02d}": server.env_spec(str(tmp_path), connect_timeout=30, **extra) for i in range(40)}
        cfg = parse_config({"version": 1, "environments": envs}, None, "fleet.yaml", str(tmp_path))

        snaps = collect_all(cfg, list(envs), jobs=32, collectors=[HostCollector()])

        lost = [s["error"] for s in snaps if s["error"]]
        if loses:
            assert lost and all("no SSH banner" in e or "closed the connection" in e for e in lost), lost
            assert "MaxStartups" in server.log_text()
        else:
            assert lost == []
            assert "MaxStartups" not in server.log_text()
    finally:
        server.stop()
