"""UNKNOWN rows: one per collector that failed somewhere, so a gap is never mistaken for "in sync"."""

from __future__ import annotations

from driftctl.differ.common import View
from driftctl.evidence import Evidence
from driftctl.matrix import Row, Severity, Status
from driftctl.snapshot import failures


def incomplete(view: View) -> list[dict]:
    """The `incomplete` list of the JSON contract: {environment, collector, error}."""
    out: list[dict] = []
    for env, snap in view.snapshots.items():
        out.extend({**f, "environment": env} for f in failures(snap))
    return out


def rows(view: View) -> list[Row]:
    failed = incomplete(view)
    out = []
    for collector in dict.fromkeys(f["collector"] for f in failed):
        row = Row(component=f"collector.{collector}", title=f"Collector {collector}", values={},
                  status=Status.UNKNOWN, severity=Severity.NONE)
        for env in view.envs:
            errs = [f["error"] for f in failed if f["environment"] == env and f["collector"] == collector]
            row.values[env] = "error" if errs else view.state(env, collector).replace("absent", "(n/a)")
            cmds = "; ".join(view.commands(env, collector)[:2])
            row.sources[env] = f"{collector}: {cmds}" if errs and cmds else collector
            if errs:
                row.flagged.append(env)
                row.details.extend(f"{env}: {e}" for e in errs)
                row.evidence.extend(Evidence(env, collector, "collector-error", value=e) for e in errs)
        out.append(row)
    return out
