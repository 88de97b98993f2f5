"""`driftctl plan` end to end: real git repositories, a real sshd, the real differ."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def _plan(s, option: str) -> dict:
    res = s.driftctl("plan", "--option", option, "--format", "json")
    assert res.returncode in (0, 3), res.stderr
    return json.loads(res.stdout)


def test_seed_scenario_plan_has_merge_risk_from_the_repositories(seed_scenario):
    s = seed_scenario
    plan = _plan(s, "quick-fix")
    messages = [w["message"] for w in plan["warnings"]]
    # computed with git merge-tree + compose resolution, not canned
    assert any("into main" in m and "MARKET_DATA_URL from http://crypto-market-data:8001 to http://market-data:8001" in m
               for m in messages), messages
    assert any("into aws-deployment" in m and "command from python main.py to gunicorn main_webhook:app" in m
               for m in messages), messages
    assert any("aws has 1 modified and 2 untracked" in m for m in messages)
    risk = plan["merge_risk"][0]
    assert risk["ours"]["commit"] == s.main_head and risk["theirs"]["commit"] == s.aws_head
    assert risk["clean"] is True
    # the fingerprints of the snapshots it came from
    assert set(plan["sources"]) == {"local", "aws"}
    assert all(src["fingerprint"].startswith("sha256:") for src in plan["sources"].values())
    # written to reports/plans as markdown and JSON
    saved = sorted(p.name for p in (s.ops / "reports" / "plans").iterdir())
    assert saved == [f"{plan['id']}.json", f"{plan['id']}.md"]
    # the nothing-touched-yet guarantee: merge-tree did not move any ref or work tree
    assert s.local.git("status", "--porcelain") == ""
    assert s.local.head() == s.main_head


def test_seed_scenario_options_differ_and_fix_the_broken_import(seed_scenario):
    s = seed_scenario
    plans = {o: _plan(s, o) for o in ("quick-fix", "comprehensive-sync", "parallel")}
    ids = {o: [st["id"] for ph in p["phases"] for st in ph["steps"]] for o, p in plans.items()}
    assert len({tuple(v) for v in ids.values()}) == 3
    for p in plans.values():
        assert p["phases"][0]["title"] == "Rollback points"
    quick = plans["quick-fix"]
    restore = [st for ph in quick["phases"] for st in ph["steps"] if st["id"].startswith("restore-local-")]
    assert {st["id"] for st in restore} == {"restore-local-gateio_oi_provider_working", "restore-local-bitget_oi_provider_working"}
    assert all(st["mutates"] is False for ph in quick["phases"] for st in ph["steps"] if st["environment"] == "aws")
    assert "merge-1-aws" in ids["comprehensive-sync"] and "env-config" in ids["comprehensive-sync"]
    # no Docker engine answers on this machine: parallel starts no staging copy here, and says so
    assert "worktree-standard" in ids["parallel"] and "migrate-1-aws" in ids["parallel"] and "staging-up" not in ids["parallel"]
    assert any("no Docker engine" in n for n in plans["parallel"]["notes"])
