"""A strict checker of JSON data against the collectors' data TypedDicts (tests only).

Strict where pydantic is lenient on purpose: an unknown key is a problem (a collector that writes a
key its type does not declare has drifted from it), and no value is coerced (`"1"` is not an int).
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from typing_extensions import is_typeddict


def problems(value: Any, tp: Any, at: str = "data") -> list[str]:
    """Every way `value` (decoded JSON) does not fit `tp`; empty when it fits."""
    if tp is Any:
        return []
    if is_typeddict(tp):
        return _typeddict(value, tp, at)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        found = [problems(value, alt, at) for alt in get_args(tp)]
        return [] if any(not f for f in found) else min(found, key=len)
    if origin is Literal:
        ok = any(value == v and type(value) is type(v) for v in get_args(tp))
        return [] if ok else [f"{at}: {value!r} is not one of {get_args(tp)}"]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{at}: expected an object, got {type(value).__name__}"]
        key_tp, value_tp = get_args(tp)
        out = [p for k in value for p in problems(k, key_tp, f"{at} key {k!r}")]
        return out + [p for k, v in value.items() for p in problems(v, value_tp, f"{at}[{k!r}]")]
    if origin is list:
        if not isinstance(value, list):
            return [f"{at}: expected a list, got {type(value).__name__}"]
        (item_tp,) = get_args(tp)
        return [p for i, v in enumerate(value) for p in problems(v, item_tp, f"{at}[{i}]")]
    if tp is type(None):
        return [] if value is None else [f"{at}: expected null, got {value!r:.60}"]
    if tp in (int, float, str, bool):
        ok = isinstance(value, tp) and (tp is bool or not isinstance(value, bool))
        ok = ok or (tp is float and isinstance(value, int) and not isinstance(value, bool))  # JSON 1 == 1.0
        return [] if ok else [f"{at}: expected {tp.__name__}, got {type(value).__name__} {value!r:.60}"]
    raise TypeError(f"the shape checker does not know {tp!r} (at {at})")


def _typeddict(value: Any, tp: Any, at: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{at}: expected an object ({tp.__name__}), got {type(value).__name__}"]
    hints = get_type_hints(tp)
    out = [f"{at}: missing key {k!r} of {tp.__name__}" for k in sorted(tp.__required_keys__ - value.keys())]
    out += [f"{at}: key {k!r} is not in {tp.__name__}" for k in sorted(value.keys() - hints.keys())]
    for k, v in value.items():
        if k in hints:
            out += problems(v, hints[k], f"{at}.{k}")
    return out
