"""Turn matrix rows into the facts the planner acts on: broken imports, config mismatches, divergence.

The differ's row contract is a dict (component, values, status, severity, details); details are free
text, so parsing here is deliberately forgiving and falls back to the snapshots where it can.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from driftctl.planner.context import SETTLED, PlanContext

_LOCATION = re.compile(r"(?P<file>[\w./-]+\.py):(?P<line>\d+)")
_MODULE = re.compile(
    r"(?:No module named|missing module|cannot import(?: name)?|ModuleNotFoundError:?|imports|module)\s+['\"`]?(?P<module>[\w.]+)",
    re.IGNORECASE,
)
_BAD_WORDS = ("broken", "error", "missing", "fail", "importerror", "not found")


@dataclass(frozen=True)
class MissingModule:
    """An import that fails in `environment`: `file:line` imports `module`, expected at `path`."""

    environment: str
    component: str
    service: str
    file: str
    line: int | None
    module: str
    path: str


def _looks_broken(value: object) -> bool:
    if isinstance(value, dict):
        return value.get("ok") is False or str(value.get("status", "")).lower() in ("broken", "error") or bool(
            value.get("missing") or value.get("errors")
        )
    if isinstance(value, list):
        return bool(value)
    return isinstance(value, str) and any(w in value.lower() for w in _BAD_WORDS)


def module_path(importer: str, module: str) -> str:
    """Where a module imported by `importer` would live: next to it (script-style services)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), *module.split("."))) + ".py"


def missing_modules(ctx: PlanContext) -> list[MissingModule]:
    out: dict[tuple[str, str], MissingModule] = {}
    for row in ctx.rows("code_health.", {"BROKEN"}):
        component = row["component"]
        service = component.split(".", 1)[1]
        values = row.get("values") or {}
        broken = [e for e, v in values.items() if _looks_broken(v)]
        for detail in row.get("details") or []:
            text = str(detail)
            envs = [e for e in ctx.environments if text.startswith(f"{e}:") or text.startswith(f"[{e}]")] or broken
            loc, mod = _LOCATION.search(text), _MODULE.search(text)
            if not (loc and mod):
                continue
            for env in envs:
                path = module_path(loc["file"], mod["module"])
                out.setdefault((env, path), MissingModule(env, component, service, loc["file"], int(loc["line"]), mod["module"], path))
    return list(out.values())


@dataclass(frozen=True)
class ConfigDifference:
    """A compose setting whose value differs between environments (e.g. service discovery URLs)."""

    component: str
    service: str
    key: str  # "command", or "environment.VAR"
    values: dict[str, object]
    severity: str
    status: str

    @property
    def variable(self) -> str | None:
        return self.key.split(".", 1)[1] if self.key.startswith("environment.") else None


def config_differences(ctx: PlanContext) -> list[ConfigDifference]:
    """Unsettled `compose.services.<svc>.(command|environment.VAR)` rows (what overrides must pin)."""
    out = []
    for row in ctx.rows("compose.services."):
        if row.get("status") in SETTLED | {"UNKNOWN"}:
            continue
        rest = row["component"][len("compose.services."):]
        service, _, key = rest.partition(".")
        if key == "command" or key.startswith("environment."):
            values = {e: v for e, v in (row.get("values") or {}).items() if v is not None and ctx.kind(e) in ("local", "ssh")}
            if len(values) >= 2 or (values and row.get("status") == "MISSING"):
                out.append(ConfigDifference(row["component"], service, key, values, row.get("severity", "moderate"), row["status"]))
    return out


@dataclass(frozen=True)
class Divergence:
    """Two environments on commits that each have what the other lacks."""

    ours: str  # the environment whose branch receives the merge (the hub's side)
    theirs: str
    ours_branch: str | None
    theirs_branch: str | None
    ours_head: str
    theirs_head: str


def divergences(ctx: PlanContext) -> list[Divergence]:
    """Pairs (hub, other) whose heads differ and are not ancestors of each other in the hub's graph."""
    hub = ctx.hub
    if not hub or not ctx.head(hub):
        return []
    graph = ctx.git(hub).get("graph") or {}
    out = []
    seen: set[str] = set()
    for env in ctx.environments:
        head = ctx.head(env)
        if env == hub or not head or head == ctx.head(hub) or head in seen:
            continue
        if head in graph and _is_ancestor(graph, head, ctx.head(hub) or ""):
            continue  # the hub already contains it: nothing to merge
        seen.add(head)
        out.append(Divergence(hub, env, ctx.branch(hub), ctx.branch(env), ctx.head(hub) or "", head))
    return out


def _is_ancestor(graph: dict[str, list[str]], ancestor: str, descendant: str) -> bool:
    stack, seen = [descendant], set()
    while stack:
        c = stack.pop()
        if c == ancestor:
            return True
        if c in seen:
            continue
        seen.add(c)
        stack.extend(graph.get(c, []))
    return False
