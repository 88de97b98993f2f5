"""What a transport step waits for, so one thread can wait for many environments at once.

A transport's slow operations (connecting, running a batch) are written once, as generators that
yield a `Wait` whenever they would block and receive its outcome back. Two drivers run them:

- `run_blocking(steps)` performs each wait in the calling thread (select, Event.wait, a plain call):
  the ordinary `open()` / `run_batch()` methods are exactly this, for callers with a thread to spare.
- the fleet scheduler (driftctl/scheduler.py) hands the waits of every environment in flight to one
  waiter thread, so a fleet costs a few driver threads plus paramiko's reader per connection, instead
  of a blocked thread per environment.

A wait never raises for its time passing: it reports False, and the step that yielded it decides
(usually by comparing its own deadline) whether that is a timeout or just a time to look again.
"""

from __future__ import annotations

import select
import threading
import time
from collections.abc import Callable, Generator
from typing import Any, TypeVar

T = TypeVar("T")


class Wait:
    """Something a step waits for, until `until` (a time.monotonic() value; None: no limit)."""

    until: float | None = None

    def block(self) -> Any:
        """Wait in the calling thread; the value is what the step receives."""
        raise NotImplementedError

    def left(self) -> float | None:
        return None if self.until is None else max(0.0, self.until - time.monotonic())


class Readable(Wait):
    """Until `stream` (anything with fileno(): a socket, a paramiko Channel) has input or closed."""

    def __init__(self, stream: Any, until: float | None):
        self.stream, self.until = stream, until

    def block(self) -> bool:
        return bool(select.select([self.stream], [], [], self.left())[0])


class Writable(Wait):
    """Until `stream` can take output (a non-blocking connect() has finished, well or not)."""

    def __init__(self, stream: Any, until: float | None):
        self.stream, self.until = stream, until

    def block(self) -> bool:
        return bool(select.select([], [self.stream], [], self.left())[1])


class Signal(Wait):
    """Until `flag` is set (paramiko sets it from its reader thread when a negotiation step ends)."""

    def __init__(self, flag: Flag, until: float | None):
        self.flag, self.until = flag, until

    def block(self) -> bool:
        return self.flag.wait(self.left())


class Call(Wait):
    """A call that blocks and has no event to wait for (a subprocess, git): run it in a thread of its
    own. The step receives its value, or its exception is raised into the step."""

    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn

    def block(self) -> Any:
        return self.fn()


class Flag(threading.Event):
    """A threading.Event that also tells a waiter when it is set.

    paramiko accepts an Event for the end of negotiation steps (`start_client(event=...)`, channel
    opens and requests) and sets it from its reader thread; this one wakes the scheduler's waiter too,
    so nothing polls for it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.on_set: Callable[[], None] | None = None

    def set(self) -> None:
        super().set()
        notify = self.on_set
        if notify is not None:
            notify()


Steps = Generator[Wait, Any, T]


def run_blocking(steps: Steps[T]) -> T:
    """Run `steps` to the end in this thread, performing each wait here."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            wait = steps.throw(error) if error is not None else steps.send(value)
        except StopIteration as stop:
            return stop.value
        value, error = None, None
        try:
            value = wait.block()
        except BaseException as exc:  # noqa: BLE001 - raised into the step, which owns the cleanup
            error = exc
