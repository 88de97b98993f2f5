"""Running analyses: pick the repository that holds both histories, open its transport, drive.

Kept apart from the pure parts so the planner stays free of I/O: `driftctl plan` calls
`compute_merge_risk` and hands its plain-dict result to `build_plan`.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from driftctl.analysis.merge_risk import MergePair, MergeRiskAnalysis, Scratch, Side
from driftctl.config import Config
from driftctl.errors import DriftctlError
from driftctl.models import Command
from driftctl.snapshot import collector_data

if TYPE_CHECKING:
    from driftctl.planner.context import PlanContext


def plan_view(config: Config, snapshots: dict[str, dict]) -> PlanContext:
    """The planner's view of the environments, so the analysis uses the plan's hub and divergences."""
    from datetime import datetime, timezone

    from driftctl.planner.context import PlanContext
    from driftctl.planner.targets import targets_from_config

    return PlanContext.of_snapshots(snapshots, targets_from_config(config), datetime.now(timezone.utc))


def merge_pairs(config: Config, snapshots: dict[str, dict], ctx: PlanContext) -> list[MergePair]:
    """(hub, other) for every environment whose deployed commit is not already in the hub's history."""
    from driftctl.planner.findings import divergences

    pairs = []
    for d in divergences(ctx):
        pairs.append(MergePair(
            Side(d.ours, d.ours_branch, d.ours_head, _files(config, snapshots, d.ours)),
            Side(d.theirs, d.theirs_branch, d.theirs_head, _files(config, snapshots, d.theirs)),
        ))
    return pairs


def _files(config: Config, snapshots: dict[str, dict], env: str) -> tuple[str, ...]:
    """The compose files the environment uses (as collected), so both sides resolve like they deploy."""
    compose = collector_data(snapshots.get(env, {}), "compose")
    found = [f["path"] for f in (compose.get("files") or [] if compose else []) if f.get("exists")]
    spec = config.environments.get(env)
    return tuple(found or (spec.compose_files if spec and spec.compose_files else ()))


def compute_merge_risk(config: Config, snapshots: dict[str, dict]) -> list[dict]:
    """Merge-risk entries for the plan; an unreachable hub turns into entries with `error` set."""
    from driftctl.runner import drive
    from driftctl.transport import make_transport

    view = plan_view(config, snapshots)
    hub = view.hub
    if hub is None or hub not in config.environments:  # a hub known only from a snapshot file cannot be reached
        return []
    pairs = merge_pairs(config, snapshots, view)
    if not pairs:
        return []
    spec = config.environments[hub]
    try:
        with make_transport(config, hub) as transport:
            scratch = _make_scratch(transport)
            try:
                ctx = transport.collect_context(spec)
                analysis = MergeRiskAnalysis(pairs, scratch)
                outcome = drive(ctx, [analysis], transport.run_batch, lambda _msg: None)[analysis.name]
            finally:
                transport.run(Command(("rm", "-rf", "--", scratch.temp)))
    except DriftctlError as exc:
        return [_failed(hub, p, exc.message) for p in pairs]
    if outcome.status != "ok":
        return [_failed(hub, p, outcome.error or "analysis failed") for p in pairs]
    return (outcome.data or {}).get("pairs", [])


def _make_scratch(transport) -> Scratch:
    """The hub's object directory and a fresh temporary directory for merge-tree's objects."""
    common, temp = transport.run_batch([
        Command(("git", "rev-parse", "--git-common-dir"), cwd=transport.root),
        Command(("mktemp", "-d")),
    ])
    if not temp.ok or not temp.text.strip():
        raise DriftctlError(f"cannot create a temporary directory: {temp.failure()}")
    if not common.ok:
        transport.run(Command(("rm", "-rf", "--", temp.text.strip())))
        raise DriftctlError(common.failure())
    objects = posixpath.join(transport.root, common.text.strip(), "objects")
    return Scratch(objects=posixpath.normpath(objects), temp=temp.text.strip())


def _failed(hub: str, pair: MergePair, error: str) -> dict:
    return {"computed_in": hub, "ours": pair.ours.to_json(), "theirs": pair.theirs.to_json(), "tree": None, "clean": None,
            "conflicts": [], "changes": {"into_ours": [], "into_theirs": []}, "error": error}
