"""Collecting environments into saved snapshots: the first step of every live command."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from driftctl.api.loading import Collecting, ConfigArg, load, quietly
from driftctl.config import Config
from driftctl.runner import Progress, WhileOpen, collect_all
from driftctl.snapshot_store import reports_dir, write_snapshot


def take_snapshots(
    config: Config,
    names: list[str],
    *,
    accept_new_host_key: bool = False,
    progress: Progress | None = None,
    save: bool = True,
    out_dir: Path | None = None,
    jobs: int | None = None,
    while_open: WhileOpen | None = None,
) -> list[tuple[dict, Path | None]]:
    """Collect the named environments concurrently (at most `jobs` at once) and save each snapshot
    (partial ones too: an incomplete snapshot still records what could be read, and why not the rest).
    `while_open`: the caller's read-only work on each connection before it closes (runner.WhileOpen)."""
    snapshots = collect_all(config, names, accept_new_host_key=accept_new_host_key, progress=progress, jobs=jobs,
                            while_open=while_open)
    run = uuid.uuid4().hex[:12]  # snapshots of one run are one moment of the history
    for snap in snapshots:
        snap.setdefault("run", run)
    root = out_dir or reports_dir(config.base_dir)
    return [(s, write_snapshot(root, s) if save else None) for s in snapshots]


@dataclass
class SnapshotResult:
    """The snapshots of one run, each with the file it was saved to (None when not saved)."""

    saved: list[tuple[dict, Path | None]]

    @property
    def snapshots(self) -> list[dict]:
        return [s for s, _ in self.saved]

    @property
    def incomplete(self) -> list[dict]:
        return [s for s in self.snapshots if not s["complete"]]

    @property
    def folder(self) -> Path | None:
        """The snapshots folder of the reports directory (where `--cached` reads them back)."""
        first = self.saved[0][1] if self.saved else None
        return first.parent.parent if first is not None else None


def snapshot(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    jobs: int | None = None,
    shard: str | None = None,
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> SnapshotResult:
    """Collect the named environments (all by default; `shard` K/N: this job's share) and save them."""
    cfg = load(config)
    chosen = cfg.select(list(names or []))
    if shard:
        from driftctl.shard import select_shard

        chosen = select_shard(chosen, shard)
    with collecting(chosen) as progress:
        return SnapshotResult(take_snapshots(cfg, chosen, accept_new_host_key=accept_new_host_key,
                                             progress=progress, jobs=jobs))
