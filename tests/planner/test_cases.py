"""Planner fixture cases: a matrix (and the snapshots behind it) in, expected plan properties out.

Each `cases/<case>.json` names an input under `inputs/`, the option, optional replacement merge-risk
data, and the properties to expect. Independent of any host: the planner is pure.
"""

from __future__ import annotations

import json
import os
import shlex
from datetime import datetime
from pathlib import Path

import pytest

from driftctl.planner import build_plan
from driftctl.planner.targets import targets_from_specs

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.json"))


def run_case(case: dict) -> dict:
    data = json.loads((HERE / "inputs" / case["input"]).read_text())
    root = data["targets"]["local"]["path"]
    targets = targets_from_specs(data["targets"], {"local": root}, root)
    plan = build_plan(
        data["matrix"], data["snapshots"], case["option"], targets,
        merge_risk=case.get("merge_risk", data["merge_risk"]),
        now=datetime.fromisoformat(data["now"].replace("Z", "+00:00")),
        reports_root=f"{root}/reports", config_path=data["config_path"],
    )
    return plan.to_json()


def _steps(plan: dict) -> list[dict]:
    return [s for p in plan["phases"] for s in p["steps"]]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path):
    case = json.loads(path.read_text())
    plan = run_case(case)
    expect = case["expect"]
    steps = _steps(plan)
    ids = [s["id"] for s in steps]
    displays = [line.replace(os.path.expanduser("~"), "/HOME") for s in steps for line in s["display"]]
    if "phases" in expect:
        assert [p["title"] for p in plan["phases"]] == expect["phases"]
    for sid in expect.get("steps_include", []):
        assert sid in ids
    for sid in expect.get("steps_exclude", []):
        assert sid not in ids
    if "step_order" in expect:
        positions = [ids.index(s) for s in expect["step_order"]]
        assert positions == sorted(positions)
    for env in expect.get("read_only_environments", []):
        assert not [s["id"] for s in steps if s["environment"] == env and s["mutates"]]
    for sid, level in expect.get("risk", {}).items():
        assert next(s for s in steps if s["id"] == sid)["risk"]["level"] == level
    messages = " | ".join(w["message"] for w in plan["warnings"])
    for text in expect.get("warnings_include", []):
        assert text in messages
    for text in expect.get("warnings_exclude", []):
        assert text not in messages
    for text in expect.get("commands_include", []):
        assert any(text in line for line in displays), text
    if "metric_horizons" in expect:
        assert sorted({m["horizon"] for m in plan["metrics"]}) == sorted(expect["metric_horizons"])


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_safety_invariants(path: Path):
    """Every plan: rollback points first; every mutating step has rollback and verify; lines parse."""
    plan = run_case(json.loads(path.read_text()))
    assert plan["phases"][0]["title"] == "Rollback points"
    first = plan["phases"][0]["steps"]
    assert {s["id"].split("-")[0] for s in first} <= {"tag", "fetch", "backup", "export", "inspect"}
    assert any(s["id"].startswith("tag-") for s in first) and any(s["id"].startswith("backup-config-") for s in first)
    for step in _steps(plan):
        if step["mutates"]:
            assert step["rollback"] and step["verify"], step["id"]
        for line in [*step["commands"], *step["rollback"], *step["verify"], *step["preconditions"], *step["display"]]:
            shlex.split(line)  # balanced quoting: copy-pasteable
    assert plan["sources"]["aws"]["fingerprint"] == "sha256:aws-fingerprint"
    for m in plan["metrics"]:
        assert m["check"].startswith("driftctl check")


def test_options_give_materially_different_plans():
    plans = {o: run_case({"input": "seed.json", "option": o}) for o in ("quick-fix", "comprehensive-sync", "parallel")}
    kinds = {o: {s["id"].split("-")[0] for s in _steps(p)} for o, p in plans.items()}
    assert "merge" not in kinds["quick-fix"] and "rollout" not in kinds["quick-fix"]
    assert {"merge", "env", "ci", "rollout"} <= kinds["comprehensive-sync"]
    assert {"staging", "migrate"} <= kinds["parallel"] and "rollout" not in kinds["parallel"]


def test_plan_json_is_stable_for_the_same_input():
    case = {"input": "seed.json", "option": "comprehensive-sync"}
    assert run_case(case) == run_case(case)
