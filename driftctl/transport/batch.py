"""Pure functions that pack many argv commands into one POSIX sh script and unpack its output.

The script runs each command in a subshell with stdout and stderr captured to a private temporary
directory, then prints a header `MARK index exit_status stdout_len stderr_len` followed by exactly those
bytes. Length-prefixed frames make the split exact for any output (binary, NUL bytes, lines that look
like markers). Every argument is quoted with shlex.quote: no config value reaches the shell unquoted.
Only POSIX sh, mktemp, wc and cat are needed on the target.
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Sequence

from driftctl import gitsafe
from driftctl.models import Command, CommandResult

MISSING_CWD_STATUS = 2


def new_marker() -> str:
    return "@@DRIFTCTL-" + secrets.token_hex(8) + "@@"


def build_script(commands: Sequence[Command], marker: str) -> str:
    lines = [
        "d=$(mktemp -d 2>/dev/null || mktemp -d -t driftctl) || exit 97",
        # A trap on HUP/INT/TERM that only cleans up would let the script go on without "$d":
        # clean up on EXIT and turn the signals into exits (PIPE: the reader went away, e.g. a
        # transport timeout closed the channel; without the trap the temp dir would be left behind).
        "trap 'rm -rf \"$d\"' EXIT",
        "trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM",
    ]
    if any(gitsafe.is_git(c.argv) for c in commands):
        lines.append(gitsafe.shell_prelude(gitsafe.REMOTE))
    for i, cmd in enumerate(commands):
        body = command_body(cmd)
        lines.append(f'( {body} ) >"$d/o" 2>"$d/e" </dev/null; r=$?')
        lines.append(
            f'printf \'%s %s %s %s %s\\n\' {shlex.quote(marker)} {i} "$r" '
            '"$(wc -c <"$d/o")" "$(wc -c <"$d/e")"; cat "$d/o" "$d/e"'
        )
    return "\n".join(lines) + "\n"


def command_body(cmd: Command) -> str:
    """The shell text that runs one command: git through gitsafe's function (no program named by the
    target's repository or its user's config can run), with the command's own environment exported."""
    words = gitsafe.shell_words(cmd.argv) if gitsafe.is_git(cmd.argv) else list(cmd.argv)
    body = ("" if gitsafe.is_git(cmd.argv) else "exec ") + shlex.join(words)
    if cmd.env:
        body = "export " + " ".join(shlex.quote(f"{k}={v}") for k, v in cmd.env) + "; " + body
    if cmd.cwd:
        body = _in_directory(cmd.cwd, body)
    return body


def _in_directory(cwd: str, body: str) -> str:
    """Run `body` in `cwd`; a missing directory gives the same status and message as LocalTransport.

    Each sh words its own `cd` failure differently (dash: "can't cd to"), so the check is explicit.
    """
    q = shlex.quote(cwd)
    missing = f"printf 'cd: %s: No such file or directory\\n' {q} >&2; exit {MISSING_CWD_STATUS}"
    return f"if [ -d {q} ]; then cd -- {q} && {body}; else {missing}; fi"


class BatchParseError(ValueError):
    """The batch output was cut short or garbled (e.g. the connection dropped mid-way)."""


def parse_output(commands: Sequence[Command], output: bytes, marker: str) -> list[CommandResult]:
    results: list[CommandResult] = []
    pos = 0
    mark = marker.encode()
    for i, cmd in enumerate(commands):
        start = output.find(mark, pos)
        if start < 0:
            raise BatchParseError(f"output ended before command {i + 1} of {len(commands)}")
        end = output.find(b"\n", start)
        if end < 0:
            raise BatchParseError(f"truncated header for command {i + 1}")
        fields = output[start:end].split()
        try:
            index, status, out_len, err_len = (int(f) for f in fields[1:5])
        except ValueError:
            raise BatchParseError(f"bad header for command {i + 1}: {output[start:end]!r}") from None
        if index != i:
            raise BatchParseError(f"expected command {i}, got {index}")
        body = end + 1
        stdout = output[body : body + out_len]
        stderr = output[body + out_len : body + out_len + err_len]
        if len(stdout) + len(stderr) != out_len + err_len:
            raise BatchParseError(f"output of command {i + 1} was cut short")
        pos = body + out_len + err_len
        results.append(CommandResult(cmd, status, stdout, stderr))
    return results
