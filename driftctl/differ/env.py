"""Env-file rows: each variable of each env file, compared by value (secrets by fingerprint).

Env files are usually git-ignored, so a git environment that has none is not "missing" them.
"""

from __future__ import annotations

from typing import Any

from driftctl.differ.common import ABSENT, NA, View, value_row
from driftctl.matrix import Row, Severity


def component_of(file: str) -> str:
    """`.env` -> `env.env`, `config/app.env` -> `env.config/app.env` (no empty dotted segment)."""
    return "env." + file.lstrip(".")


def rows(view: View) -> list[Row]:
    data = view.per_env("env")
    files: dict[str, Any] = {}
    for env, d in data.items():
        files[env] = (d.get("files") or {}) if isinstance(d, dict) else d
    names = sorted({f for v in files.values() if isinstance(v, dict) for f in v})
    out: list[Row] = []
    for name in names:
        parsed: dict[str, Any] = {}
        for env, v in files.items():
            if not isinstance(v, dict):
                parsed[env] = v
                continue
            info = v.get(name) or {"exists": False}
            if not info.get("exists"):
                parsed[env] = NA if view.transport(env) == "git" else ABSENT
            else:
                parsed[env] = info
        out.extend(_file_rows(name, parsed))
    return out


def _file_rows(name: str, parsed: dict) -> list[Row]:
    base = component_of(name)
    sources = {e: f"env: {name}" for e in parsed}
    presence = {e: ("present" if isinstance(p, dict) else p) for e, p in parsed.items()}
    out = [value_row(base, f"Env File {name}", presence, severity=Severity.MODERATE, sources=sources,
                     facts={"path": name})]
    for env, p in parsed.items():
        if isinstance(p, dict) and p.get("error"):
            out[0].details.append(f"{env}: {name} could not be parsed: {p['error']}")
    variables = {e: ((p.get("variables") or {}) if isinstance(p, dict) else p) for e, p in parsed.items()}
    keys = sorted({k for v in variables.values() if isinstance(v, dict) for k in v})
    for key in keys:
        values = {e: (v.get(key, ABSENT) if isinstance(v, dict) else v) for e, v in variables.items()}
        out.append(value_row(f"{base}.{key}", f"{key} ({name})", values, severity=Severity.MODERATE,
                             sources={e: f"env: {name} -> {key}" for e in parsed}, facts={"path": name, "key": key}))
    return out
