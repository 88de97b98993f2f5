"""What every report format owes the reader: every row of the matrix, whatever its status."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html import escape

import pytest

from driftctl.matrix import matrix_from_json
from driftctl.render import github, html, junit, sarif


def test_fixture_follows_the_matrix_contract(seed_matrix: dict) -> None:
    """The fixture must be a document the real matrix code reads back to the same summary."""
    matrix = matrix_from_json(seed_matrix)
    assert matrix.summary() == seed_matrix["summary"]
    assert {r.status.value for r in matrix.rows} == {
        "IN_SYNC", "DIVERGED", "MISMATCH", "INCONSISTENT", "DRIFT", "BROKEN", "EXPECTED", "CONSTRAINED", "UNKNOWN",
    }


def test_html_shows_every_row(seed_matrix: dict) -> None:
    page = html.render(seed_matrix)
    for row in seed_matrix["rows"]:
        assert escape(row["component"]) in page and escape(row["title"]) in page


def test_sarif_reports_every_row_but_in_sync(seed_matrix: dict) -> None:
    results = json.loads(sarif.render(seed_matrix))["runs"][0]["results"]
    expected = [r["component"] for r in seed_matrix["rows"] if r["status"] != "IN_SYNC"]
    assert [r["properties"]["component"] for r in results] == expected


def test_junit_has_a_testcase_per_row(seed_matrix: dict) -> None:
    suite = ET.fromstring(junit.render(seed_matrix)).find("testsuite[@name='driftctl']")
    assert [c.get("name") for c in suite.iter("testcase")] == [r["component"] for r in seed_matrix["rows"]]


def test_github_annotates_every_row_but_in_sync(seed_matrix: dict) -> None:
    out = github.render(seed_matrix)
    for row in seed_matrix["rows"]:
        title = github.escape_property(f"{row['title']} ({row['component']})")
        assert (title in out) == (row["status"] != "IN_SYNC"), row["component"]


@pytest.mark.parametrize("module", [html, sarif, junit, github])
def test_empty_matrix_renders(module) -> None:
    assert isinstance(module.render({"schema": "driftctl.diff/v1", "environments": [], "rows": [], "summary": {}, "incomplete": []}), str)
