"""Every recorded command output under tests/collectors/<collector>/*.json parses to its expected value.

A case is `{"parser": name, "command": where it was recorded, "output": text, "expected": value}`;
no host is needed. Collectors with their own fixture format (containers, code_health) have their own tests.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CASES = sorted(p for d in ("git", "host", "files") for p in (HERE / d).glob("*.json"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recorded_output_parses(case: Path) -> None:
    spec = json.loads(case.read_text())
    module = importlib.import_module(f"driftctl.collectors.{case.parent.name}")
    assert getattr(module, spec["parser"])(spec["output"]) == spec["expected"]


def test_cases_exist() -> None:
    assert len(CASES) >= 10
