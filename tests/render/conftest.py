"""Matrix fixtures for the renderers: the seed incident's rows, and one full of hostile text."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SEED = json.loads((HERE / "seed_matrix.json").read_text(encoding="utf-8"))
HOSTILE_TEXT = '<script>alert("x")</script> & a|b\r\n::error::injected %41 \x1b[31mred\x1b[0m'


@pytest.fixture
def seed_matrix() -> dict:
    """The incident's matrix: every status once (plus a second DIVERGED), three environments."""
    return copy.deepcopy(SEED)


@pytest.fixture
def hostile_matrix() -> dict:
    """One MISMATCH row whose every string is markup, a workflow command and control characters."""
    return {
        "schema": "driftctl.diff/v1",
        "environments": ["local", "<b>aws</b>"],
        "rows": [{
            "component": "env.BANNER<script>", "title": HOSTILE_TEXT,
            "values": {"local": HOSTILE_TEXT, "<b>aws</b>": None},
            "status": "MISMATCH", "severity": "low", "details": [HOSTILE_TEXT],
            "sources": {"local": "env: .env " + HOSTILE_TEXT},
        }],
        "summary": {"critical": 0, "moderate": 0, "low": 1, "expected": 0, "in_sync": 0, "unknown": 0},
        "incomplete": [{"environment": "<b>aws</b>", "collector": "containers", "error": HOSTILE_TEXT}],
    }
