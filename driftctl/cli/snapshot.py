"""`driftctl snapshot [ENV...]`: collect environments concurrently and save their snapshots."""

from __future__ import annotations

import typer

from driftctl.cli.common import AcceptKeyOption, check_format, complete_environments
from driftctl.cli.options import examples
from driftctl.errors import ExitCode
from driftctl.scheduler import DEFAULT_JOBS


def register(app: typer.Typer) -> None:
    app.command("snapshot", epilog=examples(
        'driftctl snapshot',
        'driftctl snapshot local aws --format json',
        'driftctl --reports-dir /tmp/drift snapshot',
        'driftctl snapshot --jobs 32 --shard 2/4    # job 2 of a 4-job CI matrix',
    ))(snapshot)


def snapshot(
    environments: list[str] | None = typer.Argument(None, help="Environments to collect (default: all).", autocompletion=complete_environments),
    format: str = typer.Option("table", "--format", help="table | json (the snapshot documents)."),
    accept_new_host_key: bool = AcceptKeyOption,
    jobs: int = typer.Option(DEFAULT_JOBS, "--jobs", min=1, max=256, help="Environments collected at once."),
    shard: str | None = typer.Option(None, "--shard", help="K/N: collect only this job's stable share of the environments."),
) -> int:
    """Read-only: collect the facts of every collector (the `collectors:` list of `driftctl schema` names them) on each environment and save one snapshot each."""
    from driftctl import api
    from driftctl.render.problems import incomplete_lines, snapshot_problems
    from driftctl.render.snapshot import snapshot_summary_table, snapshots_json
    from driftctl.terminal import terminal

    check_format(format, "table", "json")
    term = terminal()
    result = api.snapshot(environments, jobs=jobs, shard=shard, accept_new_host_key=accept_new_host_key,
                          collecting=term.collecting)
    if format == "json":
        term.data(snapshots_json(result.snapshots))
    else:
        term.print(snapshot_summary_table(result.saved))
    for line in incomplete_lines([p for s in result.incomplete for p in snapshot_problems(s)]):
        term.warning(line)
    if result.folder is not None and format != "json":
        term.info(f"saved to {result.folder}")
    return int(ExitCode.INCOMPLETE) if result.incomplete else 0
