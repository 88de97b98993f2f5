"""The only code that executes collectors.

Per environment: open one transport, drive every applicable collector's generator in lockstep (one
batch of commands per round, identical commands shared), and record each collector's data, error or
skip reason. Environments are collected concurrently; a failure in one never stops the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from driftctl import __version__, capabilities
from driftctl.collectors import all_collectors
from driftctl.collectors.base import CollectContext, Collector, Skipped
from driftctl.config import Config, EnvironmentSpec, role_of
from driftctl.errors import DriftctlError, TransportError
from driftctl.limits import one_line
from driftctl.models import CollectorOutcome, Command, CommandResult
from driftctl.own_files import excluded_for, own_paths
from driftctl.scheduler import DEFAULT_JOBS
from driftctl.secrets import key_id, scrub_document
from driftctl.snapshot import SCHEMA_VERSION, content_fingerprint
from driftctl.transport.ssh_hops import HOPS
from driftctl.transport.waits import Call, Flag, Signal, Steps, run_blocking

if TYPE_CHECKING:
    from driftctl.transport.base import Transport

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[str, str], None]  # (environment, message)
# Read-only work a caller runs on each environment's transport before the runner closes it:
# `(name, open transport, finished snapshot)`. It is what would otherwise cost an SSH environment a
# second login (`plan`'s secret scan of uncommitted files). The work records its results itself;
# its errors are logged and never reach the snapshot, which stays exactly what the collection saw.
WhileOpen = Callable[[str, "Transport", dict], Steps[None]]
Then = Callable[["Transport", dict], Steps[None]]  # (open transport, its finished snapshot)


def collect_all(
    config: Config,
    names: list[str],
    *,
    accept_new_host_key: bool = False,
    progress: Progress | None = None,
    collectors: list[Collector] | None = None,
    jobs: int | None = None,
    while_open: WhileOpen | None = None,
) -> list[dict]:
    """Snapshot the named environments, `jobs` of them in flight at a time; results keep the order
    of `names`. `while_open`: read-only work of the caller on each transport before it is closed.

    Each environment is a generator of waits (environment_steps) run by driftctl/scheduler.py: a few
    driver threads and one waiter serve every environment in flight, so an environment costs one
    thread at most (paramiko's reader over SSH; a blocking local or git call's thread otherwise) and
    `jobs` bounds threads, sockets and memory for a fleet of any size.

    The environments start connecting at once; the collector modules are imported meanwhile (here, in
    the calling thread), so a host's key exchange and login shell overlap the controller's start-up.
    """
    from driftctl.scheduler import run_all

    chosen = _Later(collectors)
    own = _once(lambda: own_paths(config))  # the same for every environment of the run
    makers = [
        (lambda name=name: environment_steps(config, name, chosen, accept_new_host_key=accept_new_host_key,
                                             progress=progress, own=own, then=_bound(while_open, name)))
        for name in names
    ]
    # On Ctrl-C the main thread aborts every open transport (closing SSH channels ends the remote
    # batches) and leaves at once instead of waiting for command_timeout. The run holds the shared
    # ProxyJump hop connections (ssh_hops.py): one login per hop per run, closed when the run ends.
    with HOPS.held():
        try:
            return run_all(makers, jobs=jobs or DEFAULT_JOBS, meanwhile=chosen.resolve,
                           on_error=lambda index, exc: failed_snapshot(config, names[index], exc))
        except KeyboardInterrupt:
            abort_all()
            raise


def _bound(while_open: WhileOpen | None, name: str) -> Then | None:
    """`while_open` for one environment, or None (nothing to do: close at once)."""
    if while_open is None:
        return None
    return lambda transport, snapshot: while_open(name, transport, snapshot)


def _once(make: Callable[[], T]) -> Callable[[], T]:
    """`make()`, called by the first caller of any thread only; the others get its value."""
    lock = threading.Lock()
    box: list[T] = []

    def get() -> T:
        with lock:
            if not box:
                box.append(make())
            return box[0]
    return get


class _Later:
    """The collector list, imported by the calling thread while the environments already connect."""

    def __init__(self, given: list[Collector] | None):
        self._value = given
        self._ready = Flag()
        if given is not None:
            self._ready.set()

    def resolve(self) -> None:
        try:
            if self._value is None:
                self._value = all_collectors()
        finally:
            self._ready.set()

    def ready_steps(self) -> Steps[None]:
        """Wait (as a yielded Signal, not a blocked driver) until the list is there."""
        while not self._ready.is_set():
            yield Signal(self._ready, None)

    def __call__(self) -> list[Collector]:
        self._ready.wait()
        if self._value is None:
            raise RuntimeError("the collectors could not be loaded")
        return self._value


_active: set = set()
_active_lock = threading.Lock()


def abort_all() -> None:
    """Abort every transport a collection has open (Ctrl-C)."""
    with _active_lock:
        transports = list(_active)
    for transport in transports:
        try:
            transport.abort()
        except Exception:  # noqa: BLE001 - best effort while the program exits
            log.warning("aborting a transport failed", exc_info=True)


def failed_snapshot(config: Config, name: str, exc: BaseException) -> dict:
    """A snapshot that records only why the environment could not be collected."""
    spec = config.environments[name]
    return {
        "schema_version": SCHEMA_VERSION, "environment": name, "transport": spec.transport, "target": None,
        "collected_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "driftctl_version": __version__, "complete": False, "error": environment_failure(name, exc),
        "collectors": {},
    }


def collect_environment(
    config: Config,
    name: str,
    collectors: list[Collector] | Callable[[], list[Collector]],
    *,
    accept_new_host_key: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Snapshot one environment in the calling thread."""
    return run_blocking(environment_steps(config, name, collectors, accept_new_host_key=accept_new_host_key,
                                          progress=progress))


def environment_steps(
    config: Config,
    name: str,
    collectors: list[Collector] | Callable[[], list[Collector]],
    *,
    accept_new_host_key: bool = False,
    progress: Progress | None = None,
    own: Callable[[], list[Path]] | None = None,
    then: Then | None = None,
) -> Steps[dict]:
    """One environment's snapshot, as a generator of waits (see transport/waits.py): connect, drive
    the collectors round by round, run `then` on the still-open transport (when it connected), close.
    Its failures of any kind stay in its snapshot. `own` gives driftctl's own paths
    (own_files.own_paths) when a fleet shares them."""
    from driftctl.transport import make_transport

    spec = config.environments[name]
    caps = capabilities.of(spec.transport)
    started = time.monotonic()
    say = (lambda msg: progress(name, msg)) if progress else (lambda msg: None)
    snapshot = _new_snapshot(name, spec, caps)

    def applicable() -> list[Collector]:  # once connected: the list may still be loading meanwhile
        chosen = collectors() if callable(collectors) else collectors
        return [c for c in chosen if c.applies(caps) and (spec.collectors is None or c.name in spec.collectors)]

    transport = None
    try:
        transport = make_transport(config, name, accept_new_host_key=accept_new_host_key)
        with _active_lock:
            _active.add(transport)
        snapshot["target"] = transport.describe()
        say("connecting")
        yield from transport.open_steps()
        snapshot["target"] = transport.describe()
        ctx = transport.collect_context(spec, own=excluded_for(config, name, transport.root, own() if own else None))
        if isinstance(collectors, _Later):
            yield from collectors.ready_steps()
        outcomes = yield from drive_steps(ctx, applicable(), transport.batch_steps, say)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        if transport is not None:  # abandoned (Ctrl-C): close without waiting for anything
            _abandon(transport)
        raise
    except BaseException as exc:  # noqa: BLE001 - one environment's failure of any kind stays in its snapshot
        snapshot["error"] = environment_failure(name, exc)
        if isinstance(collectors, _Later):
            yield from collectors.ready_steps()
        outcomes = {c.name: CollectorOutcome("error", error=snapshot["error"]) for c in applicable()}
    snapshot = _finish(snapshot, outcomes, collectors() if callable(collectors) else collectors, started)
    if transport is not None:
        if then is not None and snapshot["error"] is None:
            yield from _while_open(name, transport, then, snapshot)
        yield from _close_steps(transport)
    snapshot["duration_s"] = round(time.monotonic() - started, 3)  # with the close, as before `then` existed
    say("done" if snapshot["complete"] else "incomplete")
    return snapshot


def _new_snapshot(name: str, spec: EnvironmentSpec, caps: capabilities.Capabilities) -> dict:
    """A snapshot's header, taken when its collection starts; the collectors fill in the rest."""
    return {
        "schema_version": SCHEMA_VERSION,
        "environment": name,
        "transport": spec.transport,
        "capabilities": caps.to_json(),
        "role": role_of(spec),
        "target": None,
        "collected_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "driftctl_version": __version__,
        "complete": True,
        "error": None,
        "collectors": {},
    }


def _finish(snapshot: dict, outcomes: dict[str, CollectorOutcome], collectors: list[Collector], started: float) -> dict:
    """The snapshot of these outcomes: complete or not, scrubbed, fingerprinted (before the close,
    so that work on the open transport sees the snapshot the caller gets)."""
    snapshot["collectors"] = {n: o.to_json() for n, o in outcomes.items()}
    snapshot["complete"] = snapshot["error"] is None and all(o.status != "error" for o in outcomes.values()) and not any(
        isinstance(o.data, dict) and o.data.get("unreadable") for o in outcomes.values())  # files it could not read
    snapshot["duration_s"] = round(time.monotonic() - started, 3)  # until the close (set again after it)
    snapshot = scrub_document(snapshot)  # behind every collector: no credential format leaves in clear
    snapshot["fingerprint"] = content_fingerprint(snapshot, collectors)
    snapshot["fingerprint_key"] = key_id()  # which key made the `fp:` values (see differ/fingerprint_keys.py)
    return snapshot


def _while_open(name: str, transport: Transport, then: Then, snapshot: dict) -> Steps[None]:
    """The caller's work on the open transport; its failure is logged and leaves the snapshot alone."""
    try:
        yield from then(transport, snapshot)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        _abandon(transport)
        raise
    except Exception:  # noqa: BLE001 - extra work must not turn a saved snapshot into a crash
        log.warning("%s: the work on the open connection failed", name, exc_info=True)


def _close_steps(transport: Transport) -> Steps[None]:
    try:
        yield from transport.close_steps()  # still in _active meanwhile: Ctrl-C aborts it too
    except Exception:  # noqa: BLE001 - closing must not turn a saved snapshot into a crash
        log.warning("closing the transport failed", exc_info=True)
    finally:
        _forget(transport)


def _abandon(transport: Transport) -> None:
    """Abandoned (Ctrl-C): close without waiting for anything."""
    _forget(transport)
    _close_quietly(transport)


def environment_failure(name: str, exc: BaseException) -> str:
    """One line for whatever stopped an environment: its own message for driftctl's errors, a short
    description for resource limits and bugs (the traceback goes to the log)."""
    if isinstance(exc, DriftctlError):
        return one_line(exc.message)
    if isinstance(exc, MemoryError):
        return f"{name}: out of memory while collecting"
    if isinstance(exc, RecursionError):
        return f"{name}: input nested too deeply"
    log.error("environment %s failed", name, exc_info=exc)
    return one_line(f"{name}: internal error: {type(exc).__name__}: {exc}")


def _forget(transport: object) -> None:
    with _active_lock:
        _active.discard(transport)


def _close_quietly(transport: object) -> None:
    try:
        transport.close()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - closing must not turn a saved snapshot into a crash
        log.warning("closing the transport failed", exc_info=True)


RunBatch = Callable[[list[Command]], list[CommandResult]]
BatchSteps = Callable[[list[Command]], Steps[list[CommandResult]]]


def drive(ctx: CollectContext, collectors: list[Collector], run_batch: RunBatch, say: Callable[[str], None]) -> dict[str, CollectorOutcome]:
    """Advance all collector generators together: gather their commands, run one batch, send results back."""
    def batch_steps(commands: list[Command]) -> Steps[list[CommandResult]]:
        return (yield Call(lambda: run_batch(commands)))

    return run_blocking(drive_steps(ctx, collectors, batch_steps, say))


def drive_steps(ctx: CollectContext, collectors: list[Collector], batch_steps: BatchSteps,
                say: Callable[[str], None]) -> Steps[dict[str, CollectorOutcome]]:
    """drive(), with each batch's waits yielded (the fleet scheduler runs many of these at once)."""
    outcomes: dict[str, CollectorOutcome] = {}
    pending: dict[str, tuple] = {}  # name -> (generator, commands, start time, all commands shown)
    for c in collectors:
        start = time.monotonic()
        gen = c.collect(ctx)
        _advance(c.name, gen, None, start, [], pending, outcomes)
    round_no = 0
    while pending:
        round_no += 1
        unique: list[Command] = list(dict.fromkeys(cmd for _, cmds, _, _ in pending.values() for cmd in cmds))
        say(f"round {round_no}: {len(unique)} commands")
        if log.isEnabledFor(logging.DEBUG):  # (display() scrubs each command: not for a line nobody logs)
            log.debug("%s: round %d: %s", ctx.env_name, round_no, "; ".join(c.display() for c in unique))
        try:
            results = dict(zip(unique, (yield from batch_steps(unique))))
        except TransportError as exc:
            for name, (_, _, start, shown) in pending.items():
                outcomes[name] = CollectorOutcome("error", error=one_line(exc.message), duration_s=time.monotonic() - start,
                                                  commands=_short(shown))
            pending.clear()
            break
        current, pending = pending, {}
        for name, (gen, cmds, start, shown) in current.items():
            _advance(name, gen, [results[c] for c in cmds], start, shown, pending, outcomes)
    return {c.name: outcomes[c.name] for c in collectors if c.name in outcomes}


def _advance(name, gen, sent, start, shown, pending, outcomes) -> None:
    try:
        cmds = gen.send(sent) if sent is not None else next(gen)
        shown = shown + [c.display() for c in cmds]
        pending[name] = (gen, list(cmds), start, shown)
    except StopIteration as stop:
        outcomes[name] = CollectorOutcome("ok", data=stop.value, duration_s=time.monotonic() - start, commands=_short(shown))
    except Skipped as skip:
        outcomes[name] = CollectorOutcome("skipped", error=str(skip), duration_s=time.monotonic() - start)
    except DriftctlError as exc:
        outcomes[name] = CollectorOutcome("error", error=one_line(exc.message), duration_s=time.monotonic() - start, commands=_short(shown))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a collector bug must not lose the other collectors' data
        log.error("collector %s failed", name, exc_info=exc)
        reason = "out of memory" if isinstance(exc, MemoryError) else f"{type(exc).__name__}: {exc}"
        outcomes[name] = CollectorOutcome("error", error=one_line(f"internal error in collector {name}: {reason}"),
                                          duration_s=time.monotonic() - start, commands=_short(shown))


def _short(shown: list[str], limit: int = 40) -> list[str]:
    """Keep the snapshot readable: long file lists make long commands."""
    out = [c if len(c) <= 300 else c[:297] + "..." for c in shown[:limit]]
    if len(shown) > limit:
        out.append(f"... and {len(shown) - limit} more")
    return out
