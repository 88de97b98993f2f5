"""One connection per ProxyJump hop, shared by every environment of the process that goes through it.

Why: each SSH environment behind a bastion used to log in to it on its own, so a fleet of 50 hosts
cost the bastion 50 logins per snapshot (its auth log, fail2ban or sshd's PerSourcePenalties, and a
paramiko reader thread each). OpenSSH users get one shared connection with ControlMaster; this is
that: while at least one environment needs a hop, one authenticated connection to it is kept, each
environment opens its own `direct-tcpip` channel over it, and the last one to let go closes it.

A hop is the same login when everything that decides the login is the same (`hop_key`): the hop's
SSHTarget (address, user, identity files, HostKeyAlias, its own jump chain) and the known_hosts files
and accept-new setting its host key is checked against. Different users or keys: different connections.

Concurrency follows the fleet scheduler (driftctl/scheduler.py): connecting is a generator of waits.
The first environment to need a hop connects; the ones that arrive meanwhile wait for that attempt as
a yielded `Signal` on a Flag of their own (never a lock held across a yield), bounded by their own
connect deadline. A success is handed to each of them (counted for them at once, so the hop cannot
close between the attempt and their turn); the hop's own failure (`Unreached`) is re-raised in each,
which words it with its own name and timeout. A connection that is no longer active is never handed
out: the next environment connects again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from driftctl.transport.waits import Flag, Signal, Steps

if TYPE_CHECKING:  # the runner holds the registry (HOPS.held) without loading paramiko for local runs
    from driftctl.transport.paramiko_lib import paramiko
    from driftctl.transport.ssh_target import SSHTarget

    Connect = Callable[[], Steps[tuple[paramiko.SSHClient, list["HopLease"]]]]


class Unreached(Exception):
    """A server of the chain could not be reached: which one, and the raw cause. The environment
    words it (name, `user@host:port`, its own connect_timeout) only at the end, so a hop's failure
    shared by the environments that waited for it still reads as each one's own line.
    `refused_key` is (revoked key blobs, known_hosts files) when the cause is the host key."""

    def __init__(self, target: SSHTarget, cause: Exception,
                 refused_key: tuple[set[bytes], list[Path]] | None = None):
        super().__init__(f"{target.label()}: {type(cause).__name__}")
        self.target, self.cause, self.refused_key = target, cause, refused_key

    def again(self) -> Unreached:
        """A fresh copy to raise in another environment (one exception object per traceback)."""
        return Unreached(self.target, self.cause, self.refused_key)


def hop_key(target: SSHTarget, known_hosts: Sequence[Path], accept_new: bool) -> Hashable:
    """What makes two environments' hop the same login (see the module docstring)."""
    return target, tuple(str(p) for p in known_hosts), accept_new


class _Shared:
    """One authenticated hop connection, the leases on the hops below it, and how many use it."""

    def __init__(self, key: Hashable, client: paramiko.SSHClient, below: list[HopLease]):
        self.key, self.client, self.below = key, client, below
        self.users = 0

    def alive(self) -> bool:
        transport = self.client.get_transport()
        return bool(transport is not None and transport.is_active())

    def close(self, wait: bool) -> None:
        """Close the connection (waiting for its reader thread unless `wait` is False: Ctrl-C), then
        let go of the hops it was tunnelled through."""
        from driftctl.transport.ssh_connect import close_and_join

        if wait:
            close_and_join(self.client)
        else:
            self.client.close()
        for lease in reversed(self.below):
            lease.release(wait)


class _Attempt:
    """A connection to a hop in progress: the Flags of the environments waiting for it, then its outcome."""

    def __init__(self, until: float):
        self.until = until
        self.waiters: list[Flag] = []  # kept after the outcome: who was served
        self.done = False
        self.shared: _Shared | None = None
        self.failure: Unreached | None = None
        self.out_of_time = False  # it failed on its own deadline, which a waiter may outlast


class HopLease:
    """One environment's use of a shared hop connection. `release` is idempotent: Ctrl-C's abort()
    and the environment's own close may both call it."""

    def __init__(self, registry: HopRegistry, shared: _Shared):
        self._registry, self._shared = registry, shared
        self.released = False

    @property
    def client(self) -> paramiko.SSHClient:
        return self._shared.client

    def release(self, wait: bool = True) -> None:
        self._registry.release(self, wait)

    @property
    def shared(self) -> _Shared:
        return self._shared


class HopRegistry:
    """The hop connections of the process, by `hop_key`: connected, or an attempt in progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hops: dict[Hashable, _Shared | _Attempt] = {}
        self._holds = 0  # collection runs in progress (held): an unused hop stays open until they end

    def lease_steps(self, key: Hashable, connect: Connect, until: float) -> Steps[HopLease]:
        """A lease on the connection for `key`: an active one, the one another environment is making
        (waited for until `until`), or one made here by `connect()`. Raises the hop's Unreached, or
        TimeoutError when `until` passes while another environment is still connecting."""
        while True:
            lease, attempt, flag = self._take(key, until)
            if lease is not None:
                return lease
            assert attempt is not None
            if flag is None:
                return (yield from self._connect_steps(key, attempt, connect))
            lease = yield from self._wait_steps(attempt, flag, until)
            if lease is not None:
                return lease
            # the attempt was abandoned, or ran out of a deadline earlier than ours: try again

    def _take(self, key: Hashable, until: float) -> tuple[HopLease | None, _Attempt | None, Flag | None]:
        """Under the lock: a lease on an active connection; or a new attempt, ours to make (no Flag);
        or the attempt in progress, with the Flag it will set for us."""
        stale: _Shared | None = None
        try:
            with self._lock:
                entry = self._hops.get(key)
                if isinstance(entry, _Shared):
                    if entry.alive():
                        entry.users += 1
                        return HopLease(self, entry), None, None
                    del self._hops[key]  # dead: never handed out; its users (if any) close it as they leave
                    stale, entry = (entry if entry.users == 0 else None), None
                if entry is None:
                    attempt = _Attempt(until)
                    self._hops[key] = attempt
                    return None, attempt, None
                flag = Flag()
                entry.waiters.append(flag)
                return None, entry, flag
        finally:
            if stale is not None:  # kept unused by a run (held), and dead since: closed out of the lock
                stale.close(wait=True)

    def _connect_steps(self, key: Hashable, attempt: _Attempt, connect: Connect) -> Steps[HopLease]:
        try:
            client, below = yield from connect()
        except Unreached as exc:
            self._finish(key, attempt, None, exc)
            raise
        except BaseException:  # abandoned (Ctrl-C), or not the hop's failure: the waiters try themselves
            self._finish(key, attempt, None, None)
            raise
        shared = _Shared(key, client, below)
        self._finish(key, attempt, shared, None)
        return HopLease(self, shared)

    def _finish(self, key: Hashable, attempt: _Attempt, shared: _Shared | None, failure: Unreached | None) -> None:
        """Record the attempt's outcome and wake its waiters; a success is counted for each of them."""
        with self._lock:
            attempt.done, attempt.shared, attempt.failure = True, shared, failure
            attempt.out_of_time = time.monotonic() >= attempt.until
            if shared is not None:
                shared.users = 1 + len(attempt.waiters)
                self._hops[key] = shared
            elif self._hops.get(key) is attempt:
                del self._hops[key]
            waiters = list(attempt.waiters)
        for flag in waiters:
            flag.set()

    def _wait_steps(self, attempt: _Attempt, flag: Flag, until: float) -> Steps[HopLease | None]:
        """Wait for another environment's attempt: its connection (already counted for us), its
        failure, or None (try again). TimeoutError when `until` passes first."""
        try:
            while not flag.is_set():
                if not (yield Signal(flag, until)) and not flag.is_set():
                    if self._give_up(attempt, flag):
                        raise TimeoutError("deadline passed while another environment connected to the jump host")
                    break  # it finished just now: its outcome is recorded
        except BaseException:
            self._leave(attempt, flag)
            raise
        if attempt.shared is not None:
            return HopLease(self, attempt.shared)
        if attempt.failure is not None and not (attempt.out_of_time and until > attempt.until):
            raise attempt.failure.again()
        return None

    def _give_up(self, attempt: _Attempt, flag: Flag) -> bool:
        """Our deadline passed: leave the attempt's waiters, unless it finished meanwhile (then False)."""
        with self._lock:
            if attempt.done:
                return False
            attempt.waiters.remove(flag)
            return True

    def _leave(self, attempt: _Attempt, flag: Flag) -> None:
        """An abandoned waiter (Ctrl-C): out of the waiters, or the lease counted for it given back."""
        with self._lock:
            if flag not in attempt.waiters:
                return
            if not attempt.done:
                attempt.waiters.remove(flag)
                return
            shared = attempt.shared
        if shared is not None:
            self.release(HopLease(self, shared))

    def release(self, lease: HopLease, wait: bool = True) -> None:
        """One user fewer; the last one closes the connection (and lets go of the hops below it),
        unless a collection run still holds the registry and the connection is alive: then it waits,
        unused, for the run's environments still to come."""
        shared = lease.shared
        with self._lock:
            if lease.released:
                return
            lease.released = True
            shared.users -= 1
            current = self._hops.get(shared.key) is shared
            close = shared.users == 0 and not (self._holds and current and shared.alive())
            if close and current:
                del self._hops[shared.key]
        if close:
            shared.close(wait)

    @contextmanager
    def held(self) -> Iterator[None]:
        """For a collection run: a hop that none of its environments uses at the moment stays open for
        the ones still queued (--jobs below the fleet's size), so a run logs in to a hop once. At the
        end of the run the unused ones close (without waiting for their threads after Ctrl-C)."""
        with self._lock:
            self._holds += 1
        finished = False
        try:
            yield
            finished = True
        finally:
            with self._lock:
                self._holds -= 1
                idle = [] if self._holds else [h for h in self._hops.values() if isinstance(h, _Shared) and not h.users]
                for shared in idle:
                    del self._hops[shared.key]
            for shared in idle:
                shared.close(wait=finished)

    def connections(self) -> int:
        """Hop connections open or being made (for tests and diagnostics)."""
        with self._lock:
            return len(self._hops)


HOPS = HopRegistry()
