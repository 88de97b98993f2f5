"""The planner reads rows only through their structured `evidence` (acceptance 2 of issue 11).

Rewording every title, detail sentence and display value of a matrix must not change any plan of
any option; and no planner module reads those display fields at all.
"""

from __future__ import annotations

import ast
import copy
import json
from datetime import datetime
from pathlib import Path

import pytest

from driftctl.config import Rules
from driftctl.differ import build_matrix
from driftctl.planner import OPTIONS, build_plan
from driftctl.planner.targets import targets_from_specs

HERE = Path(__file__).parent
PLANNER = Path(__file__).resolve().parents[2] / "driftctl" / "planner"
DIFFER_CASES = Path(__file__).resolve().parents[1] / "differ" / "cases"
NOW = datetime.fromisoformat("2026-01-02T03:04:05+00:00")


def _seed() -> tuple[dict, dict, dict, list[dict]]:
    data = json.loads((HERE / "inputs" / "seed.json").read_text())
    root = data["targets"]["local"]["path"]
    return data["matrix"], data["snapshots"], targets_from_specs(data["targets"], {"local": root}, root), data["merge_risk"]


def _differ_case(name: str) -> tuple[dict, dict, dict, list[dict]]:
    """A matrix the real differ builds (so its evidence is the differ's own), with local/ssh targets."""
    snaps = [json.loads(p.read_text()) for p in sorted((DIFFER_CASES / name).glob("*.json")) if p.name != "expected.json"]
    matrix = build_matrix(snaps, Rules()).to_json(show_in_sync=True)
    specs = {}
    for s in snaps:
        env = s["environment"]
        specs[env] = ({"transport": "local", "path": f"/srv/{env}"} if str(s.get("transport")) == "local"
                      else {"transport": "ssh", "host": "10.0.0.9", "user": "deploy", "path": f"/srv/{env}"})
    local = {e: v["path"] for e, v in specs.items() if v["transport"] == "local"}
    return matrix, {s["environment"]: s for s in snaps}, targets_from_specs(specs, local, "/srv/ops"), []


INPUTS = {"seed": _seed, **{c: (lambda c=c: _differ_case(c)) for c in ("containers_and_code_health", "files_and_worktree",
                                                                      "branch_diverged")}}


def reworded(matrix: dict) -> dict:
    """Every title, detail sentence and display value replaced by meaningless text."""
    out = copy.deepcopy(matrix)
    for i, row in enumerate(out["rows"]):
        row["title"] = f"Renamed row {i}"
        row["details"] = [f"reworded sentence {i}.{k} (file.py:99 imports nothing, No module named x)"
                          for k in range(len(row.get("details") or []))]
        row["values"] = {env: f"shown {i} {env}" for env in row.get("values") or {}}
    return out


def _plan(matrix: dict, snaps: dict, targets: dict, risk: list[dict], option: str) -> dict:
    return build_plan(matrix, snaps, option, targets, merge_risk=risk, now=NOW, reports_root="/srv/ops/reports").to_json()


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("name", list(INPUTS))
def test_rewording_rows_changes_no_plan(name: str, option: str) -> None:
    matrix, snaps, targets, risk = INPUTS[name]()
    before = _plan(matrix, snaps, targets, risk, option)
    after = _plan(reworded(matrix), snaps, targets, risk, option)
    assert after == before
    assert before["phases"], "the plan does something, so the comparison means something"


def test_seed_plan_depends_on_the_evidence() -> None:
    """The converse: without evidence the broken imports are not known, so the restore steps vanish."""
    matrix, snaps, targets, risk = _seed()
    with_evidence = [s["id"] for p in _plan(matrix, snaps, targets, risk, "quick-fix")["phases"] for s in p["steps"]]
    stripped = copy.deepcopy(matrix)
    for row in stripped["rows"]:
        row["evidence"] = []
    without = [s["id"] for p in _plan(stripped, snaps, targets, risk, "quick-fix")["phases"] for s in p["steps"]]
    assert any(i.startswith("restore-") for i in with_evidence)
    assert not any(i.startswith("restore-") for i in without)


DISPLAY_KEYS = {"title", "details", "values"}


def _reads_of_display_fields(tree: ast.AST) -> list[str]:
    """`x["details"]`, `x.get("title")` ... anywhere in a module (writing them in to_json is a dict literal, not a read)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in DISPLAY_KEYS:
            found.append(f"line {node.lineno}: [{node.slice.value!r}]")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args
                and isinstance(node.args[0], ast.Constant) and node.args[0].value in DISPLAY_KEYS):
            found.append(f"line {node.lineno}: .get({node.args[0].value!r})")
    return found


@pytest.mark.parametrize("module", sorted(p.name for p in PLANNER.glob("*.py")))
def test_planner_never_reads_display_fields_nor_parses_text(module: str) -> None:
    tree = ast.parse((PLANNER / module).read_text())
    assert _reads_of_display_fields(tree) == []
    imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imports |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    # Only modules that never see a row may use regular expressions: deploy.py escapes the sed patterns
    # it writes, steps.py names a fallback module, invariants.py checks the plan's own command lines.
    if module not in ("steps.py", "deploy.py", "invariants.py"):
        assert "re" not in imports, f"{module} imports re"
