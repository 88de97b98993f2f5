"""The shared ProxyJump hop registry as pure logic: generators driven by hand, stand-in connections.

What a real bastion shows (one login per run, failures, Ctrl-C) is in tests/fleet/test_shared_hop.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.transport.ssh_hops import HopRegistry, Unreached, hop_key
from driftctl.transport.ssh_target import SSHTarget
from driftctl.transport.waits import Flag, Signal

HOP = SSHTarget(alias="bastion", hostname="10.0.0.1", port=22, user="ops")
KEY = hop_key(HOP, [Path("/k/known_hosts")], False)
LATER = float("inf")  # a deadline that never passes
PAST = 0.0  # a deadline long passed (the monotonic clock counts up from boot)


class FakeTransport:
    sock = None  # close_and_join: nothing to shut down, no reader thread to join
    ident = None

    def __init__(self) -> None:
        self.active = True

    def is_active(self) -> bool:
        return self.active


class FakeClient:
    def __init__(self) -> None:
        self.transport = FakeTransport()
        self.closed = False

    def get_transport(self) -> FakeTransport:
        return self.transport

    def close(self) -> None:
        self.closed, self.transport.active = True, False


class Connector:
    """A `connect` for lease_steps: one wait (so it is in progress), then a client or a failure."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail, self.calls, self.client = fail, 0, FakeClient()

    def __call__(self):
        self.calls += 1
        yield Signal(Flag(), None)
        if self.fail is not None:
            raise self.fail
        return self.client, []


def finish(steps, value=True):
    """Resume a generator with `value`; what it returns (it must end)."""
    with pytest.raises(StopIteration) as stop:
        steps.send(value)
    return stop.value.value


def next_return(steps):
    """Start a generator that must end without a wait; what it returns."""
    with pytest.raises(StopIteration) as stop:
        next(steps)
    return stop.value.value


def test_the_key_is_the_whole_login() -> None:
    assert hop_key(HOP, [Path("/k/known_hosts")], False) == KEY
    other_user = SSHTarget(alias="bastion", hostname="10.0.0.1", port=22, user="root")
    other_key = SSHTarget(alias="bastion", hostname="10.0.0.1", port=22, user="ops", identity_files=("/id",))
    assert hop_key(other_user, [Path("/k/known_hosts")], False) != KEY
    assert hop_key(other_key, [Path("/k/known_hosts")], False) != KEY
    assert hop_key(HOP, [Path("/other/known_hosts")], False) != KEY
    assert hop_key(HOP, [Path("/k/known_hosts")], True) != KEY


def test_one_connects_the_others_wait_and_share_it_until_the_last_leaves() -> None:
    hops, first, second = HopRegistry(), Connector(), Connector()
    a = hops.lease_steps(KEY, first, LATER)
    assert isinstance(next(a), Signal)  # connecting
    b = hops.lease_steps(KEY, second, LATER)
    assert isinstance(next(b), Signal)  # waiting for a's attempt
    lease_a = finish(a)
    lease_b = finish(b)
    assert lease_a.client is lease_b.client is first.client and second.calls == 0
    c = hops.lease_steps(KEY, second, LATER)
    lease_c = next_return(c)  # connected: no wait at all
    for lease in (lease_a, lease_b):
        lease.release()
        lease.release()  # idempotent: abort() and close may both give it back
    assert not first.client.closed
    lease_c.release()
    assert first.client.closed and hops.connections() == 0


def test_the_hops_failure_reaches_each_waiter_as_its_own_exception() -> None:
    hops, failing = HopRegistry(), Connector(fail=Unreached(HOP, ConnectionRefusedError()))
    a = hops.lease_steps(KEY, failing, LATER)
    next(a)
    waiters = [hops.lease_steps(KEY, Connector(), LATER) for _ in range(2)]
    for w in waiters:
        next(w)
    with pytest.raises(Unreached) as first:
        a.send(True)
    raised = []
    for w in waiters:
        with pytest.raises(Unreached) as info:
            w.send(True)
        raised.append(info.value)
    assert all(e.target is HOP and isinstance(e.cause, ConnectionRefusedError) for e in raised)
    assert len({id(first.value), *map(id, raised)}) == 3
    assert hops.connections() == 0 and failing.calls == 1  # one attempt for all three


def test_a_dead_connection_is_never_handed_out() -> None:
    hops, first, second = HopRegistry(), Connector(), Connector()
    a = hops.lease_steps(KEY, first, LATER)
    next(a)
    lease_a = finish(a)
    first.client.transport.active = False  # the bastion dropped it
    b = hops.lease_steps(KEY, second, LATER)
    assert isinstance(next(b), Signal) and second.calls == 1  # a new connection
    assert finish(b).client is second.client
    lease_a.release()
    assert first.client.closed and not second.client.closed


def test_an_abandoned_attempt_leaves_its_waiters_to_connect_themselves() -> None:
    hops, first, second = HopRegistry(), Connector(), Connector()
    a, b = hops.lease_steps(KEY, first, LATER), hops.lease_steps(KEY, second, LATER)
    next(a)
    next(b)
    a.close()  # Ctrl-C while connecting: no failure of the hop's own to share
    assert isinstance(b.send(True), Signal) and second.calls == 1
    finish(b).release()
    assert second.client.closed and hops.connections() == 0


def test_a_waiter_whose_deadline_passes_is_not_counted() -> None:
    hops, first = HopRegistry(), Connector()
    a, b = hops.lease_steps(KEY, first, LATER), hops.lease_steps(KEY, Connector(), PAST)
    next(a)
    next(b)
    with pytest.raises(TimeoutError):
        b.send(False)
    finish(a).release()
    assert first.client.closed and hops.connections() == 0


def test_a_waiter_abandoned_after_the_hop_was_counted_for_it_gives_it_back() -> None:
    hops, first = HopRegistry(), Connector()
    a, b = hops.lease_steps(KEY, first, LATER), hops.lease_steps(KEY, Connector(), LATER)
    next(a)
    next(b)
    lease_a = finish(a)  # counted for b too
    b.close()  # Ctrl-C before b resumed
    lease_a.release()
    assert first.client.closed and hops.connections() == 0


def test_a_timeout_on_an_earlier_deadline_is_not_passed_to_a_later_one() -> None:
    """The connecting environment ran out of its connect_timeout; a waiter with a longer one tries
    with the time it has left instead of failing early."""
    hops = HopRegistry()
    slow = Connector(fail=Unreached(HOP, TimeoutError()))
    a, b = hops.lease_steps(KEY, slow, PAST), hops.lease_steps(KEY, Connector(), LATER)
    next(a)
    next(b)
    with pytest.raises(Unreached):
        a.send(True)
    assert isinstance(b.send(True), Signal)  # connecting on its own now


def test_a_held_registry_keeps_an_unused_hop_for_the_environments_still_to_come() -> None:
    hops, first, second = HopRegistry(), Connector(), Connector()
    with hops.held():
        a = hops.lease_steps(KEY, first, LATER)
        next(a)
        finish(a).release()
        assert not first.client.closed and hops.connections() == 1
        again = next_return(hops.lease_steps(KEY, second, LATER))
        assert again.client is first.client and second.calls == 0
        again.release()
    assert first.client.closed and hops.connections() == 0
