"""The pieces behind `driftctl diff`, `check` and `plan` (see driftctl.api): which snapshots to
compare, baselines, option checks, and rendering the matrix in a chosen format.

A baseline is either a saved snapshot (the environments are compared against it, as one more column
named `baseline`) or a saved diff (`driftctl.diff/v1`: differences it already lists, with the same
values, are accepted; only new or changed differences fail).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from driftctl.differ import build_matrix
from driftctl.errors import SnapshotError, UsageError
from driftctl.jsonfile import read_json
from driftctl.matrix import FAIL_ON_CHOICES, ONLY_CHOICES, SCHEMA, Matrix, Severity, Status
from driftctl.snapshot_store import latest, read_snapshot, reports_dir

if TYPE_CHECKING:
    from driftctl.api import Collecting
    from driftctl.config import Config, Rules
    from driftctl.runner import WhileOpen

FORMATS = ("table", "plain", "json", "markdown", "html", "sarif", "junit", "github")
BASELINE = "baseline"


def validate_options(fmt: str, only: str | None = None, fail_on: str | None = None) -> None:
    """One-line UsageErrors for option values typer does not check."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if only is not None and only not in ONLY_CHOICES:
        raise UsageError(f"unknown --only {only!r}; use one of: {', '.join(ONLY_CHOICES)}")
    if fail_on is not None and fail_on not in FAIL_ON_CHOICES:
        raise UsageError(f"unknown --fail-on {fail_on!r}; use one of: {', '.join(FAIL_ON_CHOICES)}")


def load_rules_config(explicit: str | None, need: bool) -> Config | None:
    """The config when environments are named (or a file is given or present); None for snapshot-only runs."""
    from driftctl.settings import config_path

    if need or explicit or config_path(explicit).exists():
        from driftctl.config import load_config  # pydantic and YAML: only when there is a config

        return load_config(explicit)
    return None


def gather(
    config: Config | None,
    names: list[str],
    *,
    cached: bool = False,
    snapshot_files: list[str] | None = None,
    accept_new_host_key: bool = False,
    collecting: Collecting | None = None,
    while_open: WhileOpen | None = None,
) -> list[dict]:
    """Snapshots of the named environments (live and saved, or the latest cached ones) plus files:
    the one way every command gathers what it compares.

    `ENV@WHEN` names the newest saved snapshot of ENV at or before WHEN; columns keep the order
    the names were given in. `collecting(names)` (a context manager yielding the progress callback)
    wraps a live collection; `while_open` is work for its still-open connections (runner.WhileOpen).
    """
    if names and config is None:
        raise UsageError("naming environments needs an environments.yaml")
    by_name: dict[str, dict] = {}
    live = [n for n in names if "@" not in n]
    chosen = config.select(live) if live and config is not None else []
    # Saved files first: a bad one is one clear error before any target is reached, not after a collection.
    files = [read_snapshot(f) for f in snapshot_files or []]
    if chosen and config is not None:
        if cached:
            root = reports_dir(config.base_dir)
            by_name.update((env, latest(root, env)) for env in chosen)
        else:
            from driftctl.api.collection import take_snapshots
            from driftctl.api.loading import quietly

            with (collecting or quietly)(chosen) as progress:
                results = take_snapshots(config, chosen, accept_new_host_key=accept_new_host_key, progress=progress,
                                         while_open=while_open)
            by_name.update((s["environment"], s) for s, _ in results)
    if config is not None:
        from driftctl.api.timeline import snapshot_as_of

        for name in names:
            if "@" in name:
                env, when = name.split("@", 1)
                by_name[name] = snapshot_as_of(config, env, when)
    snapshots = [by_name[n] for n in dict.fromkeys(names) if n in by_name]
    snapshots.extend(files)
    return unique_names(snapshots)


def unique_names(snapshots: list[dict]) -> list[dict]:
    """Two snapshots of one environment (e.g. yesterday's file and today's) become `env@time` columns."""
    seen: set[str] = set()
    out = []
    for snap in snapshots:
        name = str(snap["environment"])
        if name in seen:
            name = f"{name}@{snap.get('collected_at', '')}"
            n = 2
            while name in seen:
                name, n = f"{snap['environment']}@{snap.get('collected_at', '')}#{n}", n + 1
            snap = {**snap, "environment": name}
        seen.add(name)
        out.append(snap)
    return out


def compare(snapshots: list[dict], rules: Rules | None, *, show_ignored: bool = False) -> Matrix:
    return build_matrix(snapshots, rules, show_ignored=show_ignored)


# --- baselines ---------------------------------------------------------------------------------

def read_baseline(path: str) -> tuple[str, dict]:
    """("diff", document) or ("snapshot", snapshot); SnapshotError for anything else."""
    p = Path(path)
    data = read_json(p, "baseline", SnapshotError)
    if isinstance(data, dict) and data.get("schema") == SCHEMA:
        return "diff", data
    if isinstance(data, dict) and isinstance(data.get("schema"), str) and data["schema"].startswith("driftctl.diff/"):
        raise SnapshotError(f"{p}: diff schema {data['schema']} is not understood by this driftctl ({SCHEMA}); upgrade driftctl")
    return "snapshot", read_snapshot(p)


def baseline_environments(kind: str, baseline: dict) -> list[str]:
    """Environments a diff baseline was taken over (the default for `check --baseline DIFF`)."""
    return list(baseline.get("environments") or []) if kind == "diff" else []


def check_against_snapshot(snapshots: list[dict], baseline: dict, rules: Rules | None, *, show_ignored: bool = False) -> Matrix:
    """The environments and the baseline snapshot side by side; any difference from it is a finding."""
    names = {s["environment"] for s in snapshots}
    label = BASELINE if BASELINE not in names else f"{BASELINE}:{baseline['environment']}"
    return compare([{**baseline, "environment": label}, *snapshots], rules, show_ignored=show_ignored)


def accept_baseline(matrix: Matrix, baseline: dict, source: str) -> Matrix:
    """Findings a saved diff already lists with the same status and values become EXPECTED."""
    known = {r["component"]: r for r in baseline.get("rows") or []}
    for row in matrix.findings():
        old = known.get(row.component)
        if not old or old.get("status") != row.status.value:
            continue
        common = [e for e in row.values if e in (old.get("values") or {})]
        if common and all(old["values"][e] == row.values[e] for e in common):
            row.details.append(f"accepted in baseline {source} (was {row.status.value} {row.severity.value})")
            row.status, row.severity = Status.EXPECTED, Severity.NONE
    return matrix


def judge(snapshots: list[dict], rules: Rules | None, kind: str, baseline: dict, source: str, *,
          show_ignored: bool = False) -> Matrix:
    """The matrix `check` judges: against a baseline snapshot (kind "snapshot"), with a saved diff's
    known differences accepted (kind "diff"), or the environments with each other (no baseline)."""
    if kind == "snapshot":
        return check_against_snapshot(snapshots, baseline, rules, show_ignored=show_ignored)
    if not snapshots:
        raise UsageError("nothing to check: name environments or give --snapshot files")
    matrix = compare(snapshots, rules, show_ignored=show_ignored)
    return accept_baseline(matrix, baseline, source) if kind == "diff" else matrix


def plan_option(option: str) -> str:
    """`plan --option`: one of the planner's options, or a one-line UsageError."""
    from driftctl.planner import OPTIONS

    if option not in OPTIONS:
        raise UsageError(f"unknown option {option!r}; use one of: {', '.join(OPTIONS)}")
    return option


# --- output ------------------------------------------------------------------------------------

def render_document(doc: dict, fmt: str, *, for_terminal: bool = False, wrap: bool = True) -> Any:
    """Text of the matrix in `fmt` (a rich renderable for the table on stdout; `wrap` only on a terminal)."""
    if fmt == "table":
        from driftctl.render import table

        return table.render_table(doc, wrap=wrap, problems=False) if for_terminal else table.render(doc)
    try:
        module = importlib.import_module(f"driftctl.render.{fmt}")
    except ModuleNotFoundError as exc:
        if exc.name == f"driftctl.render.{fmt}":
            raise UsageError(f"format {fmt!r} is not available in this installation") from None
        raise
    if fmt == "github":
        return module.render(doc, os.environ.get("GITHUB_STEP_SUMMARY"))
    return module.render(doc)


def restrict(matrix: Matrix, patterns: list[str]) -> Matrix:
    """Only the rows whose component matches one of `patterns` (what a success metric checks).

    Collector failures stay when they concern the selected rows: `collector.<name>` is matched, and so
    is a pattern whose first segment names the collector (`code_health.*` keeps a code_health failure).
    """
    from driftctl.matrix import InSync
    from driftctl.rules import compile_patterns, matches

    if not patterns:
        return matrix
    named = compile_patterns(patterns)
    rows: list = []
    for entry in matrix.entries:  # in-sync groups stay groups when wholly in or out
        if not isinstance(entry, InSync):
            rows.extend([entry] if named(entry.component) else [])
            continue
        hits = [named(c) for c in entry.ids()]
        if all(hits):
            rows.append(entry)
        elif any(hits):
            rows.extend(r for r in entry.build() if named(r.component))
    heads = {p.split(".", 1)[0] for p in patterns}
    incomplete = [
        i for i in matrix.incomplete
        if i.get("collector") in heads or any(matches(p, f"collector.{i.get('collector')}") for p in patterns)
    ]
    return Matrix(environments=list(matrix.environments), rows=rows, incomplete=incomplete, notes=list(matrix.notes))
