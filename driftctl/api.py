"""The library API behind the CLI: usable from Python without typer (after sqlite-utils)."""

from __future__ import annotations

from pathlib import Path

from driftctl.config import Config
from driftctl.runner import Progress, collect_all
from driftctl.snapshot_store import reports_dir, write_snapshot


def take_snapshots(
    config: Config,
    names: list[str],
    *,
    accept_new_host_key: bool = False,
    progress: Progress | None = None,
    save: bool = True,
    out_dir: Path | None = None,
) -> list[tuple[dict, Path | None]]:
    """Collect the named environments concurrently and save each snapshot (partial ones too)."""
    snapshots = collect_all(config, names, accept_new_host_key=accept_new_host_key, progress=progress)
    root = out_dir or reports_dir(config.base_dir)
    return [(s, write_snapshot(root, s) if save else None) for s in snapshots]
