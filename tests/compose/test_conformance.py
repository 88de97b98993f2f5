"""The conformance vectors taken from compose-go (interpolation, dotenv, merge) through the CLI.

The vectors and their checker live in tests/compose/conformance (a copy of shared/conformance/compose,
kept here so the suite is self-contained). The checker drives `driftctl compose config` as a subprocess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.compose.helpers import HERE, clean_env


def test_conformance_vectors_pass() -> None:
    driftctl = shutil.which("driftctl") or f"{sys.executable} -m driftctl"
    proc = subprocess.run(
        [sys.executable, str(HERE / "conformance" / "run_check.py"), driftctl, "--min", "0.98", "--jobs", "8"],
        capture_output=True, text=True, timeout=900, env=clean_env(),
    )
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert summary.startswith("conformance: ")
