"""Recorded engine documents in, collector data out: one JSON file per case, one parametrised test.

Each `<case>.json` holds what a route read from a real engine (`docker version`, `docker inspect`,
`docker image inspect`, and `docker stats` lines or Engine API stats samples), the compose data of
the same checkout, and the expected collector data. Secret-looking env values become fingerprints
under the fixed key below, so the expected `fp:` values are stable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftctl.collectors.containers import EngineDump, api_memory_usage, build_data, parse_stats_lines

CASES = sorted(Path(__file__).parent.glob("*.json"))
FINGERPRINT_KEY = "4452494654435446" * 4


@pytest.fixture(autouse=True)
def _fixed_fingerprint_key(tmp_path, monkeypatch):
    key = tmp_path / "fingerprint.key"
    key.write_text(FINGERPRINT_KEY + "\n")
    monkeypatch.setenv("DRIFTCTL_FINGERPRINT_KEY_FILE", str(key))


def memory_usage(case: dict) -> dict[str, int]:
    if case["route"] == "cli":
        return parse_stats_lines(case["stats"])
    return {cid: n for cid, sample in case["stats"].items() if (n := api_memory_usage(sample)) is not None}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path):
    case = json.loads(path.read_text())
    dump = EngineDump(host=case["host"], version=case["version"], containers=case["containers"],
                      images=case["images"], memory_usage=memory_usage(case))

    assert build_data(dump, case["compose"], compose_error=case["compose_error"]) == case["expected"]


def test_no_recorded_secret_survives_parsing():
    """The recorded input holds plain secrets (test values); the expected output must not."""
    for path in CASES:
        case = json.loads(path.read_text())
        expected = json.dumps(case["expected"])
        for doc in case["containers"]:
            for entry in (doc.get("Config") or {}).get("Env") or []:
                key, _, value = entry.partition("=")
                if key.endswith(("TOKEN", "PASSWORD", "API_KEY")) and value:
                    assert value not in expected, (path.name, key)
