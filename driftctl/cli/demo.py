"""`driftctl demo [--dir DIR] [--keep] [--ssh]`: the seed incident rebuilt offline and diagnosed.

Thin on purpose: `driftctl.demo.run.run_demo` does the work; this module only prints.
"""

from __future__ import annotations

from pathlib import Path

import typer

from driftctl.cli.common import check_format
from driftctl.cli.options import examples


def register(app: typer.Typer) -> None:
    app.command("demo", epilog=examples(
        'driftctl demo',
        'driftctl demo --ssh',
        'driftctl demo --dir /tmp/drift --keep',
    ))(demo)


def demo(
    directory: Path | None = typer.Option(
        None, "--dir", help="Build the sandbox in DIR/sandbox and write the reports to DIR/reports "
        "(default: a temporary sandbox, reports in ./reports/demo)."),
    keep: bool = typer.Option(False, "--keep", help="Keep the sandbox afterwards (it is deleted otherwise; reports always stay)."),
    ssh: bool = typer.Option(False, "--ssh", help="Reach `aws` over SSH through a loopback sshd the demo starts and stops."),
    format: str = typer.Option("table", "--format", help="table | json (the matrix, the plan and the report paths)."),
) -> int:
    """See what driftctl is for in one command: a sandbox with the incident's three drifted
    environments (local, aws, github), then snapshot, diff and a quick-fix plan on it.
    Exit code: the diff's (1: drift found)."""
    import json

    from driftctl import api
    from driftctl.demo import present
    from driftctl.demo.run import DemoOptions
    from driftctl.terminal import terminal

    check_format(format, "table", "json")
    term = terminal()
    options = DemoOptions(dir=directory.resolve() if directory else None, keep=keep, ssh=ssh)
    if format != "json":
        term.print(present.header(ssh))
    with term.status("driftctl demo") as status:
        result = api.demo(options, progress=status.update)
    if format == "json":
        term.data(json.dumps(result.to_json(), indent=2, default=str))
        return result.exit_code
    from driftctl.render.table import render_table

    term.print(present.command("driftctl snapshot local aws github && driftctl diff local aws github"))
    term.print(render_table(result.matrix, wrap=term.out.is_terminal))
    term.print(present.command("driftctl plan local aws github --option quick-fix"))
    term.print(present.plan_outline(result.plan, present.short(result.reports["plan_markdown"])))
    term.print(present.footer(result))
    return result.exit_code
