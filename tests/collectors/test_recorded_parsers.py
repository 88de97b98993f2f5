"""Every recorded case under tests/collectors/<collector>/*.json gives its expected value; no host needed.

Folders are discovered, not listed: a new collector needs its module and one fixture folder named
after it, and nothing here. A case is either
  * `{"parser": name, "command": where it was recorded, "output": text, "expected": value}`: the
    module's `parser(output)` must equal `expected`; or
  * anything else the collector's own `replay(case)` understands (several recorded inputs at once,
    e.g. the engine documents of the containers collector): it returns (got, expected) pairs.
Secret-looking values in expected data are fingerprints under the fixed test key below.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from driftctl.collectors import all_collectors

HERE = Path(__file__).parent
FINGERPRINT_KEY = "4452494654435446" * 4
COLLECTORS = [c.name for c in all_collectors()]
FOLDERS = sorted(d.name for d in HERE.iterdir() if d.is_dir() and any(d.glob("*.json")))
CASES = [p for name in FOLDERS for p in sorted((HERE / name).glob("*.json"))]


@pytest.fixture(autouse=True)
def _fixed_fingerprint_key(tmp_path, monkeypatch):
    key = tmp_path / "fingerprint.key"
    key.write_text(FINGERPRINT_KEY + "\n")
    monkeypatch.setenv("DRIFTCTL_FINGERPRINT_KEY_FILE", str(key))


def replay(collector: str, case: dict) -> list[tuple[Any, Any]]:
    module = importlib.import_module(f"driftctl.collectors.{collector}")
    if "parser" in case:
        return [(getattr(module, case["parser"])(case["output"]), case["expected"])]
    assert hasattr(module, "replay"), f"{collector}: a case without `parser` needs driftctl.collectors.{collector}.replay"
    return module.replay(case)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recorded_case(case: Path) -> None:
    pairs = replay(case.parent.name, json.loads(case.read_text()))
    assert pairs, "a case must check something"
    for got, expected in pairs:
        assert got == expected


def test_every_collector_has_recorded_cases() -> None:
    missing = [name for name in COLLECTORS if name not in FOLDERS]
    assert not missing, f"collectors without a fixture folder under tests/collectors/: {missing}"


def test_every_fixture_folder_is_a_collector() -> None:
    """A misnamed folder would otherwise be run against nothing and never noticed."""
    assert set(FOLDERS) <= set(COLLECTORS), sorted(set(FOLDERS) - set(COLLECTORS))
