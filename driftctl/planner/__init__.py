"""The planner: pure. A diff matrix, the snapshots behind it, and the merge-risk computation go in;
a Plan (phases -> steps with commands, rollback and verify; warnings; success metrics) comes out.

Nothing here runs commands or imports transports: `apply` executes plans, `analysis` computes the
facts that need I/O (merge results) beforehand.
"""

from __future__ import annotations

from datetime import datetime, timezone

from driftctl.errors import UsageError
from driftctl.planner.context import PlanContext
from driftctl.planner.graph import link
from driftctl.planner.invariants import check as check_invariants
from driftctl.planner.metrics import derive_metrics
from driftctl.planner.model import OPTIONS, Plan
from driftctl.planner.options import OPTION_BUILDERS
from driftctl.planner.sources import describe_source
from driftctl.planner.targets import Target
from driftctl.planner.warnings import derive_warnings

__all__ = ["build_plan", "OPTIONS", "Plan"]


def build_plan(
    matrix: dict,
    snapshots: list[dict] | dict[str, dict],
    option: str,
    targets: dict[str, Target],
    *,
    merge_risk: list[dict] | None = None,
    secret_files: list[dict] | None = None,
    now: datetime | None = None,
    reports_root: str = "reports",
    config_path: str = "environments.yaml",
) -> Plan:
    """Plan the repair of the drift in `matrix` following one of the seed's recovery options."""
    if option not in OPTION_BUILDERS:
        raise UsageError(f"unknown option {option!r}; use one of: {', '.join(OPTIONS)}")
    snaps = snapshots if isinstance(snapshots, dict) else {s["environment"]: s for s in snapshots}
    now = now or datetime.now(timezone.utc)
    ctx = PlanContext(matrix=matrix, snapshots=snaps, targets=targets, option=option, now=now,
                      reports_root=reports_root, config_path=config_path, merge_risk=list(merge_risk or []),
                      secret_files=list(secret_files or []))
    phases = link(OPTION_BUILDERS[option](ctx))
    check_invariants(phases, ctx)
    notes = []
    if not ctx.hub:
        notes.append("no local git checkout among the environments: tags, rescue branches and merges need one")
    for env in ctx.checkouts():
        if ctx.has_docker(env) is False:
            notes.append(f"{env}: no Docker engine there (none answered, or containers are not collected), so no container state is exported and no service is restarted")
    return Plan(
        id=f"{ctx.stamp}-{option}",
        option=option,
        created_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        environments=tuple(ctx.environments),
        sources={e: describe_source(s) for e, s in snaps.items() if e in ctx.environments},
        phases=tuple(phases),
        warnings=tuple(derive_warnings(ctx)),
        metrics=tuple(derive_metrics(ctx)),
        summary=dict(matrix.get("summary") or {}),
        incomplete=tuple(matrix.get("incomplete") or ()),
        merge_risk=tuple(ctx.merge_risk),
        notes=tuple(notes),
    )
