"""Env-file rows: each variable of each env file, compared by value (secrets by fingerprint).

Env files are usually git-ignored, so a git environment that has none is not "missing" them.

One finding per fact: a value that reaches compose services from an env file (by `env_file:` or
by interpolation) is counted on the env-file row, which lists its compose consumers; the compose
rows of the same variable are shown with severity none and answer to the env row's id in rules.
Every variable row also answers to `var:NAME`, so one rule covers a variable wherever it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl.differ.common import ABSENT, NA, Marker, View, value_row
from driftctl.matrix import Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.collectors.compose import ComposeService
    from driftctl.collectors.env import EnvFile


def component_of(file: str) -> str:
    """`.env` -> `env.env`, `config/app.env` -> `env.config/app.env` (no empty dotted segment)."""
    return "env." + file.lstrip(".")


def rows(view: View) -> list[Row]:
    data = view.per_env("env")
    files: dict[str, dict[str, EnvFile] | Marker] = {}
    for env, d in data.items():
        files[env] = (d.get("files") or {}) if isinstance(d, dict) else d
    names = sorted({f for v in files.values() if isinstance(v, dict) for f in v})
    out: list[Row] = []
    for name in names:
        parsed: dict[str, EnvFile | Marker] = {}
        for env, v in files.items():
            if not isinstance(v, dict):
                parsed[env] = v
                continue
            info = v.get(name)
            if not info or not info.get("exists"):
                parsed[env] = NA if view.caps(env).revision else ABSENT
            else:
                parsed[env] = info
        out.extend(_file_rows(view, name, parsed))
    return out


def env_files(view: View, env: str) -> dict[str, EnvFile]:
    """The env files of one environment ({} when the env collector has no data there)."""
    data = view.data(env, "env")
    return (data.get("files") or {}) if data else {}


def compose_services(view: View, env: str) -> dict[str, ComposeService]:
    """The resolved compose services of one environment ({} when the compose collector has no data there)."""
    data = view.data(env, "compose")
    return (data.get("services") or {}) if data else {}


def _variables(view: View, env: str, file: str) -> dict[str, str | None] | None:
    """The variables of one env file in one environment, or None when the file is not there."""
    info = env_files(view, env).get(file)
    return (info.get("variables") or {}) if info and info.get("exists") else None


def _compose_value(view: View, env: str, svc: str, key: str) -> Any:
    spec = compose_services(view, env).get(svc)
    envmap = spec.get("environment") if isinstance(spec, dict) else None
    return envmap.get(key, ABSENT) if isinstance(envmap, dict) else ABSENT


def env_file_names(view: View) -> list[str]:
    return sorted({f for env in view.envs for f in env_files(view, env)})


def fed_by(view: View, svc: str, key: str) -> tuple[str, str] | None:
    """(env file, variable) that gives compose service `svc` its value of `key` in every environment
    where the service sets it, or None when the value comes from elsewhere. The variable is `key`
    itself (env_file, `${KEY}`), else the one variable of that file whose value matches everywhere
    (`UPSTREAM_PORT: ${API_PORT}`): a coincidence across environments whose values differ is unlikely."""
    for file in env_file_names(view):
        for var in _candidates(view, file, svc, key):
            if _feeds(view, file, var, svc, key):
                return file, var
    return None


def _candidates(view: View, file: str, svc: str, key: str) -> list[str]:
    names: set[str] = set()
    for env in view.envs:
        names |= set(_variables(view, env, file) or {})
    return ([key] if key in names else []) + sorted(n for n in names if n != key)


def _feeds(view: View, file: str, var: str, svc: str, key: str) -> bool:
    seen = False
    for env in view.envs:
        value = _compose_value(view, env, svc, key)
        if value is ABSENT or view.data(env, "compose") is None:
            continue
        variables = _variables(view, env, file)
        if variables is None or var not in variables or variables[var] != value:
            return False
        seen = True
    return seen


def consumers(view: View, file: str, var: str) -> list[str]:
    """Compose services (and their variables) fed by `var` of the env file `file`."""
    out = []
    for svc in sorted({s for env in view.envs for s in compose_services(view, env)}):
        keys = sorted({k for env in view.envs
                       for k in ((compose_services(view, env).get(svc) or {}).get("environment") or {})})
        for key in keys:
            if fed_by(view, svc, key) == (file, var):
                out.append(svc if key == var else f"{svc} ({key})")
    return out


def _file_rows(view: View, name: str, parsed: dict[str, EnvFile | Marker]) -> list[Row]:
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
        row = value_row(f"{base}.{key}", f"{key} ({name})", values, severity=Severity.MODERATE,
                        sources={e: f"env: {name} -> {key}" for e in parsed}, facts={"path": name, "key": key})
        row.aliases.append(f"var:{key}")
        users = consumers(view, name, key) if row.status is not Status.IN_SYNC else []
        if users:
            row.details.append(f"reaches compose services: {', '.join(users)} (their rows are not counted again)")
        out.append(row)
    return out


def interpolated_from(view: View, values: dict[str, Any], differing: set[str]) -> list[tuple[str, str]] | None:
    """(env file, variable) pairs that alone make a compose value differ: the value written with
    `${VAR}` (`--token=${BOT_TOKEN}`, `redis://cache:6379/${REDIS_DB}`) is the same template in every
    environment once each differing env-file variable's value is put back as its name. None when
    something else differs too (a hand edit, another file), or when no variable is involved.

    A value is put back only where it stands as a whole token (not inside a longer word), so a
    short value such as `1` does not match inside `6379`; secrets compare as their fingerprints,
    which tainted strings carry in place of the secret.
    """
    import json
    import re

    from driftctl.differ.common import UNKNOWN

    known = {e: v for e, v in values.items() if v is not UNKNOWN and v is not NA}
    if len(known) < 2 or any(v is ABSENT for v in known.values()):
        return None
    templates: set[str] = set()
    used: set[tuple[str, str]] = set()
    for env, value in known.items():
        text = json.dumps(value, sort_keys=True)
        for file, var, raw in _differing_values(view, env, differing):
            token = json.dumps(raw)[1:-1]  # as it appears inside the JSON text
            pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])")
            text, n = pattern.subn("${" + var + "}", text)
            if n:
                used.add((file, var))
        templates.add(text)
    return sorted(used) if used and len(templates) == 1 else None


def _differing_values(view: View, env: str, differing: set[str]) -> list[tuple[str, str, str]]:
    """(file, variable, value) of `env`'s env files for the variables that differ between
    environments, longest value first (a value inside another is put back after it)."""
    from driftctl.snapshot import UNKNOWN_ENV_VALUE

    out = []
    for file in env_file_names(view):
        for var, value in (_variables(view, env, file) or {}).items():
            if var in differing and isinstance(value, str) and value and UNKNOWN_ENV_VALUE not in value:
                out.append((file, var, value))
    return sorted(out, key=lambda t: (-len(t[2]), t[1]))
