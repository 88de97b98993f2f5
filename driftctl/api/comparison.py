"""Comparing environments: `diff` shows the matrix, `check` is the CI gate over the same matrix.

Both gather snapshots the one way (`checks.gather`: live, cached, `ENV@WHEN` or files) and compare
them under the config's rules; they differ in what they compare against (each other, or a baseline)
and in what they do with the result (render it, or judge it and alert).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from driftctl.api.loading import Collecting, ConfigArg, quietly, rules_config
from driftctl.config import Config

if TYPE_CHECKING:
    from driftctl.api.alerts import Delivery
    from driftctl.matrix import Matrix


@dataclass
class DiffResult:
    """The comparison: the matrix, the snapshots it was built from and the document to render."""

    matrix: Matrix
    snapshots: list[dict]
    document: dict  # `driftctl.diff/v1`, with the filters, the report context or the group view applied
    fail_on: str = "any"
    deliveries: list[Delivery] = field(default_factory=list)  # `check(alert=True)`: what each channel was sent

    @property
    def exit_code(self) -> int:
        """0 in sync, 1 drift at or above `fail_on`, 3 incomplete (see matrix.exit_code)."""
        from driftctl.matrix import exit_code

        return exit_code(self.matrix, self.fail_on)


CheckResult = DiffResult


def diff(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    snapshot_files: Sequence[str] = (),
    cached: bool = False,
    group: str | None = None,
    only: str | None = None,
    show_in_sync: bool = False,
    show_ignored: bool = False,
    report: bool = False,
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> DiffResult:
    """Compare two or more environments (names, `ENV@WHEN`, a `groups:` entry, or snapshot files).

    `report` adds what the HTML report shows beyond the matrix (collection times, history).
    """
    from driftctl.checks import compare, gather, validate_options
    from driftctl.errors import UsageError

    validate_options("json", only)
    chosen = list(names or [])
    cfg = rules_config(config, need=bool(chosen) or bool(group))
    fleet: list[str] = []
    if group and cfg is not None:
        from driftctl.grouping import members

        fleet = members(cfg.groups, list(cfg.environments), group)
        chosen += [e for e in fleet if e not in chosen]
    if len(chosen) + len(snapshot_files) < 2:
        raise UsageError("diff needs at least two environments (names or --snapshot files)")
    snapshots = gather(cfg, chosen, cached=cached, snapshot_files=list(snapshot_files),
                       accept_new_host_key=accept_new_host_key, collecting=collecting)
    matrix = compare(snapshots, cfg.rules if cfg else None, show_ignored=show_ignored)
    doc = matrix.to_json(only=only, show_in_sync=show_in_sync)
    if report:
        doc.update(report_context(cfg, snapshots))
    if fleet:
        from driftctl.grouping import group_view

        doc = group_view(doc, fleet)
    return DiffResult(matrix, snapshots, doc)


def check(
    names: Sequence[str] | None = None,
    *,
    config: ConfigArg = None,
    baseline: str | None = None,
    fail_on: str = "any",
    snapshot_files: Sequence[str] = (),
    cached: bool = False,
    components: Sequence[str] = (),
    show_ignored: bool = False,
    alert: bool = False,
    report: bool = False,
    accept_new_host_key: bool = False,
    collecting: Collecting = quietly,
) -> CheckResult:
    """The CI gate: the environments compared with each other, or against a baseline (a saved snapshot
    or diff); `components` keeps only matching rows; `alert` sends the `notify:` channels what changed."""
    from driftctl.api.alerts import notify
    from driftctl.checks import baseline_environments, gather, judge, read_baseline, restrict, validate_options
    from driftctl.errors import UsageError

    validate_options("json", None, fail_on)
    files = list(snapshot_files)
    kind, base = read_baseline(baseline) if baseline else ("", {})
    chosen = list(names or []) or ([] if files else baseline_environments(kind, base))
    cfg = rules_config(config, need=not files or alert)
    if alert and (cfg is None or not cfg.notify):
        raise UsageError("--notify needs a `notify:` section in environments.yaml")
    if not chosen and not files and cfg is not None:
        chosen = list(cfg.environments)
    snapshots = gather(cfg, chosen, cached=cached, snapshot_files=files, accept_new_host_key=accept_new_host_key,
                       collecting=collecting)
    matrix = restrict(judge(snapshots, cfg.rules if cfg else None, kind, base, baseline or "",
                            show_ignored=show_ignored), list(components))
    doc = matrix.to_json()
    if report:
        doc.update(report_context(cfg, snapshots))
    deliveries = notify(cfg, matrix) if alert and cfg is not None else []
    return CheckResult(matrix, snapshots, doc, fail_on, deliveries)


def report_context(config: Config | None, snapshots: list[dict]) -> dict:
    """What the HTML report adds to a matrix: each snapshot's time, and the saved history of the
    configured environments (the timeline chart and since when each open row has been open)."""
    from driftctl.api.timeline import history

    out: dict = {"collected_at": {s["environment"]: s.get("collected_at") for s in snapshots}}
    if config is not None:
        envs = [s["environment"] for s in snapshots if s["environment"] in config.environments]
        if envs:
            past = history(envs, config=config)
            out["history"] = {"points": [p.to_json() for p in past.points], "open_since": past.open_since()}
    return out
