"""Rendering of snapshot summaries."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text

from driftctl.jsonfile import dump_document
from driftctl.snapshot import collector_data


def snapshot_summary_table(results: list[tuple[dict, Path | None]]) -> Table:
    table = Table(title="snapshots")
    for col in ("environment", "collectors", "branch", "HEAD", "services", "time"):
        table.add_column(col)
    for snap, _ in results:
        outcomes = snap.get("collectors", {}).values()
        ok = sum(o["status"] == "ok" for o in outcomes)
        failed = sum(o["status"] == "error" for o in outcomes)
        skipped = sum(o["status"] == "skipped" for o in outcomes)
        state = Text(f"{ok} ok")
        if failed:
            state.append(f", {failed} failed", style="red")
        if skipped:
            state.append(f", {skipped} skipped", style="dim")
        git = collector_data(snap, "git")
        compose = collector_data(snap, "compose")
        head_facts = git.get("head") if git else None
        head = head_facts.get("short", "-") if head_facts else "-"
        services = ", ".join(compose.get("services") or {} if compose else {}) or "-"
        branch = git.get("branch") if git else None
        table.add_row(
            Text(snap["environment"]), state, Text(str(branch or "-")), Text(head),
            Text(services), Text(f"{snap.get('duration_s', 0):.2f}s"),
        )
    return table


def snapshots_json(snapshots: list[dict]) -> str:
    return dump_document(snapshots)
