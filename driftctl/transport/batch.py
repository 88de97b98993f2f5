"""Pure functions that pack many argv commands into one POSIX sh script and unpack its output.

The script runs each command in a subshell with stdout and stderr captured to files of a private
temporary directory and collects the exit statuses in a variable. At the end it prints one header
`MARK S status...`, the sizes of every captured file (`wc -c`), a second header `MARK D`, and the files
themselves (`cat`). Length-prefixed frames make the split exact for any output (binary, NUL bytes,
lines that look like markers). Every argument is quoted with shlex.quote: no config value reaches the
shell unquoted. Only POSIX sh, mktemp, wc and cat are needed on the target.

Why this shape: what a snapshot costs the target is mostly processes. Each command costs one (its
subshell execs it); the framing costs two per batch (one `wc`, one `cat`), not three per command.
Git's repository scan (see gitsafe) runs once per checkout and batch, and file reads run the read
guard as a shell function with the checkout's resolved root computed once, so a read is one `head`.
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Sequence

from driftctl import gitsafe
from driftctl.models import Command, CommandResult

MISSING_CWD_STATUS = 2
_READ_FUNCTION = "_driftctl_read"


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
        "s=",
    ]
    git_dirs = list(dict.fromkeys(c.cwd for c in commands if gitsafe.is_git(c.argv)))
    if git_dirs:
        lines.append(gitsafe.shell_prelude(gitsafe.REMOTE))
        lines += [_scan_line(i, cwd) for i, cwd in enumerate(git_dirs)]
    read_roots = list(dict.fromkeys(c.argv[5] for c in commands if _is_read(c)))
    if read_roots:
        from driftctl.limits import _READ_SCRIPT

        lines.append(f"{_READ_FUNCTION}() {{\n{_READ_SCRIPT}}}")
        lines += [_root_line(i, root) for i, root in enumerate(read_roots)]
    for i, cmd in enumerate(commands):
        body = command_body(cmd, git_dirs, read_roots)
        lines.append(f'( {body} ) >"$d/{i}" 2>"$d/{i}e" </dev/null; s="$s $?"')
    names = " ".join(f"{i} {i}e" for i in range(len(commands)))
    lines += [
        f"printf '%s S%s\\n' {shlex.quote(marker)} \"$s\"",
        f'(cd "$d" && exec wc -c {names})',
        f"printf '%s D\\n' {shlex.quote(marker)}",
        f'(cd "$d" && exec cat {names})',
    ]
    return "\n".join(lines) + "\n"


def _is_read(cmd: Command) -> bool:
    """A file read built by `limits.read_file_command` (run as a function, not as `sh -c`)."""
    from driftctl.limits import _READ_SCRIPT

    argv = cmd.argv
    return (len(argv) == 7 and argv[:2] == ("sh", "-c") and argv[2] == _READ_SCRIPT and argv[3] == "driftctl-read"
            and not cmd.env and not cmd.cwd)


def _scan_line(index: int, cwd: str | None) -> str:
    """The repository's driver keys for `cwd`, listed once for the whole batch (main shell variable)."""
    scan = gitsafe.SCAN_FUNCTION
    if cwd is None:
        return f"_dk{index}=$({scan})"
    return f"_dk{index}=$(cd -- {shlex.quote(cwd)} 2>/dev/null && {scan})"


def _root_line(index: int, root: str) -> str:
    """The checkout root with every symlink resolved, once per batch (empty when it cannot be)."""
    return (f"_rt{index}=$(readlink -f -- {shlex.quote(root)} 2>/dev/null && printf x) || _rt{index}=; "
            f"case $_rt{index} in *x) _rt{index}=${{_rt{index}%?x}};; *) _rt{index}=;; esac")


def command_body(cmd: Command, git_dirs: Sequence[str | None] = (), read_roots: Sequence[str] = ()) -> str:
    """The shell text that runs one command: git through gitsafe's function (no program named by the
    target's repository or its user's config can run), a file read through the read guard's function,
    with the command's own environment exported."""
    if gitsafe.is_git(cmd.argv):
        keys = f'{gitsafe.KEYS_VARIABLE}="$_dk{list(git_dirs).index(cmd.cwd)}"; ' if cmd.cwd in git_dirs else ""
        body = keys + shlex.join(gitsafe.shell_words(cmd.argv))
    elif _is_read(cmd) and cmd.argv[5] in read_roots:
        path, root, size = cmd.argv[4:7]
        body = f'{_READ_FUNCTION} {shlex.join([path, root, size])} "$_rt{list(read_roots).index(root)}"'
    else:
        body = "exec " + shlex.join(cmd.argv)
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
    """Split the script's output: statuses, then `wc -c` sizes, then the captured files in order."""
    if not commands:
        return []
    n = len(commands)
    mark = marker.encode()
    start = output.find(mark + b" S")
    if start < 0:
        raise BatchParseError(f"output ended before command 1 of {n}")
    end = output.find(b"\n", start)
    if end < 0:
        raise BatchParseError("truncated status header")
    try:
        statuses = [int(f) for f in output[start + len(mark) + 2 : end].split()]
    except ValueError:
        raise BatchParseError(f"bad status header: {output[start:end][:200]!r}") from None
    if len(statuses) != n:
        raise BatchParseError(f"expected {n} exit statuses, got {len(statuses)}")
    data_mark = b"\n" + mark + b" D\n"
    sizes_end = output.find(data_mark, end)
    if sizes_end < 0:
        raise BatchParseError("output ended before the captured output")
    sizes = _parse_sizes(output[end + 1 : sizes_end + 1], n)
    pos = sizes_end + len(data_mark)
    results: list[CommandResult] = []
    for i, cmd in enumerate(commands):
        out_len, err_len = sizes[2 * i], sizes[2 * i + 1]
        stdout = output[pos : pos + out_len]
        stderr = output[pos + out_len : pos + out_len + err_len]
        if len(stdout) + len(stderr) != out_len + err_len:
            raise BatchParseError(f"output of command {i + 1} was cut short")
        pos += out_len + err_len
        results.append(CommandResult(cmd, statuses[i], stdout, stderr))
    return results


def _parse_sizes(text: bytes, n: int) -> list[int]:
    """`wc -c 0 0e 1 1e ...` -> the 2n sizes in that order (its `total` line ignored)."""
    expected = [name for i in range(n) for name in (str(i), f"{i}e")]
    sizes: list[int] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 2 or not fields[0].isdigit():
            raise BatchParseError(f"bad size line: {line[:200]!r}")
        if len(sizes) < len(expected):
            if fields[1].decode("ascii", "replace") != expected[len(sizes)]:
                raise BatchParseError(f"size of {expected[len(sizes)]} missing")
            sizes.append(int(fields[0]))
        elif fields[1] != b"total":
            raise BatchParseError(f"unexpected size line: {line[:200]!r}")
    if len(sizes) != len(expected):
        raise BatchParseError(f"expected {len(expected)} sizes, got {len(sizes)}")
    return sizes
