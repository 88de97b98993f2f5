"""JUnit XML: parses, counts add up, and each status maps to pass / failure / skipped / error."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from driftctl.render import junit


def outcome(case: ET.Element) -> str:
    for tag in ("failure", "error", "skipped"):
        if case.find(tag) is not None:
            return tag
    return "passed"


def test_statuses_map_to_junit_outcomes(seed_matrix: dict) -> None:
    root = ET.fromstring(junit.render(seed_matrix))
    cases = {c.get("name"): c for c in root.find("testsuite[@name='driftctl']").iter("testcase")}
    assert outcome(cases["env.TELEGRAM_BOT_TOKEN"]) == "passed"
    assert outcome(cases["env.BINANCE_API_URL"]) == "skipped"
    assert outcome(cases["containers.running"]) == "error"
    for name in ("git.branch", "compose.services.telegram-bot.command", "code_health.market-data", "compose.files", "host.memory"):
        assert outcome(cases[name]) == "failure", name
    failure = cases["git.branch"].find("failure")
    assert failure.get("type") == "DIVERGED" and failure.get("message") == "Current Branch: DIVERGED (critical)"
    assert "local: main" in failure.text and "12 commits ahead" in failure.text
    assert cases["git.branch"].get("classname") == "driftctl.git"


def test_counts_add_up(seed_matrix: dict) -> None:
    root = ET.fromstring(junit.render(seed_matrix))
    rows = root.find("testsuite[@name='driftctl']")
    assert (rows.get("tests"), rows.get("failures"), rows.get("errors"), rows.get("skipped")) == ("10", "7", "1", "1")
    collectors = root.find("testsuite[@name='driftctl.collectors']")
    assert collectors.find("testcase").get("name") == "containers" and collectors.get("errors") == "1"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("11", "7", "2", "1")


def test_rows_that_are_no_finding_are_skipped(seed_matrix: dict) -> None:
    seed_matrix["rows"][0]["severity"] = "none"
    seed_matrix["rows"][1]["ignored"] = True
    root = ET.fromstring(junit.render(seed_matrix))
    cases = list(root.iter("testcase"))
    assert outcome(cases[0]) == "skipped" and outcome(cases[1]) == "skipped"


def test_hostile_text_still_parses(hostile_matrix: dict) -> None:
    text = junit.render(hostile_matrix)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find(".//failure")
    assert '<script>alert("x")</script>' in failure.text and "\x1b" not in failure.text
