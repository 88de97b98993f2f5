"""`driftctl apply PLAN.json`: run a plan's steps; refuses a stale plan; asks before each change."""

from __future__ import annotations

import sys

import typer

from driftctl.cli.common import AcceptKeyOption, check_format
from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("apply", epilog=examples(
        'driftctl apply reports/plans/<id>.json --dry-run',
        'driftctl apply reports/plans/<id>.json --phase 1',
        'driftctl apply reports/plans/<id>.json --step 1.1 --yes --format json',
    ))(apply)


def apply(
    plan_file: str = typer.Argument(..., metavar="PLAN.json", help="A plan written by `driftctl plan` (reports/plans/*.json)."),
    step: list[str] | None = typer.Option(None, "--step", help="Run only this step (repeatable)."),
    phase: int | None = typer.Option(None, "--phase", help="Run only this phase."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would run; change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before steps that change an environment."),
    format: str = typer.Option("table", "--format", help="table | json (what ran, on stdout; questions go to stderr)."),
    accept_new_host_key: bool = AcceptKeyOption,
) -> int:
    """Re-collect the plan's environments, refuse if any changed, then run the steps in order."""
    from driftctl import api
    from driftctl.apply import ApplyIO
    from driftctl.terminal import terminal

    check_format(format, "table", "json")
    term = terminal()
    io = ApplyIO(say=term.info, confirm=lambda q: typer.confirm(q, default=False, err=True), interactive=sys.stdin.isatty())
    result = api.apply(plan_file, io=io, step_ids=list(step or []), phase=phase, dry_run=dry_run, yes=yes,
                       accept_new_host_key=accept_new_host_key)
    outcome = result.outcome
    if format == "json":
        import json

        term.data(json.dumps(result.to_json(), indent=2))
    if outcome.log:
        term.info(f"audit log: {outcome.log}")
    if outcome.failed:
        term.error(f"stopped: step {outcome.failed} failed")
    elif outcome.exit_code == 0 and not dry_run:
        term.success(f"{len(outcome.ran)} step(s) applied")
    return outcome.exit_code
