"""Drift over time, from the snapshots saved in reports/: a component's history, an environment as
it was at a moment (`ENV@WHEN`), and retention (`gc`) that never breaks `--cached`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from driftctl.api.loading import ConfigArg, load
from driftctl.config import Config
from driftctl.snapshot_store import reports_dir

if TYPE_CHECKING:
    from driftctl.history import History


def history(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    patterns: list[str] | None = None,
    since: str | None = None,
    reports_root: Path | None = None,
) -> History:
    """Per component: when it first diverged, each change since, and whether it is still open."""
    from driftctl.checks import compare
    from driftctl.history import build_history, saved_snapshots
    from driftctl.snapshot_store import read_snapshot
    from driftctl.timeparse import parse_when

    cfg = load(config)
    chosen = cfg.select(list(names or []))
    root = reports_root or reports_dir(cfg.base_dir)
    saved = saved_snapshots(root, chosen)
    return build_history(
        saved,
        lambda s: read_snapshot(s.path),
        lambda snaps: compare(snaps, cfg.rules),
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
    """What `gc` deleted (or would delete, with `dry_run`) and how many snapshots it kept."""

    removed: list[Path] = field(default_factory=list)
    kept: int = 0
    dry_run: bool = False

    def to_json(self) -> dict:
        """`driftctl gc --format json`."""
        return {"schema": "driftctl.gc/v1", "dry_run": self.dry_run, "kept": self.kept,
                "removed": [str(p) for p in self.removed]}


def gc(keep: str | None = None, *, config: ConfigArg = None, dry_run: bool = False,
       reports_root: Path | None = None) -> GcResult:
    """Delete saved snapshots older than `keep` (or the config's `retention`); the newest snapshot of
    each environment and every `latest.json` are always kept, so `--cached` keeps working."""
    from driftctl.errors import UsageError
    from driftctl.history import saved_snapshots
    from driftctl.timeparse import parse_duration

    cfg = load(config)
    spec = keep or cfg.retention
    if not spec:
        raise UsageError("say how long to keep snapshots: `driftctl gc --keep 30d`, or `retention: 30d` in the config")
    cutoff = datetime.now(timezone.utc) - parse_duration(spec, "--keep")
    root = reports_root or reports_dir(cfg.base_dir)
    result = GcResult(dry_run=dry_run)
    for env in cfg.environments:
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
