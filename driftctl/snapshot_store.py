"""Snapshots on disk: `reports/snapshots/<env>/<UTC timestamp>.json` plus `latest.json`, written atomically.

Guarantees, because CI jobs and people run `snapshot` concurrently into one reports folder:
- a file is either complete or absent (written to a temporary file, then linked or renamed in);
- every snapshot keeps its own file: the timestamped name is claimed with an exclusive link, so two
  runs in the same second get `<stamp>.json` and `<stamp>-2.json`, never one overwriting the other;
- a full disk or a read-only folder is one line naming the folder (exit 2), and no partial file stays;
- paths come only from valid environment names, so nothing is written outside `reports/`;
- a snapshot read for environment X must say it is X's.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from driftctl.errors import DriftctlError, SnapshotError
from driftctl.jsonfile import dump_document, read_json
from driftctl.limits import excerpt, safe_path, valid_env_name
from driftctl.snapshot import SCHEMA_VERSION


class WriteError(DriftctlError):
    """A report could not be written (disk full, read-only folder, permissions)."""


def reports_dir(base_dir: str | os.PathLike[str]) -> Path:
    """`--reports-dir`, then $DRIFTCTL_REPORTS_DIR, then `reports/` next to the config file."""
    from driftctl import settings

    explicit = settings.current.reports_dir or os.environ.get("DRIFTCTL_REPORTS_DIR")
    return Path(explicit) if explicit else Path(base_dir) / "reports"


def _write_failed(folder: Path, exc: OSError) -> WriteError:
    reason = "no space left on device" if exc.errno == errno.ENOSPC else (exc.strerror or "error").lower()
    return WriteError(f"cannot write to {safe_path(folder)}: {reason}")


def _temp_file(folder: Path, name: str, text: str) -> str:
    """A complete temporary file next to its final place; removed again on any failure."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _write_failed(folder, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_failed(folder, exc) from None
        raise
    return tmp


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` at once; WriteError (one line naming the folder) on failure."""
    tmp = _temp_file(path.parent, path.name, text)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _write_failed(path.parent, exc) from None


def write_new(folder: Path, stem: str, text: str) -> Path:
    """Write `text` under a name no other writer has: `<stem>.json`, else `<stem>-2.json`, ...

    The name is claimed by `link` (fails if it exists), so concurrent writers never overwrite each
    other; on filesystems without hard links an exclusive create reserves the name first.
    """
    tmp = _temp_file(folder, stem, text)
    try:
        for n in range(1, 100_000):
            path = folder / (f"{stem}.json" if n == 1 else f"{stem}-{n}.json")
            try:
                os.link(tmp, path)
                return path
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise _write_failed(folder, exc) from None
            try:  # no hard links here: reserve the name, then rename the complete file over it
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            except FileExistsError:
                continue
            except OSError as exc:
                raise _write_failed(folder, exc) from None
            os.replace(tmp, path)
            return path
        raise WriteError(f"cannot write to {safe_path(folder)}: too many snapshots named {stem}")
    finally:
        Path(tmp).unlink(missing_ok=True)


def env_folder(root: Path, env: str) -> Path:
    """`root/snapshots/<env>`, for valid names only: a name never chooses where files go."""
    if not valid_env_name(env):
        raise SnapshotError(f"invalid environment name {excerpt(env)}")
    return root / "snapshots" / env


def mark_ignored(root: Path) -> None:
    """Make the reports folder ignore itself in git (`*` in its own .gitignore, as .pytest_cache and
    .venv do): snapshots and plans never get committed by accident, wherever the folder lives."""
    marker = root / ".gitignore"
    if not marker.exists() and not (root / ".git").exists():  # never in a checkout's own top folder
        try:
            atomic_write(marker, "# written by driftctl: its reports are never committed\n*\n")
        except (OSError, WriteError):
            pass


def write_snapshot(root: Path, snapshot: dict) -> Path:
    """Write one environment's snapshot and update its latest.json; returns the timestamped path."""
    env = snapshot["environment"]
    folder = env_folder(root, env)
    stamp = "".join(c for c in str(snapshot["collected_at"]) if c.isalnum() or c in ".-_").replace("-", "")
    text = dump_document(snapshot, ensure_ascii=False) + "\n"
    mark_ignored(root)
    path = write_new(folder, stamp or "snapshot", text)
    atomic_write(folder / "latest.json", text)
    return path


def read_snapshot(path: str | os.PathLike[str], environment: str | None = None) -> dict:
    """A snapshot document of the right shape (and of `environment`, when given), or SnapshotError."""
    p = Path(path)
    shown = safe_path(p)
    data = read_json(p, "snapshot", SnapshotError)
    if not isinstance(data, dict) or "schema_version" not in data or "environment" not in data:
        raise SnapshotError(f"{shown}: not a driftctl snapshot")
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SnapshotError(f"{shown}: not a driftctl snapshot (schema_version {excerpt(version)})")
    if version > SCHEMA_VERSION:
        raise SnapshotError(
            f"{shown}: snapshot schema version {version} is newer than this driftctl understands "
            f"({SCHEMA_VERSION}); upgrade driftctl"
        )
    problem = shape_problem(data)
    if problem:
        raise SnapshotError(f"{shown}: not a valid snapshot: {problem}")
    if environment is not None and data["environment"] != environment:
        raise SnapshotError(
            f"{shown}: is a snapshot of {excerpt(data['environment'])}, not of {excerpt(environment)}; refusing to use it"
        )
    return data


def shape_problem(data: dict) -> str | None:
    """What is wrong with the envelope of a snapshot (not the collectors' data), or None."""
    if not valid_env_name(data.get("environment")):
        return f"environment {excerpt(data.get('environment'))} is not an environment name"
    collectors = data.get("collectors", {})
    if not isinstance(collectors, dict):
        return "collectors: expected a mapping"
    for name, outcome in collectors.items():
        if not isinstance(outcome, dict):
            return f"collectors.{excerpt(name, quote=False)}: expected a mapping"
        if outcome.get("status") not in ("ok", "error", "skipped"):
            return f"collectors.{excerpt(name, quote=False)}.status: expected ok, error or skipped"
        if "data" in outcome and outcome["data"] is not None and not isinstance(outcome["data"], dict):
            return f"collectors.{excerpt(name, quote=False)}.data: expected a mapping"
        if "error" in outcome and outcome["error"] is not None and not isinstance(outcome["error"], str):
            return f"collectors.{excerpt(name, quote=False)}.error: expected a string"
    for key, kinds in (("complete", (bool,)), ("error", (str, type(None))), ("fingerprint", (str, type(None))),
                       ("target", (str, type(None))), ("collected_at", (str,)), ("transport", (str,))):
        if key in data and not isinstance(data[key], kinds):
            return f"{key}: wrong type ({type(data[key]).__name__})"
    return None


def latest(root: Path, env: str) -> dict:
    path = env_folder(root, env) / "latest.json"
    if not path.exists() and not path.is_symlink():
        raise SnapshotError(f"no cached snapshot of {env!r} in {path.parent}; run `driftctl snapshot {env}` first")
    return read_snapshot(path, environment=env)
