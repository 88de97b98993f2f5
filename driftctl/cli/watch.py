"""`driftctl watch [ENV...] --every 10m [--once]`: collect, compare and alert on change, on a schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from driftctl.cli.common import AcceptKeyOption, check_format
from driftctl.cli.options import examples
from driftctl.cli.output import report_deliveries

if TYPE_CHECKING:
    from driftctl.api import WatchRound


def register(app: typer.Typer) -> None:
    app.command("watch", epilog=examples(
        "driftctl watch --every 10m            # until Ctrl-C",
        "driftctl watch aws github --once      # one round, e.g. from cron",
        "driftctl watch --format json | jq .summary   # one JSON object per round",
    ))(watch)


def watch(
    environments: list[str] | None = typer.Argument(None, help="Environments to watch (default: all)."),
    every: str = typer.Option("10m", "--every", help="Time between rounds (90s, 10m, 1h)."),
    once: bool = typer.Option(False, "--once", help="Run one round and exit with the check's exit code."),
    format: str = typer.Option("table", "--format", help="table | json (one JSON object per round on stdout)."),
    accept_new_host_key: bool = AcceptKeyOption,
) -> int:
    """Each round saves snapshots and sends the `notify:` channels what changed (nothing when nothing did)."""
    from driftctl import api
    from driftctl.errors import ExitCode
    from driftctl.matrix import exit_code

    check_format(format, "table", "json")
    last = api.watch(list(environments or []), every=every, once=once,
                     accept_new_host_key=accept_new_host_key, on_round=_report_json if format == "json" else _report)
    if last.matrix is None:
        return int(ExitCode.INCOMPLETE)
    return exit_code(last.matrix)


def _report(current: WatchRound) -> None:
    """One line per round, one per delivery problem: a watch log stays readable for days."""
    from driftctl.terminal import terminal

    term = terminal()
    when = current.time.isoformat(timespec="seconds").replace("+00:00", "Z")
    if current.matrix is None:
        term.warning(f"{when}: round failed: {current.error}")
        return
    s = current.matrix.summary()
    missing = sorted({i["environment"] for i in current.matrix.incomplete})
    tail = f"; incomplete: {', '.join(missing)}" if missing else ""
    term.info(f"{when}: {s['critical']} critical, {s['moderate']} moderate, {s['low']} low{tail}")
    report_deliveries(current.deliveries)


def _report_json(current: WatchRound) -> None:
    """`--format json`: one object per round on stdout (NDJSON), delivery problems on stderr."""
    import json

    from driftctl.terminal import terminal

    terminal().data(json.dumps(current.to_json()))
    report_deliveries(current.deliveries, sent_lines=False)
