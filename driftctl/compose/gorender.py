"""The rendered model in the shape Go's encoding/json gives compose-go's types.

Why: `docker compose config --format json` is compose-go's Project marshalled by Go. Its keys come
in struct declaration order (maps sorted), `omitempty` fields vanish when zero (`privileged: false`,
`read_only: false`), pointers stay (`init: false`, `healthcheck.retries: 0`), struct-valued fields
are always there (`deploy.resources: {}`, `deploy.placement: {}`, `ipam: {}`), and `x-` extensions
inside services, networks or builds are not printed. A model rendered any other way would show
drift where there is none. The struct table is generated from compose-go (gotypes.py).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from driftctl.compose.casting import GO_CASTS
from driftctl.compose.errors import ComposeError
from driftctl.compose.gotypes import ALIASES, STRUCTS
from driftctl.compose.merge import go_string
from driftctl.compose.units import bytes_string

# types with their own MarshalJSON (or shaped by the normaliser already): printed as they are
_OPAQUE = frozenset({"HostsList", "SSHConfig", "FileMode", "EnvFile", "time.Duration", "Duration", "UnitBytes",
                     "any", "interface{}", "Extensions"})
_ZERO_TEXT = {"UnitBytes": "0", "Duration": "0s"}


def render_project(model: dict[str, Any]) -> dict[str, Any]:
    """Project.MarshalJSON: a map (so sorted keys) of name, services and the non-empty sections."""
    out: dict[str, Any] = {}
    for key in sorted(model):
        value = model[key]
        gotype = _PROJECT.get(key)
        if gotype and isinstance(value, dict):
            value = {k: _struct(v, gotype, f"{key}.{k}") if isinstance(v, dict) else v for k, v in sorted(value.items())}
        elif key.startswith("x-"):
            value = _sorted(value)  # Extensions: map[string]any, so every mapping in it comes out sorted
        out[key] = value
    return out


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


_PROJECT = {"services": "ServiceConfig", "networks": "NetworkConfig", "volumes": "VolumeConfig",
            "secrets": "FileObjectConfig", "configs": "FileObjectConfig"}


def render(value: Any, gotype: str, path: str = "") -> Any:
    """`value` as Go would marshal a `gotype` holding it (`path` names it in errors)."""
    kind, arg = _kind(gotype)
    if value is None:
        return None
    if kind == "ptr":
        return render(value, arg, path)
    if kind == "slice":
        if not isinstance(value, list) or _plain(arg):
            return value
        return [render(v, arg, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            return value
        if _plain(arg):
            return dict(sorted(value.items()))
        return {k: render(value[k], arg, f"{path}.{k}") for k in sorted(value)}
    if kind == "struct":
        return _struct(value, arg, path) if isinstance(value, dict) else value
    if arg == "UnitBytes":
        return bytes_string(value)
    if arg == "FileMode":
        return _file_mode(value, path)
    return value


def _file_mode(value: Any, path: str) -> Any:
    """FileMode: decoded from an int, or from a string read as octal (strconv.ParseInt(s, 8, 64)),
    and marshalled as Go's `"0%o"` (`mode: 493` and `mode: "0755"` both print "0755")."""
    if isinstance(value, str):
        if not re.fullmatch(r"[+-]?[0-7]+", value):
            raise ComposeError(f'{path}: strconv.ParseInt: parsing "{value}": invalid syntax')
        value = int(value, 8)
    if isinstance(value, int) and not isinstance(value, bool):
        return ("0-" if value < 0 else "0") + format(abs(value), "o")
    gotype = "float64" if isinstance(value, float) else type(value).__name__  # the schema lets only numbers through
    raise ComposeError(f"{path}: unexpected value type {gotype} for mode")


@cache
def _plain(gotype: str) -> bool:
    """Elements printed as they are (strings, numbers, ...): no need to visit them one by one."""
    kind, arg = _kind(gotype)
    if kind == "ptr":
        return _plain(arg)
    return kind == "basic" and arg not in ("UnitBytes", "FileMode")


def _decode(value: Any, gotype: str, path: str) -> Any:
    """mapstructure's hooks on a struct field: a string becomes the bool or number the field holds
    (compose-go's `cast`), an integer becomes the string a string field holds; unsigned fields take
    no string at all."""
    base = ALIASES.get(gotype, gotype) if gotype not in _OPAQUE else gotype
    if isinstance(value, str):
        cast = GO_CASTS.get(base)
        if cast is not None:
            try:
                return cast(value)
            except ValueError as exc:
                raise ComposeError(f"{path}: {exc}") from None
        if base.startswith("uint"):
            raise ComposeError(f"'{path}' expected type '{base}', got unconvertible type 'string'")
    elif base == "string" and isinstance(value, int) and not isinstance(value, bool):
        return go_string(value)
    return value


def _struct(value: dict[str, Any], name: str, path: str = "") -> dict[str, Any]:
    index, always = _layout(name)
    entries: list[tuple[int, str, Any]] = []
    extra: list[tuple[str, Any]] = []
    for key, v in value.items():
        field = index.get(key)
        if field is None:
            if not key.startswith("x-"):
                extra.append((key, v))
            continue
        position, gotype, omit, plain, decode = field
        if (decode == "cast" and type(v) is str) or (decode == "string" and type(v) is int):
            v = _decode(v, gotype, f"{path}.{key}" if path else key)
        if omit is not None and (v is None if omit == "ptr" else (not v or v == omit)):
            continue  # omitempty: a nil pointer, or a zero value (UnitBytes "0", Duration "0s")
        if not plain:
            v = render(v, gotype, f"{path}.{key}" if path else key)
        entries.append((position, key, v))
    for position, key, gotype in always:
        if key not in value:
            entries.append((position, key, _zero(gotype)))
    entries.sort(key=lambda e: e[0])
    out = {key: v for _, key, v in entries}
    out.update(extra)
    return out


Field = tuple[int, str, "str | None", bool, "str | None"]


@cache
def _layout(name: str) -> tuple[dict[str, Field], tuple[tuple[int, str, str], ...]]:
    """A struct's fields by JSON name (position, type, omitempty test, printed as is, decode-time
    cast kind), and those always printed. The omitempty test is None (never omitted: no omitempty,
    or a struct value), "ptr" (omitted when nil) or the zero text besides falsy values."""
    fields = STRUCTS[name]
    index: dict[str, Field] = {}
    for i, (jname, gotype, omit) in enumerate(fields):
        base = ALIASES.get(gotype, gotype) if gotype not in _OPAQUE else gotype
        decode = "cast" if base in GO_CASTS or base.startswith("uint") else ("string" if base == "string" else None)
        kind, arg = _kind(gotype)
        test = None if not omit or kind == "struct" else ("ptr" if kind == "ptr" else _ZERO_TEXT.get(arg, ""))
        index[jname] = (i, gotype, test, _plain(gotype), decode)
    always = tuple((i, jname, gotype) for i, (jname, gotype, omit) in enumerate(fields)
                   if _kind(gotype)[0] == "struct" or not omit)
    return index, always


@cache
def _kind(gotype: str) -> tuple[str, str]:
    """("ptr"|"slice"|"map"|"struct"|"basic", argument) with named types resolved."""
    if gotype.startswith("*"):
        return "ptr", gotype[1:]
    if gotype.startswith("[]"):
        return "slice", gotype[2:]
    if gotype.startswith("map[string]"):
        return "map", gotype[len("map[string]"):]
    if gotype in _OPAQUE:
        return "basic", gotype
    if gotype in STRUCTS:
        return "struct", gotype
    if gotype in ALIASES:
        kind, arg = _kind(ALIASES[gotype])
        return (kind, arg) if kind != "basic" else ("basic", gotype)
    return "basic", gotype


def _zero(gotype: str) -> Any:
    kind, arg = _kind(gotype)
    if kind in ("ptr", "slice", "map"):
        return None
    if kind == "struct":
        return _struct({}, arg)
    base = ALIASES.get(arg, arg)
    if base == "bool":
        return False
    if base == "string":
        return ""
    if base.startswith(("int", "uint", "float")):
        return 0
    return None
