"""`driftctl diff ENV_A ENV_B [ENV...]`: the comparison matrix of two or more environments."""

from __future__ import annotations

import typer

from driftctl.cli.common import AcceptKeyOption, complete_environments
from driftctl.cli.options import examples

FormatOption = typer.Option(
    "table", "--format", help="table | plain (tab-separated) | json | markdown | html | sarif | junit | github"
)
OutputOption = typer.Option(None, "--output", "-o", help="Write the rendered matrix to this file instead of stdout.")
CachedOption = typer.Option(False, "--cached", help="Use each environment's latest saved snapshot instead of collecting.")
SnapshotOption = typer.Option(None, "--snapshot", help="A saved snapshot file to compare (repeatable).")
ShowIgnoredOption = typer.Option(False, "--show-ignored", help="Also show rows that `rules.ignore` hides.")


def register(app: typer.Typer) -> None:
    app.command("diff", epilog=examples(
        'driftctl diff local github',
        'driftctl diff local aws github --only critical',
        'driftctl diff local github --format plain | cut -f1,4',
        'driftctl diff --snapshot old.json --snapshot new.json --format json',
        'driftctl diff --group web    # a fleet: the majority value and the hosts that differ',
        'driftctl diff prod@7d prod --format html -o week.html',
    ))(diff)


def diff(
    environments: list[str] | None = typer.Argument(None, help="Environments to compare (two or more with --snapshot files).", autocompletion=complete_environments),
    cached: bool = CachedOption,
    snapshot: list[str] | None = SnapshotOption,
    format: str = FormatOption,
    output: str | None = OutputOption,
    only: str | None = typer.Option(None, "--only", help="critical | moderate (and worse) | drift (DRIFT rows only)."),
    show_in_sync: bool = typer.Option(False, "--show-in-sync", help="Also show rows that are in sync."),
    show_ignored: bool = ShowIgnoredOption,
    accept_new_host_key: bool = AcceptKeyOption,
    group: str | None = typer.Option(None, "--group", help="A `groups:` entry: its hosts as one majority column plus outliers."),
) -> int:
    """Compare environments: exit 0 in sync (or only expected differences), 1 drift, 2 error, 3 incomplete."""
    from driftctl.checks import compare, load_rules_config, validate_options
    from driftctl.errors import UsageError
    from driftctl.matrix import exit_code

    validate_options(format, only)
    names = list(environments or [])
    cfg = load_rules_config(None, need=bool(names) or bool(group))
    fleet: list[str] = []
    if group and cfg is not None:
        from driftctl.grouping import members

        fleet = members(cfg.groups, list(cfg.environments), group)
        names += [e for e in fleet if e not in names]
    if len(names) + len(snapshot or []) < 2:
        raise UsageError("diff needs at least two environments (names or --snapshot files)")
    snapshots = collect(cfg, names, cached=cached, snapshot_files=list(snapshot or []),
                        accept_new_host_key=accept_new_host_key)
    matrix = compare(snapshots, cfg.rules if cfg else None, show_ignored=show_ignored)
    doc = matrix.to_json(only=only, show_in_sync=show_in_sync)
    if format == "html":
        from driftctl.api import report_context

        doc.update(report_context(cfg, snapshots))
    if fleet:
        from driftctl.grouping import group_view

        doc = group_view(doc, fleet)
    emit(doc, format, output)
    return exit_code(matrix)


def collect(cfg, names: list[str], *, cached: bool, snapshot_files: list[str], accept_new_host_key: bool) -> list[dict]:
    """Gather snapshots, with a live line per environment while collecting."""
    from driftctl.checks import gather
    from driftctl.terminal import terminal

    live = [n for n in names if "@" not in n]  # ENV@WHEN names are read from saved snapshots
    if not live or cached:
        return gather(cfg, names, cached=cached, snapshot_files=snapshot_files)
    with terminal().collecting(live) as progress:
        return gather(cfg, names, snapshot_files=snapshot_files, accept_new_host_key=accept_new_host_key,
                      progress=progress)


def emit(doc: dict, fmt: str, output: str | None) -> None:
    """Render to stdout (the table through rich) or to `output`."""
    from pathlib import Path

    from driftctl.checks import render_document
    from driftctl.snapshot_store import atomic_write
    from driftctl.terminal import terminal

    term = terminal()
    if output:
        text = render_document(doc, fmt)
        atomic_write(Path(output), text if text.endswith("\n") else text + "\n")
        term.info(f"wrote {output}")
    elif fmt == "table":
        term.print(render_document(doc, fmt, for_terminal=True, wrap=term.out.is_terminal))
    else:
        term.data(render_document(doc, fmt))
    from driftctl.render.problems import incomplete_lines

    for line in incomplete_lines(doc.get("incomplete") or []) + list(doc.get("notes") or []):
        term.warning(line)


def emit_text(rendered: object, fmt: str, output: str | None) -> None:
    """Write an already rendered document: to `output`, or to stdout (rich renderables for tables)."""
    from pathlib import Path

    from driftctl.snapshot_store import atomic_write
    from driftctl.terminal import terminal

    term = terminal()
    if output:
        text = str(rendered)
        atomic_write(Path(output), text if text.endswith("\n") else text + "\n")
        term.info(f"wrote {output}")
    elif fmt == "table":
        term.print(rendered)
    else:
        term.data(str(rendered))
