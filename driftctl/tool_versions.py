"""A controller-side cache of a target's Docker client and Compose plugin versions.

Why: `docker version` and `docker compose version` are Go programs that cost the target tens of ms
of CPU each, on every snapshot, to print two strings that change only when a binary is replaced. The
host collector instead lists the binaries' identity (`ls -ilLn`: inode, size, mtime of the docker
CLI, its config.json and every Compose plugin candidate; one small process) and asks the programs
themselves only when that identity is new.

Entries are keyed by the environment (name, transport, host, port, user) and hold the sha256 of
the identity listing plus the two version strings, nothing else: no secret, and a hostile target can
only affect its own entry. The file lives under driftctl's XDG cache folder and can be deleted at any
time (the next snapshot asks the programs again). Concurrent writers: each write replaces the whole
file atomically, so the worst case is a lost entry, never a corrupt one.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from typing_extensions import TypedDict

from driftctl.errors import DriftctlError
from driftctl.settings import cache_home
from driftctl.snapshot_store import atomic_write

FILE_NAME = "tool-versions.json"
MAX_ENTRIES = 5000  # a fleet's worth; the oldest half is dropped beyond it
MAX_VALUE = 200
_lock = threading.Lock()


class ToolVersions(TypedDict):
    identity: str  # sha256 of the identity listing
    client: str | None  # `docker version --format {{.Client.Version}}`
    compose: str | None  # `docker compose version --short`


def path() -> Path:
    return cache_home() / FILE_NAME


def environment_key(env_name: str, spec: Any) -> str:
    """One entry per environment and the host it reaches: a renamed or re-pointed environment starts afresh."""
    parts = [env_name, str(getattr(spec, "transport", "")), str(getattr(spec, "host", "") or ""),
             str(getattr(spec, "port", "") or ""), str(getattr(spec, "user", "") or ""), str(getattr(spec, "path", ""))]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def identity_digest(listing: bytes) -> str:
    return hashlib.sha256(listing).hexdigest()


def _load() -> dict[str, Any]:
    try:
        with open(path(), "rb") as fh:
            data = json.loads(fh.read(16 << 20))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == 1 and isinstance(data.get("entries"), dict) else {}


_read: tuple[tuple[str, int, int, int], dict[str, Any]] | None = None  # (file identity, entries): see _entries


def _entries() -> dict[str, Any]:
    """The entries, read again only when the file changed (its inode, size or mtime: every write
    replaces it): each environment of a fleet looks its entry up, and the file holds the fleet's."""
    global _read
    file = path()
    try:
        st = os.stat(file)
    except OSError:
        return {}
    identity = (str(file), st.st_ino, st.st_size, st.st_mtime_ns)
    if _read is None or _read[0] != identity:
        _read = (identity, _load().get("entries") or {})
    return _read[1]


def _valid(value: object) -> bool:
    return value is None or (isinstance(value, str) and len(value) <= MAX_VALUE and value.isprintable())


def lookup(key: str) -> ToolVersions | None:
    """The cached entry for an environment, or None (no entry, or one that is not well formed)."""
    with _lock:
        entry = _entries().get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("identity"), str):
        return None
    client, compose = entry.get("client"), entry.get("compose")
    if not (_valid(client) and _valid(compose)):
        return None
    return {"identity": entry["identity"], "client": client, "compose": compose}


def store(key: str, entry: ToolVersions) -> None:
    """Record an environment's entry; a cache that cannot be written is simply not used."""
    if not (_valid(entry["client"]) and _valid(entry["compose"])):
        return
    with _lock:
        data = _load() or {"version": 1, "entries": {}}
        entries: dict[str, Any] = data["entries"]
        entries.pop(key, None)
        entries[key] = dict(entry)  # insertion order: the newest last
        if len(entries) > MAX_ENTRIES:
            for old in list(entries)[: len(entries) // 2]:
                del entries[old]
        try:
            atomic_write(path(), json.dumps(data))
        except DriftctlError:  # cannot write (full disk, read-only cache): the cache is simply not used
            return
