"""`driftctl schema`: the JSON Schema of environments.yaml, generated from the validating model."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.helpers import driftctl

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def schema() -> dict:
    run = driftctl("schema")
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_is_a_valid_json_schema_without_internal_fields(schema) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == {"version", "environments", "rules", "notify", "retention", "secrets", "groups"}
    assert schema["required"] == ["environments"]


def test_accepts_the_repository_config_and_rules(schema) -> None:
    jsonschema.validate(yaml.safe_load((REPO / "environments.yaml").read_text()), schema)
    with_rules = {
        "version": 1,
        "environments": {"local": {"transport": "local"}},
        "rules": {
            "expected": [{"component": "env.*API_KEY*", "environments": ["local", "aws"], "reason": "keys differ"},
                         {"component": "compose.services.*.image", "pairs": [["local", "aws"]]}],
            "ignore": ["host.docker*"],
            "thresholds": {"memory_percent": 70, "disk_percent": 85},
            "components": {"bot_mode": {"title": "Bot Mode", "path": "compose.services.telegram-bot.command",
                                        "values": {"main_webhook": "webhook", "main\\.py": "polling"},
                                        "status": "INCONSISTENT", "severity": "critical"}},
        },
    }
    jsonschema.validate(with_rules, schema)


@pytest.mark.parametrize("bad", [
    {"version": 1, "environments": {}, "rules": {"ignored": []}},
    {"version": 1, "environments": {}, "rules": {"thresholds": {"memory_percent": 120}}},
    {"version": 1, "environments": {}, "rules": {"components": {"x": {"title": "X", "path": "a", "status": "FINE"}}}},
    {"version": 2, "environments": {}},
    {"version": 1, "environments": {}, "secrets": {"always": ["X"]}},
    {"version": 1, "environments": {}, "secrets": {"secret": "X"}},
])
def test_rejects_what_the_loader_rejects(schema, bad) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_documents_the_rules(schema) -> None:
    rules = schema["$defs"]["Rules"]["properties"]
    assert "--show-ignored" in rules["ignore"]["description"]
    expected = schema["$defs"]["ExpectedRule"]["properties"]
    assert "fnmatch" in expected["component"]["description"]
    assert "pairs" in expected


def test_diff_schema_documents_row_evidence() -> None:
    run = driftctl("schema", "diff")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    jsonschema.Draft202012Validator.check_schema(doc)
    entry = doc["properties"]["rows"]["items"]["properties"]["evidence"]["items"]
    assert entry["required"] == ["environment", "collector", "kind"]
    assert {"path", "line", "key", "commit", "container", "value"} <= set(entry["properties"])
    assert "missing-import" in entry["properties"]["kind"]["description"]


def test_unknown_schema_is_one_line_usage_error() -> None:
    run = driftctl("schema", "nope")
    assert run.code == 2
    assert "unknown schema 'nope'" in run.err


def test_documents_the_secret_rules(schema) -> None:
    rules = schema["$defs"]["SecretRules"]["properties"]
    assert set(rules) == {"secret", "not_secret"}
    assert "fnmatch" in rules["secret"]["description"] and "whole values" in rules["not_secret"]["description"]
    jsonschema.validate({"version": 1, "environments": {}, "secrets": {"secret": ["*_PIN"], "not_secret": ["PUBLIC_*"]}},
                        schema)
