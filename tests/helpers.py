"""Small helpers shared by tests: run the real `driftctl` entry point and write configs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.fixtures.forkrun import run_driftctl


@dataclass
class Run:
    code: int
    out: str
    err: str


def driftctl(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """Run `python -m driftctl ARGS` as a user would, with the test's environment (a fresh process forked
    from a pre-imported driftctl: tests/fixtures/forkrun.py)."""
    proc = run_driftctl(args, cwd=cwd, env=dict(os.environ, **(env or {}), COLUMNS="200"), timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write_config(path: Path, environments: dict, rules: dict | None = None) -> Path:
    doc: dict = {"version": 1, "environments": environments}
    if rules:
        doc["rules"] = rules
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def all_text_under(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())
