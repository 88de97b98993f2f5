"""interpolate(): Compose's template grammar, small cases first, then every reference vector."""

from __future__ import annotations

import json

import pytest

from driftctl.compose import interpolate
from driftctl.compose.interpolate import TemplateError
from tests.compose.helpers import HERE

ENV = {"FOO": "first", "EMPTY": "", "JSON": '{"a":1}'}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("plain", "plain"),
        ("$FOO and ${FOO}", "first and first"),
        ("$$FOO", "$FOO"),
        ("${UNSET:-dflt}", "dflt"),
        ("${EMPTY:-dflt}", "dflt"),
        ("${EMPTY-dflt}", ""),
        ("${FOO:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET:-${FOO}-x}", "first-x"),
        ("${UNSET:-{\"a\":2}}", '{"a":2}'),
        ("${FOO:-${UNSET:?never evaluated}}", "first"),  # lazy defaults (compose-go >= 2.10)
        ("a $ b", "a $ b"),
    ],
)
def test_templates(template: str, expected: str) -> None:
    assert interpolate(template, ENV.get) == expected


@pytest.mark.parametrize("template", ["${", "${}", "${ FOO}", "${FOO!}"])
def test_invalid_templates(template: str) -> None:
    with pytest.raises(TemplateError, match="Invalid template"):
        interpolate(template, ENV.get)


def test_required_variable_names_the_variable() -> None:
    with pytest.raises(TemplateError) as info:
        interpolate("x ${NEEDED:?please set it}", ENV.get)
    assert info.value.variable == "NEEDED"
    assert info.value.message == "required variable NEEDED is missing a value"  # never the template's text


CASES = json.loads((HERE / "conformance" / "interpolation.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_vectors(case: dict) -> None:
    if case["error"]:
        with pytest.raises(TemplateError):
            interpolate(case["template"], case["env"].get)
    else:
        assert interpolate(case["template"], case["env"].get) == case["expected"]
