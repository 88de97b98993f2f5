"""Many environments in flight on a few threads: the fleet side of `--jobs`.

Each environment's collection is a generator of waits (driftctl/transport/waits.py). `run_all` keeps
`jobs` of them in flight and gives them a fixed handful of threads:

- DRIVERS driver threads advance the generators: collector logic, parsing, building batches, and the
  short steps paramiko only offers as blocking calls (public-key auth on a server that has already
  answered the key exchange);
- one waiter thread waits for all of them at once: a select() over the sockets and channels they read
  or connect, the Flags paramiko sets when a negotiation step ends, and every wait's deadline;
- a `Call` (a blocking local or git command, which has no descriptor to wait on) runs in a thread of
  its own for its duration. Those environments hold no paramiko thread, so either way an environment
  in flight costs at most one thread: paramiko's reader for SSH, the call's thread otherwise.

So a fleet of any size runs on `jobs` + DRIVERS + 1 threads (plus the connect watchdog), and a silent
port costs a timer in the waiter, not a blocked thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import queue
import select
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from driftctl.transport.waits import Call, Readable, Signal, Steps, Wait, Writable

log = logging.getLogger(__name__)
T = TypeVar("T")
DRIVERS = 2  # threads that advance generators; the GIL makes more of them no faster
# Environments in flight at once when `--jobs` is not given. Each costs one paramiko reader thread and
# one socket while it runs; 32 keeps a fleet of 20-30 hosts in one wave (benchmarks/fleet.py, 20 hosts:
# 0.85 s at 32 against 0.92 s at 16, where the last 4 hosts waited for a slot).
DEFAULT_JOBS = 32


class _Job(Generic[T]):
    def __init__(self, index: int, make: Callable[[], Steps[T]]):
        self.index = index
        self.make = make
        self.steps: Steps[T] | None = None


def run_all(makers: Sequence[Callable[[], Steps[T]]], *, jobs: int,
            on_error: Callable[[int, BaseException], T], drivers: int = DRIVERS,
            meanwhile: Callable[[], None] | None = None) -> list[T]:
    """Run every generator `makers[i]()` to its end, at most `jobs` at a time; results keep their
    order. A generator that raises gets `on_error(i, exception)` as its result. `meanwhile` runs in
    the calling thread once the jobs have started. KeyboardInterrupt in the calling thread propagates
    at once (the caller aborts the transports)."""
    if meanwhile is not None and not makers:
        meanwhile()
    if not makers:
        return []
    run = _Run(makers, max(1, jobs), on_error)
    run.start(max(1, min(drivers, len(makers))))
    try:
        if meanwhile is not None:
            meanwhile()
        run.done.wait()
    finally:
        run.stop()
    return [run.results[i] for i in range(len(makers))]


class _Run(Generic[T]):
    """The state of one run_all: the queue of runnable jobs, the waiter, the results."""

    def __init__(self, makers: Sequence[Callable[[], Steps[T]]], jobs: int,
                 on_error: Callable[[int, BaseException], T]):
        self.todo = iter([_Job(i, m) for i, m in enumerate(makers)])
        self.total = len(makers)
        self.jobs = jobs
        self.on_error = on_error
        self.results: dict[int, T] = {}
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.ready: queue.SimpleQueue[tuple[_Job[T], Any, BaseException | None] | None] = queue.SimpleQueue()
        self.waiter = _Waiter(lambda job, value: self.ready.put((job, value, None)))
        self.threads: list[threading.Thread] = []
        self.calls: list[threading.Thread] = []  # Call threads, joined at the end

    def start(self, drivers: int) -> None:
        self.threads = [threading.Thread(target=self._drive, daemon=True, name=f"driftctl-driver-{i}")
                        for i in range(drivers)]
        self.threads.append(threading.Thread(target=self.waiter.run, daemon=True, name="driftctl-waiter"))
        for t in self.threads:
            t.start()
        with self.lock:
            first = list(itertools.islice(self.todo, self.jobs))
        for job in first:
            self.ready.put((job, None, None))

    def stop(self) -> None:
        """End the driver and waiter threads; on Ctrl-C they are daemons parked on a queue or select."""
        for _ in self.threads[:-1]:
            self.ready.put(None)
        self.waiter.stop()
        if self.done.is_set():
            with self.lock:
                calls = list(self.calls)
            for t in self.threads + calls:
                t.join(5)

    def _drive(self) -> None:
        while True:
            item = self.ready.get()
            if item is None:
                return
            job, value, error = item
            try:
                if job.steps is None:
                    job.steps = job.make()
                    wait = next(job.steps)
                else:
                    wait = job.steps.throw(error) if error is not None else job.steps.send(value)
            except StopIteration as stop:
                self._finish(job, stop.value)
            except BaseException as exc:  # noqa: BLE001 - one environment's failure stays its own
                self._finish(job, self.on_error(job.index, exc))
            else:
                self._park(job, wait)

    def _park(self, job: _Job[T], wait: Wait) -> None:
        if isinstance(wait, Call):
            caller = threading.Thread(target=self._call, args=(job, wait), daemon=True, name="driftctl-call")
            with self.lock:
                self.calls = [t for t in self.calls if t.is_alive()]
                self.calls.append(caller)
            caller.start()
        else:
            self.waiter.add(job, wait)

    def _call(self, job: _Job[T], wait: Call) -> None:
        try:
            value = wait.fn()
        except BaseException as exc:  # noqa: BLE001 - raised into the environment's steps
            self.ready.put((job, None, exc))
        else:
            self.ready.put((job, value, None))

    def _finish(self, job: _Job[T], result: T) -> None:
        job.steps = None
        with self.lock:
            self.results[job.index] = result
            following = next(self.todo, None)
            finished = len(self.results) == self.total
        if following is not None:
            self.ready.put((following, None, None))
        if finished:
            self.done.set()


class _Waiter:
    """One thread waiting for every parked job: descriptors by select(), Flags by a wake-up pipe,
    deadlines by the select timeout. A job resumes with True (ready) or False (its time passed)."""

    def __init__(self, resume: Callable[[Any, bool], None]):
        self._resume = resume
        self._lock = threading.Lock()
        self._parked: dict[int, tuple[Any, Wait, int | None]] = {}  # key -> (job, wait, fd)
        self._timers: list[tuple[float, int]] = []
        self._keys = itertools.count()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._stopped = False

    def add(self, job: Any, wait: Wait) -> None:
        fd = None
        if isinstance(wait, (Readable, Writable)):
            try:
                fd = wait.stream.fileno()
            except Exception:  # noqa: BLE001 - a closed stream: let the step see it at once
                self._resume(job, True)
                return
            if fd < 0:
                self._resume(job, True)
                return
        elif not isinstance(wait, Signal):
            raise TypeError(f"cannot wait for {wait!r}")
        key = next(self._keys)
        with self._lock:
            self._parked[key] = (job, wait, fd)
            if wait.until is not None:
                heapq.heappush(self._timers, (wait.until, key))
        if isinstance(wait, Signal):
            wait.flag.on_set = self.wake  # set first, then look: no set() can fall between the two
        self.wake()

    def wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except BlockingIOError:  # the pipe is full of wake-ups already
            pass
        except OSError:  # closed at stop
            pass

    def stop(self) -> None:
        self._stopped = True
        self.wake()

    def run(self) -> None:
        try:
            while not self._stopped:
                self._once()
        finally:
            os.close(self._wake_r)
            os.close(self._wake_w)

    def _once(self) -> None:
        with self._lock:
            readers = [fd for _, w, fd in self._parked.values() if fd is not None and isinstance(w, Readable)]
            writers = [fd for _, w, fd in self._parked.values() if fd is not None and isinstance(w, Writable)]
            flagged = [k for k, (_, w, _) in self._parked.items() if isinstance(w, Signal) and w.flag.is_set()]
            timeout = None if not self._timers else max(0.0, self._timers[0][0] - time.monotonic())
        if flagged:
            timeout = 0.0
        try:
            r, w, _ = select.select([self._wake_r, *readers], writers, [], timeout)
            ready = set(r) | set(w)
        except (OSError, ValueError):  # a descriptor closed under us (Ctrl-C, a watchdog): find which
            ready = {fd for fd in readers + writers if _broken_or_ready(fd)}
        if self._wake_r in ready:
            try:
                while os.read(self._wake_r, 4096):
                    pass
            except BlockingIOError:
                pass
        now = time.monotonic()
        fired: list[tuple[Any, bool]] = []
        with self._lock:
            for key, (job, wait, fd) in list(self._parked.items()):
                hit = (fd in ready) if fd is not None else isinstance(wait, Signal) and wait.flag.is_set()
                if hit or (wait.until is not None and wait.until <= now):
                    del self._parked[key]
                    if isinstance(wait, Signal):
                        wait.flag.on_set = None
                    fired.append((job, hit))
            while self._timers and self._timers[0][1] not in self._parked:
                heapq.heappop(self._timers)
        for job, hit in fired:
            self._resume(job, hit)


def _broken_or_ready(fd: int) -> bool:
    try:
        r, w, _ = select.select([fd], [fd], [], 0)
    except (OSError, ValueError):
        return True
    return bool(r or w)
