"""`.env` parsing exactly as compose-go's `dotenv` package (a godotenv fork) parses it.

Why not python-dotenv: it disagrees with Compose on inline comments (`a #b` vs `a#b`), escapes in
double quotes (`\\a`, `\\0123`, `\\$`), the `KEY: value` YAML-ish form, keys such as `a[1]` and
`VAR-WITH-DASHES`, and on interpolation (Compose runs its own `${VAR:-default}` grammar, with the
shell environment taking precedence over values defined earlier in the same file). A drift tool
that resolves a value differently from `docker compose` would report drift that is not there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from driftctl.compose.interpolate import TemplateError, interpolate

Lookup = Callable[[str], "str | None"]

_SPACE = "\t\v\f\r \x85\xa0"  # spaces that are not line breaks (godotenv's isSpace)
_EXPORT = re.compile(r"export[\t\n\f\r ]+")
_ESCAPE = re.compile(r"\\(?:[abcfnrtv$\"\\]|0\d{0,3})")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


class DotenvError(ValueError):
    """A syntax error in an env file; the message starts with `line N:`, and `line` is N."""

    def __init__(self, message: str):
        super().__init__(message)
        head = message.split(":", 1)[0]
        self.line: int | None = int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else None
        self.detail = message.split(": ", 1)[1] if self.line is not None else message


def _no_lookup(_: str) -> str | None:
    return None


def _is_unicode_space(c: str) -> bool:
    return c in " \t\n\v\f\r\x85\xa0" or (ord(c) > 0xFF and c.isspace())


def _valid_key_char(c: str) -> bool:
    return c in "_.-[]" or c.isalpha() or c.isnumeric()


def parse_dotenv(text: str, lookup: Lookup = _no_lookup) -> dict[str, str | None]:
    """Parse an env file's text. `lookup(name)` gives the shell value of a variable (or None).

    A bare `KEY` line takes its value from `lookup` and is left out when unset; `${VAR}` in unquoted
    and double-quoted values is interpolated with `lookup` first, then the keys parsed so far.
    """
    return _Parser(lookup).parse(text.removeprefix("\ufeff"))


class _Parser:
    def __init__(self, lookup: Lookup):
        self.line = 1
        self.lookup = lookup

    def parse(self, src: str) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        while True:
            src = self._statement_start(src)
            if not src:
                return out
            src = self._statement(src, out)

    def _statement_start(self, src: str) -> str:
        """Skip blank space and comment lines, counting line breaks."""
        while True:
            pos = -1
            for i, c in enumerate(src):
                if c == "\n":
                    self.line += 1
                elif not _is_unicode_space(c):
                    pos = i
                    break
            if pos == -1:
                return ""
            src = src[pos:]
            if src[0] != "#":
                return src
            nl = src.find("\n")
            if nl == -1:
                return ""
            src = src[nl:]

    def _statement(self, src: str, out: dict[str, str | None]) -> str:
        if _EXPORT.match(src):
            src = src[len("export") :].lstrip(_SPACE)
        key, offset, inherited = self._key_end(src)
        if inherited and " " not in key:
            self.line += 1
        key = key.rstrip()  # unicode.IsSpace
        rest = src[offset:].lstrip(_SPACE)
        if " " in key:
            raise DotenvError(f"line {self.line}: key cannot contain a space")
        if inherited:
            value = self.lookup(key)
            if value is not None:
                out[key] = value
            return rest
        value, rest = self._value(rest, out, key)
        out[key] = value
        return rest

    def _key_end(self, src: str) -> tuple[str, int, bool]:
        for i, c in enumerate(src):
            if c in _SPACE:
                continue
            if c in "=:\n":
                return src[:i], i + 1, c == "\n"
            if not _valid_key_char(c):
                # neither the line nor the would-be name is quoted: a line without `=` may be a
                # pasted secret, and error messages reach snapshots, logs and CI output
                raise DotenvError(f'line {self.line}: unexpected character "{c}" in a variable name')
        return "", 0, False  # no terminator: compose-go then reads the rest as the value of ""

    def _value(self, src: str, env: dict[str, str | None], key: str) -> tuple[str, str]:
        """The value and the rest of the input. Errors name the key, never the value: env files
        hold credentials, and error messages end up in snapshots and logs."""
        quote = src[:1]
        if quote not in ("'", '"'):
            value, _, rest = src.partition("\n")
            self.line += 1
            value = value.split(" #", 1)[0].rstrip()
            return self._expand(value, env, key), rest
        chars: list[str] = []
        escaped = False
        for i in range(1, len(src)):
            c = src[i]
            if c == "\n":
                self.line += 1
            if escaped:
                escaped = False
                if c != quote:  # an escaped quote drops its backslash, anything else keeps it
                    chars.append("\\")
                chars.append(c)
                continue
            if c == "\\":
                escaped = True
            elif c == quote:
                value = "".join(chars)
                if quote == '"':
                    value = self._expand(_expand_escapes(value), env, key)
                return value, src[i + 1 :]
            else:
                chars.append(c)
        raise DotenvError(f"line {self.line}: unterminated quoted value of {key}")

    def _expand(self, value: str, env: dict[str, str | None], key: str) -> str:
        if "$" not in value:
            return value

        def mapping(name: str) -> str | None:
            found = self.lookup(name)
            return found if found is not None else env.get(name)

        try:
            return interpolate(value, mapping)
        except TemplateError:
            raise DotenvError(f"line {self.line}: invalid interpolation in the value of {key}") from None


def _expand_escapes(value: str) -> str:
    """Shell-style escapes of double-quoted values: \\n, \\t, \\0NNN octal, \\$ (literal dollar)..."""
    if "\\" not in value:
        return value

    def one(m: re.Match[str]) -> str:
        text = m.group(0)
        c = text[1]
        if c == "$":
            return "$$"  # literal dollar for the interpolation that follows
        if c == "0":
            digits = text[2:]
            if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) <= 0xFF:
                return chr(int(digits, 8))
            return text
        return _SIMPLE_ESCAPES.get(c, text)

    return _ESCAPE.sub(one, value)
