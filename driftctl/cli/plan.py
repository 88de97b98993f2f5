"""`driftctl plan [ENV...] --option quick-fix|comprehensive-sync|parallel`: a repair plan from the diff."""

from __future__ import annotations

import typer

from driftctl.cli.common import AcceptKeyOption, complete_environments, load
from driftctl.cli.options import examples
from driftctl.errors import DriftctlError, ExitCode, UsageError


def register(app: typer.Typer) -> None:
    app.command("plan", epilog=examples(
        'driftctl plan local aws github --option quick-fix',
        'driftctl plan --cached --option comprehensive-sync --format markdown',
        'driftctl plan local aws --option parallel --format json > plan.json',
    ))(plan)


def gather_snapshots(cfg, names: list[str], cached: bool, snapshot_files: list[str], accept_new_host_key: bool) -> list[dict]:
    """Live collection, the cached latest snapshots, or explicit snapshot files (as `diff` takes them)."""
    from driftctl.snapshot_store import latest, read_snapshot, reports_dir

    if snapshot_files:
        return [read_snapshot(p) for p in snapshot_files]
    if cached:
        return [latest(reports_dir(cfg.base_dir), n) for n in names]
    from driftctl.api import take_snapshots
    from driftctl.terminal import terminal

    with terminal().collecting(names) as progress:
        results = take_snapshots(cfg, names, accept_new_host_key=accept_new_host_key, progress=progress)
    return [s for s, _ in results]


def build_matrix(snapshots: list[dict], cfg) -> dict:
    try:
        from driftctl.differ import build_matrix as differ_build
    except ImportError as exc:  # pragma: no cover - only while the differ is being written
        raise DriftctlError(f"the differ is not available ({exc}); cannot plan") from None
    return differ_build(snapshots, cfg.rules).to_json()


def plan(
    environments: list[str] | None = typer.Argument(None, help="Environments to plan for (default: all).", autocompletion=complete_environments),
    option: str = typer.Option(..., "--option", help="quick-fix | comprehensive-sync | parallel (the report's options A, B, C)."),
    cached: bool = typer.Option(False, "--cached", help="Use the latest saved snapshots instead of collecting."),
    snapshot: list[str] | None = typer.Option(None, "--snapshot", help="Snapshot file(s) to plan from (repeatable)."),
    format: str = typer.Option("table", "--format", help="table | markdown | json."),
    accept_new_host_key: bool = AcceptKeyOption,
) -> int:
    """Plan safe repairs: rollback points first, then the chosen option's phases; writes reports/plans/."""
    from pathlib import Path

    from driftctl.analysis.run import compute_merge_risk
    from driftctl.plan_signing import sign
    from driftctl.planner import OPTIONS, build_plan
    from driftctl.planner.targets import targets_from_config
    from driftctl.render.plan import plan_json, plan_markdown, plan_tree
    from driftctl.snapshot_store import atomic_write, mark_ignored, reports_dir
    from driftctl.terminal import terminal

    if option not in OPTIONS:
        raise UsageError(f"unknown option {option!r}; use one of: {', '.join(OPTIONS)}")
    if format not in ("table", "markdown", "json"):
        raise UsageError(f"unknown format {format!r}; use table, markdown or json")
    cfg = load()
    names = cfg.select(environments)
    snapshots = gather_snapshots(cfg, names, cached, list(snapshot or []), accept_new_host_key)
    by_env = {s["environment"]: s for s in snapshots}
    matrix = build_matrix(snapshots, cfg)
    merge_risk = compute_merge_risk(cfg, by_env)
    from driftctl.analysis.secret_files import scan_uncommitted

    secret_files = scan_uncommitted(cfg, by_env)
    root = reports_dir(cfg.base_dir)
    result = build_plan(matrix, by_env, option, targets_from_config(cfg), merge_risk=merge_risk, secret_files=secret_files,
                        reports_root=str(root.resolve()), config_path=str(Path(cfg.source).resolve()))
    doc = sign(result.to_json(), reports_root=root)  # apply runs only signed, unchanged plans
    term = terminal()
    md, js = plan_markdown(doc), plan_json(doc)
    mark_ignored(root)
    atomic_write(root / "plans" / f"{doc['id']}.md", md)
    atomic_write(root / "plans" / f"{doc['id']}.json", js)
    if format == "json":
        term.data(js)
    elif format == "markdown":
        term.data(md)
    else:
        term.print(plan_tree(doc))
    term.info(f"saved {root / 'plans' / doc['id']}.md and .json; run: driftctl apply {root / 'plans' / doc['id']}.json --phase 1")
    incomplete = [s["environment"] for s in snapshots if not s.get("complete", True)]
    if incomplete:
        term.warning(f"incomplete snapshots ({', '.join(incomplete)}): the plan may miss drift there")
        return int(ExitCode.INCOMPLETE)
    return 0
