"""A string `command:` / `entrypoint:` -> argv, exactly as compose-go splits it (go-shellwords v1.0.12).

Why not shlex: go-shellwords stops at the first unquoted shell operator (`;`, `&`, `|`, `<`, `>`),
so `sh -c a && b` becomes `["sh", "-c", "a"]` and a `2>` redirection drops its descriptor; quotes
and backslashes follow its rules, not POSIX's (a backslash escapes any character outside single
quotes, `#` starts no comment, backticks and `$(...)` are kept as text). Drift is only meaningful
if both sides split the same way Compose does.
"""

from __future__ import annotations

_SPACES = " \t\r\n"
_OPERATORS = ";&|<>"


def shellwords(line: str) -> list[str]:
    """go-shellwords' Parse with ParseEnv and ParseBacktick off; ValueError on unbalanced quotes."""
    args: list[str] = []
    buf = ""
    escaped = double = single = back = dollar = False
    got = False  # a word is under way (possibly empty, as `""` is)
    for char in line:
        if escaped:
            buf += char
            escaped = False
            got = True
            continue
        if char == "\\":
            if single:
                buf += char
            else:
                escaped = True
            continue
        if char in _SPACES:
            if single or double or back or dollar:
                buf += char
            elif got:
                args.append(buf)
                buf = ""
                got = False
            continue
        if char == "`" and not single and not double and not dollar:
            back = not back
        elif char == ")" and not single and not double and not back:
            dollar = not dollar
        elif char == "(" and not single and not double and not back:
            if not dollar and buf.endswith("$"):
                dollar = True
                buf += "("
                continue
            raise ValueError("invalid command line string")
        elif char == '"' and not single and not dollar:
            if double:
                got = True
            double = not double
            continue
        elif char == "'" and not double and not dollar:
            if single:
                got = True
            single = not single
            continue
        elif char in _OPERATORS and not (single or double or back or dollar):
            if char == ">" and buf and buf[0].isdigit() and buf[0].isascii():
                got = False
            break
        got = True
        buf += char
    if got:
        args.append(buf)
    if escaped or single or double or back or dollar:
        raise ValueError("invalid command line string")
    return args
