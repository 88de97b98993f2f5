"""Snapshots on disk: `reports/snapshots/<env>/<UTC timestamp>.json` plus `latest.json`, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from driftctl.errors import SnapshotError
from driftctl.jsonfile import dump_document, read_json
from driftctl.snapshot import SCHEMA_VERSION


def reports_dir(base_dir: str | os.PathLike[str]) -> Path:
    """`--reports-dir`, then $DRIFTCTL_REPORTS_DIR, then `reports/` next to the config file."""
    from driftctl import settings

    explicit = settings.current.reports_dir or os.environ.get("DRIFTCTL_REPORTS_DIR")
    return Path(explicit) if explicit else Path(base_dir) / "reports"


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def mark_ignored(root: Path) -> None:
    """Make the reports folder ignore itself in git (`*` in its own .gitignore, as .pytest_cache and
    .venv do): snapshots and plans never get committed by accident, wherever the folder lives."""
    marker = root / ".gitignore"
    if not marker.exists() and not (root / ".git").exists():  # never in a checkout's own top folder
        try:
            atomic_write(marker, "# written by driftctl: its reports are never committed\n*\n")
        except OSError:
            pass


def write_snapshot(root: Path, snapshot: dict) -> Path:
    """Write one environment's snapshot and update its latest.json; returns the timestamped path."""
    env = snapshot["environment"]
    stamp = snapshot["collected_at"].replace(":", "").replace("-", "")
    folder = root / "snapshots" / env
    text = dump_document(snapshot, ensure_ascii=False) + "\n"
    path = folder / f"{stamp}.json"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stamp}-{n}.json"
    mark_ignored(root)
    atomic_write(path, text)
    atomic_write(folder / "latest.json", text)
    return path


def read_snapshot(path: str | os.PathLike[str]) -> dict:
    p = Path(path)
    data = read_json(p, "snapshot", SnapshotError)
    if not isinstance(data, dict) or "schema_version" not in data or "environment" not in data:
        raise SnapshotError(f"{p}: not a driftctl snapshot")
    if not isinstance(data["schema_version"], int) or data["schema_version"] > SCHEMA_VERSION:
        raise SnapshotError(
            f"{p}: snapshot schema version {data['schema_version']} is newer than this driftctl understands "
            f"({SCHEMA_VERSION}); upgrade driftctl"
        )
    return data


def latest(root: Path, env: str) -> dict:
    path = root / "snapshots" / env / "latest.json"
    if not path.exists():
        raise SnapshotError(f"no cached snapshot of {env!r} in {path.parent}; run `driftctl snapshot {env}` first")
    return read_snapshot(path)
