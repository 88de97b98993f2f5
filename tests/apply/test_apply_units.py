"""apply's pure parts: step selection, staleness messages, redaction of the audit log."""

from __future__ import annotations

import pytest

from driftctl.apply import StalePlanError, check_fresh, scrub, select_steps
from driftctl.errors import UsageError

PLAN = {
    "id": "p", "phases": [
        {"number": 1, "steps": [{"id": "a"}, {"id": "b"}]},
        {"number": 2, "steps": [{"id": "c"}]},
    ],
    "sources": {"aws": {"fingerprint": "sha256:old", "branch": "aws-deployment", "head": "1" * 40, "modified": [], "untracked": [],
                        "collectors": {"git": "x", "files": "y"}}},
}


def test_select_steps_by_phase_and_id():
    assert [s["id"] for _, s in select_steps(PLAN, None, 1)] == ["a", "b"]
    assert [s["id"] for _, s in select_steps(PLAN, ["c", "a"], None)] == ["a", "c"]
    with pytest.raises(UsageError, match="no phase 3"):
        select_steps(PLAN, None, 3)
    with pytest.raises(UsageError, match="unknown step 'z'"):
        select_steps(PLAN, ["z"], None)


def test_stale_message_names_what_changed():
    snap = {"environment": "aws", "fingerprint": "sha256:new", "collectors": {
        "git": {"status": "ok", "data": {"branch": "aws-deployment", "head": {"sha": "2" * 40}, "modified": ["a.py"], "untracked": []}}}}
    with pytest.raises(StalePlanError) as err:
        check_fresh(PLAN, [snap], {"fingerprints": {}})
    msg = err.value.message
    assert "aws (HEAD 11111111 -> 22222222; newly modified: a.py; collector data changed: files, git)" in msg
    assert err.value.exit_code == 2
    check_fresh(PLAN, [snap], {"fingerprints": {"aws": ["sha256:new"]}})  # accepted after an earlier apply


def test_scrub_redacts_secret_assignments():
    text = "BINANCE_API_KEY=abcd1234efgh\nMARKET_DATA_URL=http://market-data:8001\n  TOKEN: 'zzzzyyyy'"
    out = scrub(text, [])
    assert "abcd1234efgh" not in out and "zzzzyyyy" not in out
    assert "MARKET_DATA_URL=http://market-data:8001" in out
