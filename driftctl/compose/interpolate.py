"""`${VAR}` interpolation with the exact semantics of compose-go's `template` package.

Why a port and not `string.Template` or `os.path.expandvars`: Compose has its own grammar
(`${VAR:-default}`, `${VAR:?err}`, `${VAR:+alt}`, nested templates inside defaults, `$$` escaping) and
its own corner cases (the operator that appears first wins, greedy brace matching followed by a
brace-count split, unused defaults never evaluated since compose-go 2.10). The conformance vectors in
tests/compose/conformance/interpolation.json come from the reference and pin all of that down.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Mapping = Callable[[str], "str | None"]

# $$ | $name | ${braced} | ${ (invalid): the same alternation, flags and greediness as compose-go.
_PATTERN = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|\{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](?:.*))?)\}|(?P<invalid>)))",
    re.IGNORECASE,
)
# The operators compose-go knows, in its own order; the one found earliest in the template is used.
_OPERATORS = (":?", "?", ":-", "-", ":+", "+")


# Error messages name variables, never values: a template may hold a secret, and messages reach
# snapshots, logs and CI output.
INVALID_TEMPLATE = "Invalid template: a `$` is followed by an invalid `${...}` (use `$$` for a literal `$`)"


class TemplateError(ValueError):
    """An invalid template or a missing required variable; `variable` names it when known."""

    def __init__(self, message: str, variable: str | None = None):
        super().__init__(message)
        self.message = message
        self.variable = variable
        self.path: tuple[str, ...] = ()


def interpolate(template: str, mapping: Mapping) -> str:
    """Substitute variables in `template`; `mapping(name)` returns the value or None when unset.

    Raises TemplateError for an invalid template or a `${VAR:?err}` / `${VAR?err}` that fails.
    """
    if "$" not in template:  # the common case, and the benchmark's hot path
        return template
    return _substitute(template, mapping, template)


def _substitute(template: str, mapping: Mapping, whole: str) -> str:
    error: list[TemplateError] = []

    def replace(match: re.Match[str]) -> str:
        if error:
            return ""
        try:
            return _replacement(match.group(0), mapping, whole)
        except TemplateError as exc:
            error.append(exc)
            return ""

    result = _PATTERN.sub(replace, template)
    if error:
        raise error[0]
    return result


def _closing_brace(s: str) -> int:
    """Index of the brace closing the `${` at the start of `s` (counting every `{`), or -1."""
    depth = 0
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "}":
            depth -= 1
            if depth == 0:
                return i
        if c == "{":
            depth += 1
            i += 1  # compose-go skips the character after an opening brace
        i += 1
    return -1


def _replacement(substring: str, mapping: Mapping, whole: str) -> str:
    template = substring
    rest = ""
    close = _closing_brace(substring)
    if close > -1:
        rest = substring[close + 1 :]
        substring = substring[: close + 1]
    m = _PATTERN.match(substring)
    if m is None or m.group("invalid") is not None:
        raise TemplateError(INVALID_TEMPLATE)
    if m.group("escaped"):
        return "$" + _substitute(rest, mapping, whole) if rest else "$"
    named = m.group("named")
    if named:
        value = mapping(named)
        return value or ""
    braced = m.group("braced")
    if braced is None:
        raise TemplateError(INVALID_TEMPLATE)
    op = _first_operator(template)
    value = _apply(op, braced, mapping, whole) if op else (mapping(braced) or "")
    if rest:
        value += _substitute(rest, mapping, whole)
    return value


def _first_operator(template: str) -> str | None:
    best: tuple[int, str] | None = None
    for op in _OPERATORS:
        i = template.find(op)
        if i >= 0 and (best is None or i < best[0]):
            best = (i, op)
    return best[1] if best else None


def _apply(op: str, substitution: str, mapping: Mapping, whole: str) -> str:
    """One `${name<op>arg}`; `arg` is interpolated only when its value is used (compose-go >= 2.10)."""
    if op not in substitution:
        # the operator was only found in the text after the closing brace: keep the variable as is
        return "${" + substitution + "}"
    name, _, arg = substitution.partition(op)
    value = mapping(name)
    if op in (":-", "-"):
        if value is None or (op == ":-" and value == ""):
            return _substitute(arg, mapping, whole) if "$" in arg else arg
        return value
    if op in (":+", "+"):
        if value is not None and (op == "+" or value != ""):
            return _substitute(arg, mapping, whole) if "$" in arg else arg
        return value or ""
    # ":?" / "?"
    if value is None or (op == ":?" and value == ""):
        # compose-go appends the template's own message; it is text from the target (and may be
        # built from other variables), so only the variable's name is said
        raise TemplateError(f"required variable {name} is missing a value", variable=name)
    return value


def interpolate_values(value: object, mapping: Mapping, path: tuple[str, ...] = ()) -> object:
    """Interpolate every string value of a parsed document (never the keys), in place for containers.

    A TemplateError raised here carries `path`, the location of the failing value in the document.
    """
    if isinstance(value, str):
        if "$" not in value:
            return value
        try:
            return interpolate(value, mapping)
        except TemplateError as exc:
            exc.path = path
            raise
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (str, dict, list)):
                value[k] = interpolate_values(v, mapping, (*path, k))
        return value
    if isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (str, dict, list)):
                value[i] = interpolate_values(v, mapping, (*path, str(i)))
        return value
    return value
