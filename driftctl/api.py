"""The library API behind the CLI: usable from Python without typer (after sqlite-utils)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftctl.config import Config
from driftctl.runner import Progress, collect_all
from driftctl.snapshot_store import reports_dir, write_snapshot

if TYPE_CHECKING:
    from driftctl.history import History
    from driftctl.matrix import Matrix
    from driftctl.notify.changes import ChangeSet


def take_snapshots(
    config: Config,
    names: list[str],
    *,
    accept_new_host_key: bool = False,
    progress: Progress | None = None,
    save: bool = True,
    out_dir: Path | None = None,
    jobs: int | None = None,
) -> list[tuple[dict, Path | None]]:
    """Collect the named environments concurrently (at most `jobs` at once) and save each snapshot
    (partial ones too)."""
    snapshots = collect_all(config, names, accept_new_host_key=accept_new_host_key, progress=progress, jobs=jobs)
    run = uuid.uuid4().hex[:12]  # snapshots of one run are one moment of the history
    for snap in snapshots:
        snap.setdefault("run", run)
    root = out_dir or reports_dir(config.base_dir)
    return [(s, write_snapshot(root, s) if save else None) for s in snapshots]


# --- drift over time: history, retention, notifications ---------------------------------------


def history(
    config: Config,
    names: list[str],
    *,
    patterns: list[str] | None = None,
    since: str | None = None,
    reports_root: Path | None = None,
) -> History:
    """Per component: when it first diverged, each change since, and whether it is still open."""
    from driftctl.checks import compare
    from driftctl.history import build_history, saved_snapshots
    from driftctl.snapshot_store import read_snapshot
    from driftctl.timeparse import parse_when

    chosen = config.select(names)
    root = reports_root or reports_dir(config.base_dir)
    saved = saved_snapshots(root, chosen)
    return build_history(
        saved,
        lambda s: read_snapshot(s.path),
        lambda snaps: compare(snaps, config.rules),
        environments=chosen,
        patterns=patterns,
        since=parse_when(since) if since else None,
    )


def snapshot_as_of(config: Config, name: str, when: str, reports_root: Path | None = None) -> dict:
    """`ENV@WHEN`: the environment's newest saved snapshot at or before WHEN, as column `ENV@<time>`."""
    from driftctl.history import saved_snapshots, snapshot_at
    from driftctl.snapshot_store import read_snapshot
    from driftctl.timeparse import parse_when

    (env,) = config.select([name])
    root = reports_root or reports_dir(config.base_dir)
    found = snapshot_at(saved_snapshots(root, [env]), env, parse_when(when))
    snap = read_snapshot(found.path)
    return {**snap, "environment": f"{env}@{snap.get('collected_at', when)}"}


@dataclass
class GcResult:
    removed: list[Path] = field(default_factory=list)
    kept: int = 0


def gc(config: Config, keep: str | None, *, dry_run: bool = False, reports_root: Path | None = None) -> GcResult:
    """Delete saved snapshots older than `keep` (or the config's `retention`); the newest snapshot of
    each environment and every `latest.json` are always kept, so `--cached` keeps working."""
    from driftctl.errors import UsageError
    from driftctl.history import saved_snapshots
    from driftctl.timeparse import parse_duration

    spec = keep or config.retention
    if not spec:
        raise UsageError("say how long to keep snapshots: `driftctl gc --keep 30d`, or `retention: 30d` in the config")
    cutoff = datetime.now(timezone.utc) - parse_duration(spec, "--keep")
    root = reports_root or reports_dir(config.base_dir)
    result = GcResult()
    for env in config.environments:
        saved = saved_snapshots(root, [env])
        for item in saved[:-1]:
            if item.collected_at < cutoff:
                if not dry_run:
                    item.path.unlink(missing_ok=True)
                result.removed.append(item.path)
            else:
                result.kept += 1
        result.kept += 1 if saved else 0
    return result


@dataclass
class Delivery:
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


def report_context(config: Config | None, snapshots: list[dict]) -> dict:
    """What the HTML report adds to a matrix: each snapshot's time, and the saved history of the
    configured environments (the timeline chart and since when each open row has been open)."""
    out: dict = {"collected_at": {s["environment"]: s.get("collected_at") for s in snapshots}}
    if config is not None:
        envs = [s["environment"] for s in snapshots if s["environment"] in config.environments]
        if envs:
            past = history(config, envs)
            out["history"] = {"points": [p.to_json() for p in past.points], "open_since": past.open_since()}
    return out


@dataclass
class WatchRound:
    """One round of `watch`: when, what it found, and what each channel was sent."""

    time: datetime
    matrix: Matrix | None
    deliveries: list[Delivery] = field(default_factory=list)
    error: str | None = None


def watch(
    config: Config,
    names: list[str],
    *,
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

    interval = parse_duration(every, "--every").total_seconds()
    chosen = config.select(names)
    stop = stop or threading.Event()
    while True:
        started = datetime.now(timezone.utc)
        current = WatchRound(started, None)
        try:
            snapshots = [s for s, _ in take_snapshots(config, chosen, accept_new_host_key=accept_new_host_key)]
            current.matrix = compare(snapshots, config.rules)
            if config.notify:
                current.deliveries = notify(config, current.matrix)
        except DriftctlError as exc:
            current.error = exc.message
        if on_round:
            on_round(current)
        if once:
            return current
        elapsed = (datetime.now(timezone.utc) - started).total_seconds()
        if stop.wait(max(0.0, interval - elapsed)):
            return current


def rescue_document(result: Any) -> dict:
    """`driftctl rescue --format json`: the branch made and what went into it (never file contents)."""
    return {
        "schema": "driftctl.rescue/v1",
        "environment": result.environment,
        "branch": result.branch,
        "commit": result.commit,
        "base": result.base,
        "repo": str(result.repo),
        "files": [{"path": f.path, "change": f.change} for f in result.files],
        "skipped": list(result.skipped),
    }


def apply_document(plan: dict, outcome: Any, *, dry_run: bool) -> dict:
    """`driftctl apply --format json`: which steps ran, which failed, where the audit log is."""
    return {
        "schema": "driftctl.apply/v1",
        "plan": plan.get("id"),
        "dry_run": dry_run,
        "exit_code": int(outcome.exit_code),
        "ran": list(outcome.ran),
        "failed": outcome.failed,
        "checks": list(outcome.checks),
        "log": str(outcome.log) if outcome.log else None,
    }


def config_schema() -> dict:
    """The JSON Schema of environments.yaml: the Config model's, without the fields load_config sets."""
    from driftctl.config import Config

    doc = Config.model_json_schema()
    for internal in ("source", "base_dir"):
        doc.get("properties", {}).pop(internal, None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://driftctl.invalid/schema/environments.v1.json",
        **doc,
        "title": "driftctl environments.yaml",
    }


def watch_round_document(current: WatchRound) -> dict:
    """`driftctl watch --format json`: one round as one JSON object (counts, never values)."""
    matrix = current.matrix
    return {
        "schema": "driftctl.watch/v1",
        "time": current.time.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "summary": matrix.summary() if matrix is not None else None,
        "incomplete": sorted({i["environment"] for i in matrix.incomplete}) if matrix is not None else [],
        "error": current.error,
        "deliveries": [{"channel": d.channel, "sent": d.sent, "error": d.error} for d in current.deliveries],
    }
