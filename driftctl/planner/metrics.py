"""Success metrics per horizon, each a checklist item with the `driftctl check` that verifies it.

Derived from the rows the plan addresses: a metric exists only when the matrix has something for it
to measure, and its check names those components.
"""

from __future__ import annotations

from driftctl.planner.context import PlanContext
from driftctl.planner.findings import config_differences, missing_modules
from driftctl.planner.model import Metric
from driftctl.planner.steps import check


def derive_metrics(ctx: PlanContext) -> list[Metric]:
    out: list[Metric] = []
    missing = missing_modules(ctx)
    broken_components = sorted({m.component for m in missing})
    for comp in broken_components:
        envs = sorted({m.environment for m in missing if m.component == comp})
        out.append(Metric("immediate", f"{comp.split('.', 1)[1]} imports resolve in {', '.join(envs)}", check(envs, comp), [comp]))
    if ctx.production:
        out.append(Metric("immediate", f"Production state documented: {', '.join(ctx.production)} tagged, config and containers exported",
                          check([*ctx.production], "git.head"), ["git.head"]))
        out.append(Metric("immediate", f"No production disruption: {', '.join(ctx.production)} containers keep running",
                          check([*ctx.production], "containers.*"), ["containers.*"]))
    if broken_components:
        everywhere = [e for e in ctx.environments if ctx.caps(e).worktree]
        out.append(Metric("short-term", "Every environment has the same working code for " + ", ".join(c.split('.', 1)[1] for c in broken_components),
                          check(everywhere, *broken_components), broken_components))
    diffs = config_differences(ctx)
    if diffs:
        comps = sorted({d.component for d in diffs})
        out.append(Metric("short-term", "Configuration drift managed: every differing compose setting is pinned per environment "
                          "(override file) or declared expected in rules", check([], *comps), comps))
    if ctx.evidence("", {"uncommitted", "untracked"}, {"DRIFT"}):
        out.append(Metric("short-term", "No deployed code outside version control (git.uncommitted in sync)",
                          check([], "git.uncommitted"), ["git.uncommitted"]))
    if ctx.rows("git.", {"DIVERGED"}):
        out.append(Metric("long-term", "Branches reconciled: environments deploy commits of one history",
                          check([], "git.branch", "git.relation"), ["git.branch", "git.relation"]))
    out.append(Metric("long-term", "Zero unexpected configuration drift (also enforced by the CI job)", check([]), ["*"]))
    if ctx.option == "parallel":
        out.append(Metric("short-term", "Staging runs the standardized configuration",
                          check([ctx.staging or "staging"], "compose.*"), ["compose.*"]))
    return out
