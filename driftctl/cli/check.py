"""`driftctl check [ENV...] [--baseline FILE]`: the CI gate (exit 0 ok, 1 drift, 2 error, 3 incomplete)."""

from __future__ import annotations

import typer

from driftctl.cli.common import AcceptKeyOption, ConfigOption
from driftctl.cli.diff import CachedOption, FormatOption, OutputOption, ShowIgnoredOption, SnapshotOption


def register(app: typer.Typer) -> None:
    app.command("check")(check)


def check(
    environments: list[str] | None = typer.Argument(None, help="Environments to check (default: all)."),
    config: str | None = ConfigOption,
    baseline: str | None = typer.Option(None, "--baseline", help="A saved snapshot or diff (JSON) to compare against."),
    fail_on: str = typer.Option("any", "--fail-on", help="critical | moderate | any (default: any non-EXPECTED difference)."),
    cached: bool = CachedOption,
    snapshot: list[str] | None = SnapshotOption,
    format: str = FormatOption,
    output: str | None = OutputOption,
    show_ignored: bool = ShowIgnoredOption,
    component: list[str] | None = typer.Option(
        None, "--component", help="Check only rows whose component matches this pattern (repeatable; fnmatch)."
    ),
    accept_new_host_key: bool = AcceptKeyOption,
) -> int:
    """Without a baseline, compare the environments with each other; with one, compare them against it."""
    from driftctl.checks import (
        accept_baseline,
        baseline_environments,
        check_against_snapshot,
        compare,
        load_rules_config,
        read_baseline,
        restrict,
        validate_options,
    )
    from driftctl.cli.diff import collect, emit
    from driftctl.errors import UsageError
    from driftctl.matrix import exit_code

    validate_options(format, None, fail_on)
    files = list(snapshot or [])
    kind, base = read_baseline(baseline) if baseline else ("", {})
    names = list(environments or []) or ([] if files else baseline_environments(kind, base))
    cfg = load_rules_config(config, need=not files)
    if not names and not files and cfg is not None:
        names = list(cfg.environments)
    snapshots = collect(cfg, names, cached=cached, snapshot_files=files, accept_new_host_key=accept_new_host_key)
    rules = cfg.rules if cfg else None
    if kind == "snapshot":
        matrix = check_against_snapshot(snapshots, base, rules, show_ignored=show_ignored)
    else:
        if not snapshots:
            raise UsageError("nothing to check: name environments or give --snapshot files")
        matrix = compare(snapshots, rules, show_ignored=show_ignored)
        if kind == "diff":
            matrix = accept_baseline(matrix, base, baseline or "")
    matrix = restrict(matrix, list(component or []))
    emit(matrix.to_json(), format, output)
    return exit_code(matrix, fail_on)
