"""Repairing drift: `plan` proposes signed steps, `apply` runs them, `rescue` saves a checkout's
uncommitted work first.

`plan` only reads the environments; `apply` changes them, so it runs only a signed plan whose
environments are unchanged since it was made; `rescue` never writes to its target (the branch it
makes is local).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from driftctl.api.loading import Collecting, ConfigArg, load, quietly
from driftctl.snapshot_store import reports_dir

if TYPE_CHECKING:
    from driftctl.apply import ApplyIO, ApplyOutcome
    from driftctl.rescue import RescueResult


@dataclass
class PlanResult:
    """A signed plan, its two saved renderings and where they are."""

    document: dict
    markdown: str
    json: str
    folder: Path  # reports/plans: <id>.md and <id>.json
    incomplete: list[str] = field(default_factory=list)  # environments whose snapshot is incomplete

    @property
    def path(self) -> Path:
        """The plan file `driftctl apply` takes."""
        return self.folder / f"{self.document['id']}.json"


def plan(
    names: Sequence[str] | None = None,
    *,
    option: str,
    config: ConfigArg = None,
    cached: bool = False,
    snapshot_files: Sequence[str] = (),
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> PlanResult:
    """Plan safe repairs (`option`: quick-fix | comprehensive-sync | parallel), signed and saved to
    reports/plans/. Reads the environments (merge risk, uncommitted secrets), never changes them; a
    live plan scans the checkouts on its collection's connections: one login per environment."""
    from driftctl.analysis.run import compute_merge_risk
    from driftctl.analysis.secret_files import UncommittedScan
    from driftctl.checks import compare, gather, plan_option
    from driftctl.plan_signing import sign
    from driftctl.planner import build_plan
    from driftctl.planner.targets import targets_from_config
    from driftctl.render.plan import plan_json, plan_markdown
    from driftctl.snapshot_store import atomic_write, mark_ignored

    plan_option(option)
    cfg = load(config)
    files = list(snapshot_files)
    chosen = cfg.select(list(names or [])) if names or not files else []
    scan = UncommittedScan(cfg)
    live = not cached and not files  # only then are the snapshots (and their connections) all this run's
    snapshots = gather(cfg, chosen, cached=cached, snapshot_files=files, accept_new_host_key=accept_new_host_key,
                       collecting=collecting, while_open=scan.while_open if live else None)
    by_env = {s["environment"]: s for s in snapshots}
    root = reports_dir(cfg.base_dir)
    built = build_plan(compare(snapshots, cfg.rules).to_json(), by_env, option, targets_from_config(cfg),
                       merge_risk=compute_merge_risk(cfg, by_env), secret_files=scan.findings(by_env),
                       reports_root=str(root.resolve()), config_path=str(Path(cfg.source).resolve()))
    doc = sign(built.to_json(), reports_root=root)  # apply runs only signed, unchanged plans
    result = PlanResult(doc, plan_markdown(doc), plan_json(doc), root / "plans",
                        [s["environment"] for s in snapshots if not s.get("complete", True)])
    mark_ignored(root)
    atomic_write(result.folder / f"{doc['id']}.md", result.markdown)
    atomic_write(result.path, result.json)
    return result


@dataclass
class ApplyResult:
    """What `apply` ran, for which plan."""

    plan: dict
    outcome: ApplyOutcome
    dry_run: bool = False

    def to_json(self) -> dict:
        """`driftctl apply --format json`: which steps ran, which failed, where the audit log is."""
        outcome = self.outcome
        return {
            "schema": "driftctl.apply/v1",
            "plan": self.plan.get("id"),
            "dry_run": self.dry_run,
            "exit_code": int(outcome.exit_code),
            "ran": list(outcome.ran),
            "failed": outcome.failed,
            "checks": list(outcome.checks),
            "log": str(outcome.log) if outcome.log else None,
        }


def apply(
    plan_file: str | Path,
    *,
    io: ApplyIO,
    config: ConfigArg = None,
    step_ids: Sequence[str] = (),
    phase: int | None = None,
    dry_run: bool = False,
    yes: bool = False,
    accept_new_host_key: bool = False,
) -> ApplyResult:
    """Run a signed plan's steps (or the chosen ones): re-collect its environments first and refuse
    if any changed; `io` says what happens and asks before each change (unless `yes`)."""
    from driftctl.apply import apply_plan, load_plan

    doc = load_plan(plan_file)
    cfg = load(config)
    io.say(f"re-collecting {', '.join(doc['environments'])} to check the plan is current")
    outcome = apply_plan(cfg, doc, step_ids=list(step_ids), phase=phase, dry_run=dry_run, yes=yes, io=io,
                         accept_new_host_key=accept_new_host_key)
    return ApplyResult(doc, outcome, dry_run)


def rescue(
    environment: str,
    *,
    config: ConfigArg = None,
    branch: str | None = None,
    repo: str | None = None,
    include_secret_files: bool = False,
    accept_new_host_key: bool = False,
) -> RescueResult:
    """Commit an environment's modified and untracked files to a new local branch (target read-only)."""
    from driftctl.rescue import rescue as rescue_files

    cfg = load(config)
    cfg.select([environment])
    return rescue_files(cfg, environment, branch=branch, repo=repo, include_secret_files=include_secret_files,
                        accept_new_host_key=accept_new_host_key)
