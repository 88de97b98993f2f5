"""Snapshots in, rows out: one folder per case under cases/ (snapshots `*.json`, optional
`rules.yaml`, `expected.json`).

expected.json: `rows` lists the rows that must be there (each given key must match exactly);
with `complete: true`, every other row must be IN_SYNC (no noise). Optional `summary` (a subset of
keys), `incomplete` and `exit_code`.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from driftctl.config import Rules
from driftctl.differ import build_matrix
from driftctl.matrix import diff_schema, exit_code

CASES = Path(__file__).parent / "cases"


def load_case(folder: Path) -> tuple[list[dict], Rules, dict]:
    snapshots = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json")) if p.name != "expected.json"]
    rules_file = folder / "rules.yaml"
    rules = Rules.model_validate(yaml.safe_load(rules_file.read_text())) if rules_file.exists() else Rules()
    return snapshots, rules, json.loads((folder / "expected.json").read_text())


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(case: str) -> None:
    snapshots, rules, expected = load_case(CASES / case)
    matrix = build_matrix(snapshots, rules)
    doc = matrix.to_json(show_in_sync=True)
    by_component = {r["component"]: r for r in doc["rows"]}
    for want in expected["rows"]:
        got = by_component.get(want["component"])
        assert got is not None, f"no row {want['component']}; rows: {sorted(by_component)}"
        for key, value in want.items():
            assert got[key] == value, f"{want['component']}.{key}: {got[key]!r} != {value!r}"
    if expected.get("complete"):
        wanted = {w["component"] for w in expected["rows"]}
        noise = {r["component"]: (r["status"], r["values"]) for r in doc["rows"]
                 if r["status"] != "IN_SYNC" and r["component"] not in wanted}
        assert not noise, f"unexpected rows: {json.dumps(noise, indent=1)}"
    for key, value in (expected.get("summary") or {}).items():
        assert doc["summary"][key] == value, f"summary.{key}: {doc['summary'][key]} != {value}"
    if "incomplete" in expected:
        assert doc["incomplete"] == expected["incomplete"]
    if "exit_code" in expected:
        assert exit_code(matrix) == expected["exit_code"]


def test_every_row_follows_the_contract() -> None:
    """Every case's rows carry exactly the contract's keys, and values/sources name every environment."""
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        snapshots, rules, _ = load_case(folder)
        doc = build_matrix(snapshots, rules).to_json(show_in_sync=True)
        assert set(doc) == {"schema", "environments", "rows", "summary", "incomplete"}
        assert doc["schema"] == "driftctl.diff/v1"
        assert set(doc["summary"]) == {"critical", "moderate", "low", "expected", "in_sync", "unknown"}
        for row in doc["rows"]:
            assert set(row) == {"component", "title", "values", "status", "severity", "details", "sources", "evidence"}, row
            assert {e["environment"] for e in row["evidence"]} <= set(doc["environments"]), row["component"]
            assert set(row["values"]) == set(doc["environments"]), (folder.name, row["component"])
            assert set(row["sources"]) == set(doc["environments"]), (folder.name, row["component"])
            assert all(isinstance(v, str) for v in row["values"].values())
            assert not any(v.startswith("fp:") for v in row["values"].values()), "secrets shown as fingerprints only"
        jsonschema.validate(doc, diff_schema())
