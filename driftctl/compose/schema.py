"""Validation against the Compose Specification schema, worded as Docker Compose words it.

The schema (spec/compose-spec.json, compose-go v2.9.1 = Docker Compose 2.40.3) is applied by the
`jsonschema` package. Why a second, compiled checker in front of it: jsonschema walks a 500-service
project in about as long as the whole resolution takes, and valid input is the common case. The
schema is compiled once per process into closures that only answer "certainly valid"; whenever
they say anything else (invalid, or a case they do not model) jsonschema decides and explains.

Errors: compose-go reports the most specific failure (deepest instance path, an unknown property
counting one deeper) as `<path> <problem>`, e.g. `services.web additional properties 'imgae' not
allowed` or `services.web.ports must be a array`; the same selection and wording are used here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

Check = Callable[[Any], bool]


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    """The vendored schema (parsed once)."""
    text = resources.files("driftctl.compose").joinpath("spec/compose-spec.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def problem(data: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """None when `data` satisfies the schema, else (where, compose-go's one-line `<path> <problem>`)."""
    if _fast()(data):
        return None
    return _explain(data)


# --- the compiled checker --------------------------------------------------------------------------
def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,), "number": (int, float),
    "boolean": (bool,), "null": (type(None),),
}


def _type_check(names: list[str]) -> Check:
    """Exact Python types (the loader builds only built-in ones); a whole float is an integer too."""
    exact = frozenset(t for n in names for t in _PY_TYPES[n])
    whole_float = "integer" in names and "number" not in names

    def check(v: Any) -> bool:
        return type(v) in exact or (whole_float and type(v) is float and v.is_integer())

    return check


def _all(checks: tuple[Check, ...]) -> Check:
    def check(v: Any) -> bool:
        for f in checks:
            if not f(v):
                return False
        return True

    return check


def _one(checks: tuple[Check, ...]) -> Check:
    def check(v: Any) -> bool:
        hits = 0
        for f in checks:
            if f(v):
                hits += 1
                if hits > 1:
                    return False
        return hits == 1

    return check


def _any(checks: tuple[Check, ...]) -> Check:
    return lambda v: any(f(v) for f in checks)


def _not(inner: Check) -> Check:
    return lambda v: not inner(v)


def _enum(options: list[Any]) -> Check:
    return lambda v: any(_json_equal(v, x) for x in options)


def _pattern(pattern: str) -> Check:
    rx = re.compile(pattern)
    return lambda v: not isinstance(v, str) or rx.search(v) is not None


def _bound(bound: float, lower: bool) -> Check:
    def check(v: Any) -> bool:
        if type(v) not in (int, float):
            return True
        return float(v) >= bound if lower else float(v) <= bound

    return check


def _searcher(pattern: str) -> Callable[[str], bool]:
    """`re.search`, remembered per key: property names repeat across services."""
    rx = re.compile(pattern)
    seen: dict[str, bool] = {}

    def search(key: str) -> bool:
        hit = seen.get(key)
        if hit is None:
            hit = seen[key] = rx.search(key) is not None
            if len(seen) > 50_000:
                seen.clear()
        return hit

    return search


@lru_cache(maxsize=1)
def _fast() -> Check:
    return _Compiler(spec()).compile(spec())


class _Compiler:
    """Draft-07 subset used by the compose schema -> a predicate; unknown keywords make it give up."""

    KNOWN = frozenset({
        "type", "$ref", "properties", "patternProperties", "additionalProperties", "items", "oneOf",
        "anyOf", "allOf", "not", "uniqueItems", "required", "enum", "minimum", "maximum", "pattern",
        "description", "deprecated", "default", "$schema", "$id", "title", "definitions", "examples",
    })

    def __init__(self, root: dict[str, Any]):
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        if pointer not in self.refs:
            slot: list[Check] = []
            self.refs[pointer] = lambda v: slot[0](v)  # recursive definitions resolve lazily
            node: Any = self.root
            for part in pointer.lstrip("#/").split("/"):
                node = node[part]
            slot.append(self.compile(node))
        return self.refs[pointer]

    def compile(self, s: Any) -> Check:  # noqa: C901 - one branch per keyword
        if s is True or s == {}:
            return lambda v: True
        if s is False:
            return lambda v: False
        if set(s) - self.KNOWN:
            return lambda v: False  # not modelled: let jsonschema decide
        checks: list[Check] = []
        if "$ref" in s:
            checks.append(self.ref(s["$ref"]))
        if "type" in s:
            checks.append(_type_check(s["type"] if isinstance(s["type"], list) else [s["type"]]))
        if "enum" in s:
            checks.append(_enum(s["enum"]))
        if "pattern" in s:
            checks.append(_pattern(s["pattern"]))
        for key in ("minimum", "maximum"):
            if key in s:
                checks.append(_bound(float(s[key]), key == "minimum"))
        if any(k in s for k in ("properties", "patternProperties", "additionalProperties", "required")):
            checks.append(self._object(s))
        if "items" in s or "uniqueItems" in s:
            checks.append(self._array(s))
        for key in ("oneOf", "anyOf", "allOf"):
            if key in s:
                subs = [self.compile(x) for x in s[key]]
                if key == "oneOf":
                    checks.append(_one(tuple(subs)))
                elif key == "anyOf":
                    checks.append(_any(tuple(subs)))
                else:
                    checks.append(_all(tuple(subs)))
        if "not" in s:
            checks.append(_not(self.compile(s["not"])))
        if not checks:
            return lambda v: True
        return checks[0] if len(checks) == 1 else _all(tuple(checks))

    def _object(self, s: dict[str, Any]) -> Check:
        props = {k: self.compile(x) for k, x in (s.get("properties") or {}).items()}
        patterns = [(_searcher(p), self.compile(x)) for p, x in (s.get("patternProperties") or {}).items()]
        extra = s.get("additionalProperties", True)
        forbid_extra = extra is False
        extra_check: Check | None = None if extra in (True, False) else self.compile(extra)
        required = tuple(s.get("required") or ())

        if not props and not required and len(patterns) == 1 and forbid_extra:
            (only_search, only_check), = patterns  # a free-form mapping: `environment`, `labels`, ...

            def mapping(v: Any) -> bool:
                if type(v) is not dict:
                    return True
                for key, value in v.items():
                    if type(key) is not str or not only_search(key) or not only_check(value):
                        return False
                return True

            return mapping

        def check(v: Any) -> bool:
            if type(v) is not dict:
                return True
            for name in required:
                if name not in v:
                    return False
            for key, value in v.items():
                if type(key) is not str:
                    return False
                f = props.get(key)
                matched = f is not None
                if f is not None and not f(value):
                    return False
                for search, g in patterns:
                    if search(key):
                        if not g(value):
                            return False
                        matched = True
                if not matched:
                    if forbid_extra or (extra_check is not None and not extra_check(value)):
                        return False
            return True

        return check

    def _array(self, s: dict[str, Any]) -> Check:
        items = s.get("items")
        if isinstance(items, list):
            return lambda v: False  # tuple validation is not used by the compose schema
        item = self.compile(items) if items is not None else None
        unique = bool(s.get("uniqueItems"))

        def check(v: Any) -> bool:
            if not isinstance(v, list):
                return True
            if item is not None:
                for x in v:
                    if not item(x):
                        return False
            if unique and len(v) > 1:
                if all(isinstance(x, str) for x in v):
                    return len(set(v)) == len(v)
                return False  # mixed items: jsonschema compares them
            return True

        return check


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


# --- compose-go's wording ---------------------------------------------------------------------------
_NAMES = {"object": "mapping"}


def _explain(data: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    import jsonschema

    validator = _validator()
    best = None
    best_rank = -1
    for error in validator.iter_errors(data):
        for leaf in _leaves(error):
            rank = len(leaf.absolute_path) + (1 if leaf.validator == "additionalProperties" else 0)
            if rank > best_rank:
                best, best_rank = leaf, rank
    if best is None:
        return None
    assert isinstance(best, jsonschema.ValidationError)
    where = tuple(str(p) for p in best.absolute_path)
    extra = _extra_properties(best) if best.validator == "additionalProperties" else []
    return (*where, *extra[:1]), _wording(best)


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(spec())


def _leaves(error: Any) -> list[Any]:
    if not error.context:
        return [error]
    out: list[Any] = []
    for sub in error.context:
        out.extend(_leaves(sub))
    return out


def _quote(text: str) -> str:
    return "'" + json.dumps(text)[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"


def _display(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    return str(value)


def _type_names(names: list[str]) -> str:
    if len(names) == 1:
        return _NAMES.get(names[0], names[0])
    words = sorted(_NAMES.get(n, n) for n in names)
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _wording(error: Any) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    kind, want, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        text = f"must be a {_type_names(want if isinstance(want, list) else [want])}"
    elif kind == "additionalProperties":
        text = f"additional properties {', '.join(_quote(k) for k in _extra_properties(error))} not allowed"
    elif kind == "required":
        missing = [k for k in want if k not in value]
        text = (f"missing property {_quote(missing[0])}" if len(missing) == 1
                else f"missing properties {', '.join(_quote(k) for k in missing)}")
    elif kind == "enum":
        text = (f"value must be {_display(want[0])}" if len(want) == 1
                else f"value must be one of {', '.join(_display(x) for x in want)}")
    elif kind == "minimum":
        text = f"must be greater than or equal to {_display(want)}"
    elif kind == "maximum":
        text = f"must be less than or equal to {_display(want)}"
    elif kind == "pattern":
        text = f"value does not match pattern {_quote(want)}"  # the value itself is not repeated
    elif kind == "uniqueItems":
        text = "items at {} and {} are equal".format(*_duplicates(value))
    elif kind == "oneOf":
        text = "oneOf failed, none matched"
    elif kind == "anyOf":
        text = "anyOf failed"
    elif kind == "not":
        text = "not failed"
    else:
        text = f"{kind} failed"
    return f"{path} {text}" if path else text


def _extra_properties(error: Any) -> list[str]:
    known = set(error.schema.get("properties") or {})
    patterns = [re.compile(p) for p in error.schema.get("patternProperties") or {}]
    return [k for k in error.instance if k not in known and not any(p.search(k) for p in patterns)]


def _duplicates(items: list[Any]) -> tuple[int, int]:
    for j, b in enumerate(items):
        for i in range(j):
            if _json_equal(items[i], b) or (isinstance(items[i], (dict, list)) and items[i] == b):
                return i, j
    return 0, 0
