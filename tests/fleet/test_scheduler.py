"""driftctl/scheduler.run_all on real sockets, threads and Flags (no hosts): results in order, at
most `jobs` generators in flight, failures isolated, each kind of wait resumed with the right value."""

from __future__ import annotations

import socket
import threading

from driftctl.scheduler import run_all
from driftctl.transport.waits import Call, Flag, Readable, Signal, Steps, Writable, run_blocking
from tests.fixtures.waiting import deadline


def test_results_keep_their_order_and_jobs_bound_the_generators_in_flight():
    lock = threading.Lock()
    state = {"in_flight": 0, "most": 0}

    def job(i: int) -> Steps[int]:
        with lock:
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
        a, b = socket.socketpair()
        try:
            yield Call(lambda: b.send(b"x"))  # a blocking call, in a thread of its own
            assert (yield Readable(a, None)) is True
            value = yield Call(lambda: i * i)
        finally:
            a.close()
            b.close()
            with lock:
                state["in_flight"] -= 1
        return value

    results = run_all([lambda i=i: job(i) for i in range(12)], jobs=3, on_error=lambda i, exc: -1)

    assert results == [i * i for i in range(12)]
    assert 1 <= state["most"] <= 3


def test_a_failing_generator_gets_its_on_error_result_and_the_others_finish():
    def ok(i: int) -> Steps[str]:
        yield Call(lambda: None)
        return f"ok {i}"

    def broken() -> Steps[str]:
        yield Call(lambda: None)
        raise ValueError("boom")

    def call_fails() -> Steps[str]:
        try:
            yield Call(lambda: 1 / 0)
        except ZeroDivisionError:
            return "the call's exception was raised into the steps"
        return "not reached"

    makers = [lambda: ok(0), broken, call_fails, lambda: ok(3)]
    results = run_all(makers, jobs=2, on_error=lambda i, exc: f"failed {i}: {exc}")

    assert results == ["ok 0", "failed 1: boom", "the call's exception was raised into the steps", "ok 3"]


def test_waits_resume_true_when_ready_and_false_when_their_time_passes():
    flag = Flag()
    never = Flag()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.socket()
    client.setblocking(False)
    client.connect_ex(listener.getsockname())

    def waits() -> Steps[list[bool]]:
        seen = [(yield Signal(never, deadline(0.05)))]  # nobody sets it: its time passes
        yield Call(lambda: threading.Timer(0.01, flag.set).start())
        seen.append((yield Signal(flag, deadline(60))))  # set from another thread
        seen.append((yield Writable(client, deadline(60))))  # the connect completed
        return seen

    try:
        assert run_all([waits], jobs=1, on_error=lambda i, exc: [exc]) == [[False, True, True]]
        never.clear()
        flag.clear()
        assert run_blocking(waits()) == [False, True, True]  # the same steps, waited in this thread
    finally:
        client.close()
        listener.close()


def test_no_threads_are_left_behind():
    before = threading.active_count()

    def job() -> Steps[None]:
        yield Call(lambda: None)

    run_all([job] * 5, jobs=5, on_error=lambda i, exc: None)
    assert threading.active_count() == before
