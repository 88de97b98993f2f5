"""The shape a plan file must have before `apply` touches it: one line naming the first field that is
missing or of the wrong type, instead of a KeyError deep inside apply.

Why by hand and not jsonschema: the check is small, its message must be one short line, and the
identifiers that become file names (plan id, step ids) must be safe names.
"""

from __future__ import annotations

from typing import Any

from driftctl.errors import UsageError
from driftctl.limits import excerpt

_STR_LISTS = ("commands", "rollback", "verify", "preconditions")


def check_plan_shape(plan: dict, shown: str) -> None:
    """Raise UsageError(`<file>: invalid plan: <field>: <problem>`) for the first problem found."""

    def bad(where: str, problem: str) -> UsageError:
        return UsageError(f"{shown}: invalid plan: {where}: {problem}")

    _need(plan, "id", str, "", bad)  # that ids are plain names is plan_signing.check_structure's job
    _need(plan, "option", str, "", bad)
    _need(plan, "environments", list, "", bad)
    if not all(isinstance(e, str) for e in plan["environments"]):
        raise bad("environments", "expected a list of names")
    _need(plan, "sources", dict, "", bad)
    for env, source in plan["sources"].items():
        if not isinstance(source, dict):
            raise bad(f"sources.{excerpt(env, quote=False)}", "expected a mapping")
    _need(plan, "phases", list, "", bad)
    for i, phase in enumerate(plan["phases"]):
        where = f"phases[{i}]"
        if not isinstance(phase, dict):
            raise bad(where, "expected a mapping")
        _need(phase, "number", int, where + ".", bad)
        _need(phase, "steps", list, where + ".", bad)
        for j, step in enumerate(phase["steps"]):
            _check_step(step, f"{where}.steps[{j}]", bad)


def _check_step(step: Any, where: str, bad: Any) -> None:
    if not isinstance(step, dict):
        raise bad(where, "expected a mapping")
    for key in ("id", "title", "environment"):
        _need(step, key, str, where + ".", bad)
    _need(step, "mutates", bool, where + ".", bad)
    _need(step, "risk", dict, where + ".", bad)
    _need(step["risk"], "level", str, where + ".risk.", bad)
    for key in _STR_LISTS:
        _need(step, key, list, where + ".", bad)
        if not all(isinstance(x, str) for x in step[key]):
            raise bad(f"{where}.{key}", "expected a list of strings")
    for key in ("display", "rollback_display"):
        if step.get(key) is not None and not (
            isinstance(step[key], list) and all(isinstance(x, str) for x in step[key])
        ):
            raise bad(f"{where}.{key}", "expected a list of strings")
    for key in ("capture", "verify_environment"):
        if step.get(key) is not None and not isinstance(step[key], str):
            raise bad(f"{where}.{key}", "expected a string")


def _need(mapping: dict, key: str, kind: type, prefix: str, bad: Any) -> None:
    if key not in mapping:
        raise bad(prefix + key, "required field missing")
    value = mapping[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise bad(prefix + key, f"expected {_NAMES[kind]}, got {type(value).__name__}")


_NAMES = {str: "a string", list: "a list", dict: "a mapping", int: "an integer", bool: "true or false"}
