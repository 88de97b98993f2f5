"""Drift over time, from the snapshots `driftctl snapshot` already saves.

Each saved snapshot is a moment at which one environment was seen. Replaying them in time order,
with every environment as it was last seen at that moment, gives one matrix per moment; comparing
consecutive matrices gives, per component, when it first diverged, every change since (which
environment, old -> new value, status) and whether it is still open. This module is pure: the
snapshots come in as data (`saved_snapshots` reads them), the history goes out as `driftctl.history/v1`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path

from driftctl.errors import SnapshotError
from driftctl.matrix import Matrix, Row
from driftctl.timeparse import parse_stamp

SCHEMA = "driftctl.history/v1"


@dataclass(frozen=True)
class Saved:
    """One saved snapshot file: which environment, when it was collected, where it lies, and the
    run that took it (`driftctl snapshot` of several environments is one run: one moment)."""

    environment: str
    collected_at: datetime
    path: Path
    run: str | None = None


def saved_snapshots(root: Path, environments: Iterable[str]) -> list[Saved]:
    """Every timestamped snapshot of the environments under `root/snapshots/`, oldest first.

    `latest.json` is a copy of the newest one and is skipped; files whose name is not a stamp are
    read to learn their time (a file that is not a snapshot is skipped, never fatal).
    """
    from driftctl.snapshot_store import read_snapshot

    out: list[Saved] = []
    for env in environments:
        folder = root / "snapshots" / env
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            if path.name == "latest.json":
                continue
            try:
                snap = read_snapshot(path)
            except SnapshotError:
                continue
            when = parse_stamp(snap.get("collected_at", ""))
            if when is not None and snap.get("environment") == env:
                run = snap.get("run")
                out.append(Saved(env, when, path, run if isinstance(run, str) else None))
    return sorted(out, key=lambda s: (s.collected_at, s.environment, s.path.name))


def snapshot_at(saved: list[Saved], environment: str, when: datetime) -> Saved:
    """The newest snapshot of `environment` taken at or before `when` (SnapshotError if none)."""
    before = [s for s in saved if s.environment == environment and s.collected_at <= when]
    if not before:
        raise SnapshotError(f"no saved snapshot of {environment!r} at or before {when.isoformat(timespec='seconds')}")
    return before[-1]


@dataclass
class Change:
    """One environment's value of a component changed between two moments."""

    time: datetime
    environment: str
    old: str | None
    new: str | None
    status: str
    severity: str

    def to_json(self) -> dict:
        return {"time": _iso(self.time), "environment": self.environment, "old": self.old, "new": self.new,
                "status": self.status, "severity": self.severity}


@dataclass
class ComponentHistory:
    component: str
    title: str
    status: str = "IN_SYNC"
    severity: str = "none"
    first_diverged: datetime | None = None  # start of the current open streak, or of the last one
    open: bool = False
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"component": self.component, "title": self.title, "status": self.status, "severity": self.severity,
                "open": self.open, "first_diverged": _iso(self.first_diverged) if self.first_diverged else None,
                "changes": [c.to_json() for c in self.changes]}


@dataclass
class Point:
    """The findings at one moment: the data of the timeline chart."""

    time: datetime
    counts: dict[str, int]

    def to_json(self) -> dict:
        return {"time": _iso(self.time), **self.counts}


@dataclass
class History:
    environments: list[str]
    since: datetime | None
    points: list[Point] = field(default_factory=list)
    components: list[ComponentHistory] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "schema": SCHEMA,
            "environments": list(self.environments),
            "since": _iso(self.since) if self.since else None,
            "points": [p.to_json() for p in self.points],
            "components": [c.to_json() for c in self.components],
        }

    def open_since(self) -> dict[str, str]:
        """component -> since when it has been open (for the HTML report's rows)."""
        return {c.component: _iso(c.first_diverged) for c in self.components if c.open and c.first_diverged}


def build_history(
    saved: list[Saved],
    load: Callable[[Saved], dict],
    compare: Callable[[list[dict]], Matrix],
    *,
    environments: list[str],
    patterns: list[str] | None = None,
    since: datetime | None = None,
) -> History:
    """Replay the saved snapshots in time order and record what changed at each moment.

    A moment counts once every environment has been seen at least once (before that there is
    nothing to compare). Moments before `since` still build the state, so the first moment shown
    starts from what was true then, not from nothing.
    """
    history = History(list(environments), since)
    current: dict[str, dict] = {}
    previous: dict[str, Row] = {}
    by_component: dict[str, ComponentHistory] = {}
    for moment in moments(saved):
        for item in moment:
            current[item.environment] = load(item)
        if len(current) < len(environments):
            continue
        item = max(moment, key=lambda s: s.collected_at)
        matrix = compare([current[e] for e in environments if e in current])
        rows = {r.component: r for r in matrix.rows if _selected(r.component, patterns) and not r.ignored}
        shown = since is None or item.collected_at >= since
        if shown:
            history.points.append(Point(item.collected_at, _counts(rows.values())))
        for component in sorted(set(rows) | set(previous)):
            row, before = rows.get(component), previous.get(component)
            entry = by_component.get(component)
            if entry is None:
                if row is None:
                    continue
                entry = by_component[component] = ComponentHistory(component, row.title)
            _record(entry, item.collected_at, row, before, shown)
        previous = rows
    history.components = sorted(
        (c for c in by_component.values() if c.changes or c.open),
        key=lambda c: (not c.open, -_rank(c.severity), c.component),
    )
    return history


def moments(saved: list[Saved]) -> list[list[Saved]]:
    """Consecutive snapshots of one run form one moment; a snapshot without a run is its own."""
    out: list[list[Saved]] = []
    for item in saved:
        if out and item.run and out[-1][-1].run == item.run and all(s.environment != item.environment for s in out[-1]):
            out[-1].append(item)
        else:
            out.append([item])
    return out


def _record(entry: ComponentHistory, when: datetime, row: Row | None, before: Row | None, shown: bool) -> None:
    """Fold one moment into a component's history: one change per environment whose value changed
    (or one for the row when only its status did), and the open/closed state. A row that vanished
    is in sync: the differ may leave in-sync rows out."""
    status = row.status.value if row else "IN_SYNC"
    severity = row.severity.value if row else "none"
    is_open = bool(row and row.is_finding)
    was_status = before.status.value if before else "IN_SYNC"
    if shown and (before is not None or is_open):  # a component first seen in sync: nothing happened to it
        old_values = before.values if before else {}
        new_values = row.values if row else {}
        envs = [e for e in dict.fromkeys([*old_values, *new_values]) if old_values.get(e) != new_values.get(e)]
        if not envs and was_status != status:
            envs = [""]
        for env in envs:
            entry.changes.append(Change(when, env, old_values.get(env), new_values.get(env), status, severity))
    if is_open and not entry.open:
        entry.first_diverged = when
    entry.open, entry.status, entry.severity = is_open, status, severity
    if row is not None:
        entry.title = row.title


def _counts(rows: Iterable[Row]) -> dict[str, int]:
    out = {"critical": 0, "moderate": 0, "low": 0}
    for row in rows:
        if row.is_finding and row.severity.value in out:
            out[row.severity.value] += 1
    return out


def _selected(component: str, patterns: list[str] | None) -> bool:
    if not patterns:
        return True
    return any(fnmatchcase(component, p) or component.startswith(p.rstrip("*").rstrip(".") + ".") for p in patterns)


def _rank(severity: str) -> int:
    return {"critical": 3, "moderate": 2, "low": 1}.get(severity, 0)


def _iso(when: datetime) -> str:
    """The snapshots' own spelling: UTC, milliseconds, `Z`."""
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
