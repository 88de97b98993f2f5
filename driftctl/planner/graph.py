"""The step graph: which steps must have succeeded before a step may run.

Builders name the steps a step builds on (`requires`). `link` adds what safety demands of every
plan: a step that changes an environment requires every step that secures that environment
(rollback points, bundles, rescue, captures), so nothing that exists only there can be lost.
`apply` enforces the result (see `driftctl.apply_graph`).
"""

from __future__ import annotations

from dataclasses import replace

from driftctl.planner.model import Phase, Step


def securing(steps: list[Step]) -> dict[str, list[str]]:
    """Environment -> ids of the steps that secure it, in plan order."""
    out: dict[str, list[str]] = {}
    for s in steps:
        if s.secures:
            out.setdefault(s.secures, []).append(s.id)
    return out


def link(phases: list[Phase]) -> list[Phase]:
    """Complete `requires`: securing steps of every changed environment, for every other mutating step."""
    steps = [s for p in phases for s in p.steps]
    secure = securing(steps)
    position = {s.id: i for i, s in enumerate(steps)}
    out = []
    for p in phases:
        linked = []
        for s in p.steps:
            need = [r for r in s.requires if r]
            if s.mutates and not s.secures:
                for env in s.changed:
                    need += [i for i in secure.get(env, []) if position[i] < position[s.id]]
            linked.append(replace(s, requires=tuple(dict.fromkeys(r for r in need if r in position))))
        out.append(Phase(p.number, p.title, p.goal, tuple(linked)))
    return out


def closure(steps: list[Step], step_id: str) -> set[str]:
    """Every step `step_id` depends on, directly or through others."""
    by_id = {s.id: s for s in steps}
    seen: set[str] = set()
    stack = list(by_id[step_id].requires)
    while stack:
        r = stack.pop()
        if r in seen or r not in by_id:
            continue
        seen.add(r)
        stack.extend(by_id[r].requires)
    return seen
