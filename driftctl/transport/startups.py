"""At most a few not-yet-authenticated connections to one SSH server at a time.

OpenSSH's sshd counts the connections that have not finished authenticating and, past its
`MaxStartups` (default `10:30:100`), drops new ones at random (30 % at 10, rising to all of them at
100). `--jobs 32` over environments that share a server (several projects on one VM, or a fleet
behind one bastion, whose every environment logs in to the bastion first) would lose some of them to
"no SSH banner" on a stock server. The runner bounds the environments in flight; this bounds, per
server, the ones still between TCP connect and authentication, below that default, so the server
never sees more than it accepts. A login takes a fraction of a second, so a queue of a few rounds
costs little; a connection waits here within its own connect deadline, and one that runs out of it
reports that it waited for the server, not a generic timeout.

The wait is a `Signal` (driftctl/transport/waits.py): in the fleet scheduler a queued connection
costs a Flag, not a thread. A released slot is handed to the longest waiter directly, so a newcomer
never overtakes the queue.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable

from driftctl.transport.waits import Flag, Signal, Steps

# Below OpenSSH's default MaxStartups start (10), with room for the moment between a client seeing
# its authentication succeed and the server's listener counting that connection as started.
PER_SERVER = 8


class StartupQueueTimeout(TimeoutError):
    """The connect deadline passed while `PER_SERVER` other logins to the same server were running."""


class StartupGate:
    """Counts the logins in progress per server key; the key says what one sshd sees (its address,
    and the hop a tunnelled connection comes from)."""

    def __init__(self, per_server: int = PER_SERVER):
        self.per_server = per_server
        self._lock = threading.Lock()
        self._running: dict[Hashable, int] = {}
        self._queued: dict[Hashable, deque[Flag]] = {}

    def acquire_steps(self, server: Hashable, until: float | None, limit: int | None = None) -> Steps[None]:
        """Take a slot for `server`, waiting (yielded) until one is handed over or `until` passes.
        `limit` (the environment's `max_startups`) replaces the gate's own bound for this login."""
        bound = limit or self.per_server
        with self._lock:
            running = self._running.get(server, 0)
            if running < bound and not self._queued.get(server):
                self._running[server] = running + 1
                return
            handed = Flag()
            self._queued.setdefault(server, deque()).append(handed)
        try:
            while not handed.is_set():
                if not (yield Signal(handed, until)) and not handed.is_set():
                    raise StartupQueueTimeout(f"waiting for {bound} other logins to the same server to finish "
                                              "(max_startups)")
        except BaseException:
            self._leave_queue(server, handed)
            raise

    def release(self, server: Hashable) -> None:
        """Give the slot to the longest waiter, or free it."""
        with self._lock:
            queue = self._queued.get(server)
            if queue:
                handed = queue.popleft()
                if not queue:
                    del self._queued[server]
            else:
                handed = None
                running = self._running[server] - 1
                if running:
                    self._running[server] = running
                else:
                    del self._running[server]
        if handed is not None:
            handed.set()  # the slot passes on: the count stays

    def _leave_queue(self, server: Hashable, handed: Flag) -> None:
        """A waiter that gives up (deadline, abort): out of the queue, or, if a slot reached it in
        the meantime, that slot goes on to the next one."""
        with self._lock:
            queue = self._queued.get(server)
            if queue is not None and handed in queue:
                queue.remove(handed)
                if not queue:
                    del self._queued[server]
                return
        self.release(server)  # release() took it out of the queue: the slot is this waiter's

    def running(self, server: Hashable) -> int:
        """Logins in progress to `server` (for tests and diagnostics)."""
        with self._lock:
            return self._running.get(server, 0)


STARTUPS = StartupGate()
