"""Relative paths made absolute against a given directory (compose-go's paths.ResolveRelativePaths).

Why here and not only when rendering: a file reached through `include:` or `extends: {file: ...}`
has its own directory. Its `build` context, `env_file`s, bind mounts and secret files are relative
to that directory, not to the project's, so they are resolved as soon as that file is loaded; the
renderer keeps absolute paths as they are.
"""

from __future__ import annotations

import posixpath
from typing import Any

_REMOTE = ("https://", "http://", "git://", "ssh://", "github.com/", "git@")


def expand_user(path: str, home: str) -> str:
    """paths.ExpandUser: `~` joined onto the home directory (and so cleaned)."""
    if path.startswith("~"):
        return posixpath.normpath(posixpath.join(home, path[1:].lstrip("/")))
    return path


def absolute(path: str, base: str, home: str) -> str:
    """absPath / maybeUnixPath: `~` expanded, absolute kept as written, relative joined and cleaned."""
    path = expand_user(path, home)
    if not path or posixpath.isabs(path) or (len(path) > 1 and path[1] == ":"):
        return path
    return posixpath.normpath(posixpath.join(base, path))


def _context(path: str, base: str, home: str) -> str:
    if "://" in path or path.startswith("service:") or path.startswith(_REMOTE):
        return path
    return absolute(path, base, home)


def resolve_service(svc: dict[str, Any], base: str, home: str) -> None:
    """Resolve, in place, the path fields of one canonical service."""
    build = svc.get("build")
    if isinstance(build, dict):
        if isinstance(build.get("context"), str):
            build["context"] = _context(build["context"], base, home)
        extra = build.get("additional_contexts")
        if isinstance(extra, dict):
            for key, value in extra.items():
                if isinstance(value, str):
                    extra[key] = _context(value, base, home)
    for entry in svc.get("env_file") or []:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            entry["path"] = absolute(entry["path"], base, home)
    if isinstance(svc.get("label_file"), list):
        svc["label_file"] = [absolute(p, base, home) if isinstance(p, str) else p for p in svc["label_file"]]
    ext = svc.get("extends")
    if isinstance(ext, dict) and isinstance(ext.get("file"), str):
        ext["file"] = absolute(ext["file"], base, home)
    for vol in svc.get("volumes") or []:
        if isinstance(vol, dict) and vol.get("type") == "bind" and isinstance(vol.get("source"), str):
            vol["source"] = absolute(vol["source"], base, home)
    develop = svc.get("develop")
    for watch in (develop.get("watch") or []) if isinstance(develop, dict) else []:
        if isinstance(watch, dict) and isinstance(watch.get("path"), str):
            watch["path"] = absolute(watch["path"], base, home)


def resolve_model(model: dict[str, Any], base: str, home: str) -> None:
    """Resolve, in place, every path field of a canonical model (services and top-level resources)."""
    services = model.get("services")
    if isinstance(services, dict):
        for svc in services.values():
            if isinstance(svc, dict):
                resolve_service(svc, base, home)
    for section in ("secrets", "configs"):
        for obj in (model.get(section) or {}).values() if isinstance(model.get(section), dict) else []:
            if isinstance(obj, dict) and isinstance(obj.get("file"), str):
                obj["file"] = absolute(obj["file"], base, home)
    volumes = model.get("volumes")
    for vol in volumes.values() if isinstance(volumes, dict) else []:
        opts = vol.get("driver_opts") if isinstance(vol, dict) and vol.get("driver") == "local" else None
        if isinstance(opts, dict) and opts.get("o") == "bind" and isinstance(opts.get("device"), str):
            opts["device"] = absolute(opts["device"], base, home)
