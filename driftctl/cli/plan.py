"""`driftctl plan [ENV...] --option quick-fix|comprehensive-sync|parallel`: a repair plan from the diff."""

from __future__ import annotations

import typer

from driftctl.cli.common import AcceptKeyOption, check_format, complete_environments
from driftctl.cli.options import examples
from driftctl.errors import ExitCode


def register(app: typer.Typer) -> None:
    app.command("plan", epilog=examples(
        'driftctl plan local aws github --option quick-fix',
        'driftctl plan --cached --option comprehensive-sync --format markdown',
        'driftctl plan local aws --option parallel --format json > plan.json',
    ))(plan)


def plan(
    environments: list[str] | None = typer.Argument(None, help="Environments to plan for (default: all).", autocompletion=complete_environments),
    option: str = typer.Option(..., "--option", help="quick-fix | comprehensive-sync | parallel (the report's options A, B, C)."),
    cached: bool = typer.Option(False, "--cached", help="Use the latest saved snapshots instead of collecting."),
    snapshot: list[str] | None = typer.Option(None, "--snapshot", help="Snapshot file(s) to plan from (repeatable)."),
    format: str = typer.Option("table", "--format", help="table | markdown | json."),
    accept_new_host_key: bool = AcceptKeyOption,
) -> int:
    """Plan safe repairs: rollback points first, then the chosen option's phases; writes reports/plans/."""
    from driftctl import api
    from driftctl.checks import plan_option
    from driftctl.render.plan import plan_tree
    from driftctl.terminal import terminal

    plan_option(option)
    check_format(format, "table", "markdown", "json")
    term = terminal()
    result = api.plan(environments, option=option, cached=cached, snapshot_files=list(snapshot or []),
                      accept_new_host_key=accept_new_host_key, collecting=term.collecting)
    if format == "json":
        term.data(result.json)
    elif format == "markdown":
        term.data(result.markdown)
    else:
        term.print(plan_tree(result.document))
    stem = result.folder / result.document["id"]
    term.info(f"saved {stem}.md and .json; run: driftctl apply {stem}.json --phase 1")
    if result.incomplete:
        term.warning(f"incomplete snapshots ({', '.join(result.incomplete)}): the plan may miss drift there")
        return int(ExitCode.INCOMPLETE)
    return 0
