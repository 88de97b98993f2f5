"""Turn matrix rows into the facts the planner acts on: broken imports, config mismatches, divergence.

Only the rows' structured `evidence` (and the snapshots) are read: titles, details and display
values are for people and may be reworded without changing any plan.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from driftctl.planner.context import PlanContext


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


def module_path(importer: str, module: str) -> str:
    """Where a module imported by `importer` would live: next to it (script-style services)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), *module.split("."))) + ".py"


def missing_modules(ctx: PlanContext) -> list[MissingModule]:
    out: dict[tuple[str, str], MissingModule] = {}
    for row, ev in ctx.evidence("code_health.", {"missing-import"}, {"BROKEN"}):
        if not (ev.path and ev.module):
            continue
        service = ev.service or row["component"].split(".", 1)[1]
        path = module_path(ev.path, ev.module)
        out.setdefault((ev.environment, path), MissingModule(ev.environment, row["component"], service, ev.path, ev.line,
                                                             ev.module, path))
    return list(out.values())


@dataclass(frozen=True)
class ConfigDifference:
    """A compose setting whose value differs between environments (e.g. service discovery URLs).

    `values` are raw values from the evidence (secrets as `fp:` fingerprints, never clear);
    `absent` names the environments where the setting is not there at all.
    """

    component: str
    service: str
    key: str  # "command", or "environment.VAR"
    values: dict[str, object]
    severity: str
    status: str
    absent: tuple[str, ...] = field(default=())

    @property
    def variable(self) -> str | None:
        return self.key.split(".", 1)[1] if self.key.startswith("environment.") else None


def config_differences(ctx: PlanContext) -> list[ConfigDifference]:
    """Unsettled `compose.services.<svc>.(command|environment.VAR)` rows (what overrides must pin)."""
    by_row: dict[str, tuple[dict, dict[str, object], list[str], str, str]] = {}
    for row, ev in ctx.evidence("compose.services.", {"value", "absent"}, unsettled=True):
        key = ev.key or ""
        if not ev.service or not (key == "command" or key.startswith("environment.")):
            continue
        if not ctx.caps(ev.environment).worktree:
            continue
        entry = by_row.setdefault(row["component"], (row, {}, [], ev.service, key))
        if ev.kind == "value" and ev.value is not None:
            entry[1][ev.environment] = ev.value
        else:
            entry[2].append(ev.environment)
    out = []
    for component, (row, values, absent, service, key) in by_row.items():
        if len(values) >= 2 or (values and absent):
            out.append(ConfigDifference(component, service, key, values, row.get("severity", "moderate"), row["status"],
                                        tuple(absent)))
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
    graph = ctx.graph(hub)
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
