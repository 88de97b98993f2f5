"""Telling people about drift: `notify` sends each channel what changed since its last message,
and `watch` snapshots, compares and notifies on a schedule."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from driftctl.api.collection import take_snapshots
from driftctl.api.loading import ConfigArg, load
from driftctl.config import Config
from driftctl.snapshot_store import reports_dir

if TYPE_CHECKING:
    from driftctl.matrix import Matrix
    from driftctl.notify.changes import ChangeSet


@dataclass
class Delivery:
    """One channel's message of one run: what changed for it, and whether it got there."""

    channel: str
    changes: ChangeSet
    sent: bool = False
    error: str | None = None


def notify(config: Config, matrix: Matrix, *, reports_root: Path | None = None) -> list[Delivery]:
    """Send each `notify:` channel what changed since the last message it received, and only then.

    The state (`reports/notify/state.json`) is per channel and advances only when a delivery
    succeeds, so a channel that was down gets the change on the next run.
    """
    from driftctl.notify import changes as ch
    from driftctl.notify.deliver import DeliveryError, build_request, send
    from driftctl.notify.settings import channel_name

    root = reports_root or reports_dir(config.base_dir)
    state_path = root / "notify" / "state.json"
    state = _read_notify_state(state_path)
    out: list[Delivery] = []
    seen: dict[str, int] = {}
    for channel in config.notify:
        name = channel_name(channel, seen.get(channel.type, 0))
        seen[channel.type] = seen.get(channel.type, 0) + 1
        before = {k: ch.Finding.from_json(v) for k, v in (state.get(name) or {}).items() if isinstance(v, dict)}
        change_set = ch.compare(before, ch.findings(matrix, channel.min_severity))
        delivery = Delivery(name, change_set)
        out.append(delivery)
        if not change_set:
            continue
        try:
            request = build_request(channel, change_set)
            send(request, timeout=channel.timeout, retries=channel.retries, backoff=channel.backoff)
        except DeliveryError as exc:
            delivery.error = str(exc)
            continue
        delivery.sent = True
        state[name] = {k: f.to_json() for k, f in change_set.current.items()}
    if any(d.sent for d in out):
        from driftctl.snapshot_store import atomic_write

        atomic_write(state_path, json.dumps({"schema": ch.STATE_SCHEMA, "channels": state}, indent=2, sort_keys=True) + "\n")
    return out


def _read_notify_state(path: Path) -> dict[str, dict]:
    """The last notified findings per channel; a missing or unreadable state means "nothing sent yet"."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    channels = doc.get("channels") if isinstance(doc, dict) else None
    return {str(k): v for k, v in channels.items() if isinstance(v, dict)} if isinstance(channels, dict) else {}


@dataclass
class WatchRound:
    """One round of `watch`: when, what it found, and what each channel was sent."""

    time: datetime
    matrix: Matrix | None
    deliveries: list[Delivery] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict:
        """`driftctl watch --format json`: one round as one JSON object (counts, never values)."""
        matrix = self.matrix
        return {
            "schema": "driftctl.watch/v1",
            "time": self.time.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "summary": matrix.summary() if matrix is not None else None,
            "incomplete": sorted({i["environment"] for i in matrix.incomplete}) if matrix is not None else [],
            "error": self.error,
            "deliveries": [{"channel": d.channel, "sent": d.sent, "error": d.error} for d in self.deliveries],
        }


def watch(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    every: str = "10m",
    once: bool = False,
    accept_new_host_key: bool = False,
    on_round: Callable[[WatchRound], None] | None = None,
    stop: threading.Event | None = None,
) -> WatchRound:
    """Snapshot, compare and notify every `every` until `stop` is set (or once). Snapshots are saved,
    so the history grows; an unreachable environment is an incomplete round, never the end of the
    watch; a round that fails as a whole is reported and the next one runs on time."""
    from driftctl.checks import compare
    from driftctl.errors import DriftctlError
    from driftctl.timeparse import parse_duration

    cfg = load(config)
    interval = parse_duration(every, "--every").total_seconds()
    chosen = cfg.select(list(names or []))
    stop = stop or threading.Event()
    while True:
        started = datetime.now(timezone.utc)
        current = WatchRound(started, None)
        try:
            snapshots = [s for s, _ in take_snapshots(cfg, chosen, accept_new_host_key=accept_new_host_key)]
            current.matrix = compare(snapshots, cfg.rules)
            if cfg.notify:
                current.deliveries = notify(cfg, current.matrix)
        except DriftctlError as exc:
            current.error = exc.message
        if on_round:
            on_round(current)
        if once:
            return current
        elapsed = (datetime.now(timezone.utc) - started).total_seconds()
        if stop.wait(max(0.0, interval - elapsed)):
            return current
