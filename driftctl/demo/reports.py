"""The demo's report files: the snapshots, the matrix and the plan, in JSON and markdown.

Written with the same store and renderers the commands use, so a report from the demo looks exactly
like one from `driftctl diff` / `driftctl plan` on real environments.
"""

from __future__ import annotations

import json
from pathlib import Path

from driftctl.snapshot_store import atomic_write, write_snapshot


def write_reports(root: Path, snapshots: list[dict], matrix: dict, plan: dict) -> dict[str, Path]:
    """Write everything under `root`; returns name -> path for the footer and `--format json`."""
    from driftctl.render.markdown import render as matrix_markdown
    from driftctl.render.plan import plan_json, plan_markdown

    for snap in snapshots:
        write_snapshot(root, snap)
    paths = {
        "snapshots": root / "snapshots",
        "diff_json": root / "diff.json",
        "diff_markdown": root / "diff.md",
        "plan_json": root / "plan.json",
        "plan_markdown": root / "plan.md",
    }
    atomic_write(paths["diff_json"], json.dumps(matrix, indent=2, default=str) + "\n")
    atomic_write(paths["diff_markdown"], _ending(matrix_markdown(matrix)))
    from driftctl.plan_signing import sign

    atomic_write(paths["plan_json"], plan_json(sign(plan, reports_root=root)))  # the demo's plan can be applied (README)
    atomic_write(paths["plan_markdown"], _ending(plan_markdown(plan)))
    return paths


def _ending(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"
