"""Compose rows: each resolved service, each of its keys, each environment variable.

The resolved model (`docker compose config` shape) carries facts that differ between two checkouts
of the same files: absolute paths and names derived from the checkout's folder (project, network
and volume names, built image names). They are normalised away before comparing, so only real
configuration differences become rows. A difference in an environment whose compose files have
uncommitted changes is DRIFT (a hand edit on that host), otherwise MISMATCH.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from driftctl.differ.common import ABSENT, NA, UNKNOWN, Marker, View, same, value_row
from driftctl.differ.compose_normalize import SECTIONS, normalize
from driftctl.differ.env import component_of, env_files, fed_by, interpolated_from
from driftctl.matrix import InSync, Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.collectors.compose import ComposeData

    Models = dict[str, ComposeData | Marker]  # per environment: the normalised model, or why there is none

CRITICAL_KEYS = frozenset({"command", "entrypoint", "image", "build"})
LOW_KEYS = frozenset({"labels", "container_name", "logging", "hostname", "stop_grace_period", "develop", "annotations"})


def rows(view: View) -> list[Row | InSync]:
    data = view.per_env("compose")
    models = {e: (normalize(view, e, d) if isinstance(d, dict) else d) for e, d in data.items()}
    found = {e: (bool(m.get("found", True)) if isinstance(m, dict) else m) for e, m in models.items()}
    out: list[Row | InSync] = []
    if any(isinstance(f, bool) for f in found.values()):
        # Which files an environment uses is its choice in environments.yaml; only having none is reported.
        values = {e: (("compose files found" if f else ABSENT) if isinstance(f, bool) else f) for e, f in found.items()}
        out.append(value_row("compose.files", "Compose Files", values, severity=Severity.CRITICAL,
                             sources=_sources(models, "(files)"), facts={"key": "files"}))
    drifted = _uncommitted_compose_envs(view, models)
    services = sorted({s for m in models.values() if isinstance(m, dict) for s in (m.get("services") or {})})
    env_file_diffs = _env_file_differences(view)
    for svc in services:
        out.extend(_Service(view, svc, models, drifted, env_file_diffs).entries())
    for section in SECTIONS:
        names = sorted({n for m in models.values() if isinstance(m, dict) for n in (m.get(section) or {})})
        for name in names:
            values = {e: ((m.get(section) or {}).get(name, ABSENT) if isinstance(m, dict) else m) for e, m in models.items()}
            out.append(_finish(value_row(f"compose.{section}.{name}", f"Compose {section[:-1]} {name}", values,
                                         severity=Severity.LOW, sources=_sources(models, f"{section}.{name}"),
                                         facts={"key": f"{section}.{name}"}), drifted))
    return out


def _file_list(model: ComposeData) -> str:
    return ", ".join(f["path"] for f in model.get("files") or [])


def _sources(models: Models, path: str) -> dict[str, str]:
    return {e: f"compose: {_file_list(m) or '(no compose files)'} -> {path}" if isinstance(m, dict) else "compose"
            for e, m in models.items()}


class _Service:
    """The rows of one service: its presence, each key, each environment variable (the leaves).

    Leaves are compared on the raw values first (`same`); only those that differ become `Row`s here.
    Runs of equal leaves become `InSync` groups that build their rows, with the same code, on demand.
    """

    def __init__(self, view: View, svc: str, models: Models, drifted: set[str], env_file_diffs: set[str]):
        self.view = view
        self.svc, self.models, self.drifted, self.env_file_diffs = svc, models, drifted, env_file_diffs
        self.base = f"compose.services.{svc}"
        self.specs: dict[str, Any] = {
            e: ((m.get("services") or {}).get(svc, ABSENT) if isinstance(m, dict) else m) for e, m in models.items()
        }
        self.have = {e: (NA if s is ABSENT else s) for e, s in self.specs.items()}  # only compare where declared
        self.known = [s for s in self.specs.values() if s is not UNKNOWN and s is not NA]
        self.declared = [s for s in self.known if isinstance(s, dict)]
        self.envs = [s.get("environment") or {} for s in self.declared]

    def entries(self) -> list[Row | InSync]:
        if self.declared and len(self.declared) == len(self.known) and same(self.declared):
            spec = self.declared[0]  # declared the same way wherever it is known: every leaf is in sync
            env = spec.get("environment")
            count = 1 + len(spec) - ("environment" in spec) + (len(env) if isinstance(env, dict) else 0)
            return [self._group(None, count)]
        out: list[Row | InSync] = []
        run: list[tuple[str, str]] = []
        for leaf in self.leaves():
            if self.leaf_same(leaf):
                run.append(leaf)
                continue
            if run:
                out.append(self._group(run, len(run)))
                run = []
            out.append(self.leaf_row(leaf))
        if run:
            out.append(self._group(run, len(run)))
        return out

    def _group(self, leaves: list[tuple[str, str]] | None, count: int) -> InSync:
        def chosen() -> list[tuple[str, str]]:
            return self.leaves() if leaves is None else leaves

        return InSync(count, lambda: [self.leaf_id(leaf) for leaf in chosen()],
                      lambda: [self.leaf_row(leaf) for leaf in chosen()])

    def leaves(self) -> list[tuple[str, str]]:
        """("service", ""), then ("key", k) for each key and ("env", name) for each variable, in row order."""
        out = [("service", "")]
        for key in sorted({k for s in self.declared for k in s}):
            if key == "environment":
                out.extend(("env", name) for name in sorted({k for v in self.envs if isinstance(v, dict) for k in v}))
            else:
                out.append(("key", key))
        return out

    def leaf_id(self, leaf: tuple[str, str]) -> str:
        kind, name = leaf
        return self.base if kind == "service" else f"{self.base}.{name}" if kind == "key" else f"{self.base}.environment.{name}"

    def leaf_same(self, leaf: tuple[str, str]) -> bool:
        """Certainly equal wherever compared (False sends the leaf to the exact comparison)."""
        if len(self.declared) != len(self.known):
            return False  # declared in some environments only, or not as a mapping: let value_row decide
        kind, name = leaf
        if kind == "service":
            return True
        if kind == "key":
            return same([s.get(name, ABSENT) for s in self.declared])
        return all(isinstance(v, dict) for v in self.envs) and same([v.get(name, ABSENT) for v in self.envs])

    def leaf_row(self, leaf: tuple[str, str]) -> Row:
        kind, name = leaf
        svc, models = self.svc, self.models
        if kind == "service":
            presence = {e: ("declared" if isinstance(s, dict) else s) for e, s in self.specs.items()}
            return value_row(self.base, f"Service {svc}", presence, severity=Severity.CRITICAL,
                             sources=_sources(models, f"services.{svc}"), facts={"service": svc})
        if kind == "key":
            values = {e: (readable(name, s.get(name, ABSENT)) if isinstance(s, dict) else s) for e, s in self.have.items()}
            sev = (Severity.CRITICAL if name in CRITICAL_KEYS
                   else Severity.LOW if name in LOW_KEYS or name.startswith("x-") else Severity.MODERATE)
            row = value_row(f"{self.base}.{name}", f"{svc}: {name}", values, severity=sev,
                            sources=_sources(models, f"services.{svc}.{name}"), facts={"service": svc, "key": name})
            if row.status is not Status.IN_SYNC and self.env_file_diffs:
                raw = {e: (s.get(name, ABSENT) if isinstance(s, dict) else s) for e, s in self.have.items()}
                if _counted_on_env_rows(self.view, row, raw, self.env_file_diffs):
                    return row
            return _finish(row, self.drifted)
        return _env_row(self.view, svc, name, self.have, models, self.drifted, self.env_file_diffs)


SIZE_KEYS = frozenset({"mem_limit", "mem_reservation", "memswap_limit", "shm_size"})


def readable(key: str, value: Any) -> Any:
    """Sizes and ports the way people write them (`192MiB`, `127.0.0.1:8001->8001/tcp`); equal values
    stay equal, so comparing the readable form is as exact as comparing the raw one."""
    if key in SIZE_KEYS and isinstance(value, (int, str)) and str(value).isdigit():
        n = int(value)
        for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
            if n >= size and n % size == 0:
                return f"{n // size}{unit}"
        return f"{n}B"
    if key == "ports" and isinstance(value, list) and all(isinstance(p, dict) for p in value):
        return ", ".join(_port(p) for p in value)
    return value


def _port(p: dict) -> str:
    host = f"{p['host_ip']}:" if p.get("host_ip") else ""
    published = f"{host}{p['published']}->" if p.get("published") not in (None, "") else ""
    return f"{published}{p.get('target')}/{p.get('protocol') or 'tcp'}"


def _env_row(view: View, svc: str, name: str, have: dict[str, Any], models: Models, drifted: set[str],
             env_file_diffs: set[str]) -> Row:
    """One variable's row. A variable whose env-file value differs too is a MISMATCH even where
    compose files were hand-edited: the env file, not the edit, explains it."""
    envs = {e: ((s.get("environment") or {}) if isinstance(s, dict) else s) for e, s in have.items()}
    values = {e: (v.get(name, _absent(models.get(e))) if isinstance(v, dict) else v) for e, v in envs.items()}
    row = value_row(f"compose.services.{svc}.environment.{name}", f"{svc}: {name}", values,
                    severity=Severity.MODERATE, sources=_sources(models, f"services.{svc}.environment.{name}"),
                    facts={"service": svc, "key": f"environment.{name}"})
    row.aliases.append(f"var:{name}")
    fed = fed_by(view, svc, name) if row.status is not Status.IN_SYNC and env_file_diffs else None
    if fed is not None and fed[1] in env_file_diffs:
        # One fact, one finding: counted on the env-file row, which lists this service.
        file, var = fed
        row.aliases.append(f"{component_of(file)}.{var}")
        row.aliases.append(f"var:{var}")
        row.severity = Severity.NONE
        via = f" ({var})" if var != name else ""
        row.details.append(f"the value comes from {file}{via}: counted on {component_of(file)}.{var}")
        return row
    if row.status is not Status.IN_SYNC and env_file_diffs and _counted_on_env_rows(view, row, values, env_file_diffs):
        return row
    if name in env_file_diffs:
        row.details.append(f"follows the env files, where {name} differs too")
        return row
    return _finish(row, drifted)


def _counted_on_env_rows(view: View, row: Row, values: dict[str, Any], env_file_diffs: set[str]) -> bool:
    """One fact, one finding: a value that differs only through `${VAR}`s of env files whose values
    differ is counted on those env-file rows (severity none here, answering to their ids and to
    `var:VAR`, so their rules cover it)."""
    sources = interpolated_from(view, values, env_file_diffs)
    if not sources:
        return False
    for file, var in sources:
        row.aliases.extend([f"{component_of(file)}.{var}", f"var:{var}"])
    row.severity = Severity.NONE
    row.details.append("differs only through " + ", ".join(f"${{{var}}} of {file}" for file, var in sources)
                       + ": counted on " + ", ".join(f"{component_of(file)}.{var}" for file, var in sources))
    return True


def _absent(model: Any) -> Any:
    """A variable a service lacks where a service env file was missing (gitignored) is unknown, not absent."""
    missing = model.get("missing_env_files") if isinstance(model, dict) else None
    return UNKNOWN if missing and missing.get("(services)") else ABSENT


def _env_file_differences(view: View) -> set[str]:
    """Names of variables whose values differ between the environments' env files. A variable that
    one copy of a file defines and another copy of the same file lacks differs too (its env row is
    MISSING there): the compose values it feeds are counted on that row, once."""
    seen: dict[str, set[str]] = {}
    per_file: dict[str, list[set[str]]] = {}
    for env in view.envs:
        for file, info in env_files(view, env).items():
            variables = info.get("variables") or {}
            if info.get("exists"):
                per_file.setdefault(file, []).append(set(variables))
            for key, value in variables.items():
                seen.setdefault(key, set()).add(str(value))
    lacking = {k for copies in per_file.values() for k in set[str]().union(*copies) - copies[0].intersection(*copies[1:])}
    return {k for k, v in seen.items() if len(v) > 1} | lacking


def _finish(row: Row, drifted: set[str]) -> Row:
    """A difference in an environment with hand-edited compose files is DRIFT, flagged on those."""
    if row.status in (Status.MISMATCH, Status.MISSING) and drifted & set(row.values):
        row.flagged = sorted(drifted & set(row.values))
        row.status = Status.DRIFT
        row.details.append(f"compose files with uncommitted changes in: {', '.join(row.flagged)}")
    return row


def _uncommitted_compose_envs(view: View, models: Models) -> set[str]:
    out = set()
    for env, m in models.items():
        if not isinstance(m, dict) or not view.has_worktree(env):
            continue
        files, git = view.data(env, "files"), view.data(env, "git")
        changed = set((files.get("changed") or {}) if files else {})
        if git:
            changed |= set(git.get("modified") or []) | set(git.get("untracked") or [])
        if any(f.get("path") in changed for f in m.get("files") or []):
            out.add(env)
    return out
