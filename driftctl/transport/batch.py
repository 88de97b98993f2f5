"""Pure functions that pack many argv commands into one POSIX sh script and unpack its output.

The script runs each command in a subshell with stdout and stderr captured to files of a private
temporary directory and collects the exit statuses in a variable. At the end it prints one header
`MARK S status...`, the sizes of every captured file (`wc -c`), a second header `MARK D`, and the files
themselves (`cat`). Length-prefixed frames make the split exact for any output (binary, NUL bytes,
lines that look like markers). Every argument is quoted with shlex.quote: no config value reaches the
shell unquoted. Only POSIX sh, mktemp, wc and cat are needed on the target.

Why this shape: what a snapshot costs the target is mostly processes. Each command costs one (its
subshell execs it); driftctl's own `sh -c` scripts (`$0` = `driftctl-...`) cost only that subshell,
which runs the script itself with the batch's variables and functions unset (no second `sh`); the
framing costs two per batch (one `wc`, one `cat`), not three per command.
Git's repository scan (see gitsafe) runs once per checkout and batch. File reads run the read guard
(driftctl.limits) in the batch's own shell, builtins only, and every file it lets through is then read
by ONE `tar -c` for the whole batch (tar records each file's type and size in its own headers, and
never opens a FIFO or follows a symlink it is given): a batch of 20 source files costs one process,
not 20 `head`s. The controller splits the archive back into one result per read (`parse_output`), each
cut at the read's cap. A target without tar or find, a tar that fails outright, and a batch holding
a file larger than a read's cap (tar would copy all of it; `head` stops at the cap) get one `head` per
file, as before.
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
        # The SSH session's loop hands its private folder as $1 (it removes it when the session
        # ends); run on its own (`sh -s`, or that loop without mktemp), the script makes its own.
        'if [ -n "${1-}" ]; then d=$1; else',
        "d=$(mktemp -d 2>/dev/null || mktemp -d -t driftctl) || exit 97",
        # A trap on HUP/INT/TERM that only cleans up would let the script go on without "$d":
        # clean up on EXIT and turn the signals into exits (PIPE: the reader went away, e.g. a
        # transport timeout closed the channel; without the trap the temp dir would be left behind).
        "trap 'rm -rf \"$d\"' EXIT; fi",
        "trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM",
    ]
    git_dirs = list(dict.fromkeys(c.cwd for c in commands if gitsafe.is_git(c.argv)))
    if git_dirs:
        lines.append(gitsafe.shell_prelude(gitsafe.REMOTE))
        lines += [_scan_line(i, cwd) for i, cwd in enumerate(git_dirs)]
    read_roots = list(dict.fromkeys(c.argv[5] for c in commands if _is_read(c)))
    reads = [i for i, c in enumerate(commands) if _is_read(c) and c.argv[5] in read_roots]
    if read_roots:
        lines.append(f"{_CHECK_FUNCTION}() {{\n{_check_script()}}}")
        lines.append("unset CDPATH; _wd=$PWD")  # a relative root must not go through CDPATH
        lines += [_root_line(i, root) for i, root in enumerate(read_roots)]
        lines.append(f': >"$d/{_READS_MANIFEST}"')
    hidden = _batch_names(commands, git_dirs, read_roots, reads)
    for i, cmd in enumerate(commands):
        if i in reads:
            lines.append(_check_line(i, cmd, read_roots))
            continue
        body = command_body(cmd, git_dirs, hidden)
        lines.append(f'( {body} ) >"$d/{i}" 2>"$d/{i}e" </dev/null; _s{i}=$?')
    if reads:
        lines += _read_lines(reads, commands)
    names = " ".join(output_names(commands))
    statuses = " ".join(f'"$_s{i}"' for i in range(len(commands)))
    lines += [
        f"printf '%s S' {shlex.quote(marker)}; printf ' %s' {statuses}; printf '\\n'",
        f'(cd "$d" && exec wc -c {names})',
        f"printf '%s D\\n' {shlex.quote(marker)}",
        f'(cd "$d" && exec cat {names})',
    ]
    return "\n".join(lines) + "\n"


# The read guard in the batch's own shell: `exit` becomes `return`, and a file it lets through is
# named in `$_ok` instead of being printed by `head` (the batch's one `tar` reads them all).
_CHECK_FUNCTION = "_driftctl_check"
_READS_ARCHIVE, _READS_ERRORS, _READS_MANIFEST = "r", "re", "m"


def _check_script() -> str:
    from driftctl.limits import _READ_SCRIPT

    script = _READ_SCRIPT.replace('exec head -c "$n" -- "$p"', '_ok=$p; return 0')
    script = script.replace("exit 1", "return 1").replace("exit 3", "return 3")
    assert "exit" not in script and "head" not in script, "the read guard changed: update batch._check_script"
    return script


def _check_line(index: int, cmd: Command, read_roots: Sequence[str]) -> str:
    """Check one read (no process unless a symlink needs resolving); remember the file it may read."""
    path, root, size = cmd.argv[4:7]
    call = f'{_CHECK_FUNCTION} {shlex.join([path, root, size])} "$_rt{list(read_roots).index(root)}"'
    return (f'_ok=; {call} >"$d/{index}" 2>"$d/{index}e" </dev/null; _s{index}=$?; '
            f'if [ "$_s{index}" = 0 ]; then _p{index}=$_ok; printf \'%s\\0\' "$_ok" >>"$d/{_READS_MANIFEST}"; fi')


def _read_lines(reads: Sequence[int], commands: Sequence[Command]) -> list[str]:
    """One `tar` for every file the guard let through; without tar (or if it fails outright), one
    `head` per file into that read's own output, with head's status."""
    names = " ".join(f'${{_p{i}+"$_p{i}"}}' for i in reads)
    # tar reads whole files, `head` stops at the read's cap: when any file is larger than the smallest
    # cap (or that cannot be told), every read of the batch takes the `head` route, so a huge file is
    # never copied into the target's temp folder nor sent here. One `find` per batch; the guard's
    # paths are absolute, so none can pass for an option.
    smallest = min(int(commands[i].argv[6]) for i in reads)
    lines = [
        f': >"$d/{_READS_ARCHIVE}"; : >"$d/{_READS_ERRORS}"; _tr=9',
        f"set -- {names}",
        'if [ $# -gt 0 ] && command -v tar >/dev/null 2>&1 && command -v find >/dev/null 2>&1 && '
        f'_big=$(find "$@" -prune -size +{smallest}c -print 2>/dev/null) && [ -z "$_big" ]; then '
        f'tar -cf "$d/{_READS_ARCHIVE}" --no-recursion -- "$@" 2>"$d/{_READS_ERRORS}" </dev/null; _tr=$?; fi',
        f'case $_tr in 0|1) ;; *) : >"$d/{_READS_ARCHIVE}"',
    ]
    for i in reads:
        size = commands[i].argv[6]
        lines.append(f'  if [ -n "${{_p{i}+x}}" ]; then head -c {shlex.quote(size)} -- "$_p{i}" >"$d/{i}" 2>"$d/{i}e" </dev/null; _s{i}=$?; fi')
    lines.append(";; esac")
    return [line for line in lines if line]


def output_names(commands: Sequence[Command]) -> list[str]:
    """The captured files of a batch, in the order their sizes and contents are printed."""
    names = [name for i in range(len(commands)) for name in (str(i), f"{i}e")]
    if any(_is_read(c) for c in commands):
        names += [_READS_ARCHIVE, _READS_ERRORS, _READS_MANIFEST]
    return names


def _is_read(cmd: Command) -> bool:
    """A file read built by `limits.read_file_command` (run as a function, not as `sh -c`)."""
    from driftctl.limits import _READ_SCRIPT

    argv = cmd.argv
    return (len(argv) == 7 and argv[:2] == ("sh", "-c") and argv[2] == _READ_SCRIPT and argv[3] == "driftctl-read"
            and not cmd.env and not cmd.cwd)


def is_own_script(cmd: Command) -> bool:
    """One of driftctl's own fixed `sh -c` scripts (`$0` is `driftctl-...`): the batch runs it in the
    command's subshell (a fork) instead of exec'ing another `sh` (a fork and an exec)."""
    argv = cmd.argv
    return len(argv) >= 4 and argv[:2] == ("sh", "-c") and argv[3].startswith("driftctl-")


def _batch_names(commands: Sequence[Command], git_dirs: Sequence[str | None], read_roots: Sequence[str],
                 reads: Sequence[int]) -> str:
    """`unset` lines for every variable and function the batch's shell defines, so that a script run
    in a subshell of it sees what a fresh `sh -c` would (e.g. the compose collector's variable probe)."""
    import re

    names = ["d", "_wd", "_ok", "_tr", "_big", "_driftctl_keys"]
    names += sorted(set(re.findall(r"(?:^|[\s;(])([A-Za-z_][A-Za-z0-9_]*)=", _check_script())) - set(names))
    names += [f"_s{i}" for i in range(len(commands))] + [f"_p{i}" for i in reads]
    names += [f"_dk{i}" for i in range(len(git_dirs))] + [f"_rt{i}" for i in range(len(read_roots))]
    functions = [_CHECK_FUNCTION, "real", gitsafe.SHELL_FUNCTION, gitsafe.SCAN_FUNCTION]
    return f"unset {' '.join(names)}; unset -f {' '.join(functions)}"


def _scan_line(index: int, cwd: str | None) -> str:
    """The repository's driver keys for `cwd`, listed once for the whole batch (main shell variable)."""
    scan = gitsafe.SCAN_FUNCTION
    if cwd is None:
        return f"_dk{index}=$({scan})"
    return f"_dk{index}=$(cd -- {shlex.quote(cwd)} 2>/dev/null && {scan})"


def _root_line(index: int, root: str) -> str:
    """The checkout root with every symlink resolved, once per batch (empty when it cannot be).

    `cd -P` then `$PWD` in the batch's own shell: no process (`readlink -f` cost one, plus the
    subshell of its `$(...)`); the shell goes back to where it was (`/` if that is gone). A root that
    is not a directory gives an empty value, and then the guard resolves it per read, as before.
    """
    return (f"if cd -P -- {shlex.quote(root)} 2>/dev/null; then _rt{index}=$PWD; else _rt{index}=; fi; "
            'cd -- "$_wd" 2>/dev/null || cd /')


def command_body(cmd: Command, git_dirs: Sequence[str | None] = (), hidden: str = "") -> str:
    """The shell text that runs one command: git through gitsafe's function (no program named by the
    target's repository or its user's config can run), driftctl's own `sh -c` scripts in the
    subshell itself (see `is_own_script`), anything else exec'd, with the command's own environment
    exported. (File reads do not come here: see `_check_line`.)"""
    if gitsafe.is_git(cmd.argv):
        keys = f'{gitsafe.KEYS_VARIABLE}="$_dk{list(git_dirs).index(cmd.cwd)}"; ' if cmd.cwd in git_dirs else ""
        body = keys + shlex.join(gitsafe.shell_words(cmd.argv))
    elif is_own_script(cmd):
        # what a fresh `sh -c SCRIPT NAME ARGS...` would see: none of the batch's variables or
        # functions, the arguments as "$@"; a syntax error ends this subshell only (eval)
        body = f"{hidden or 'unset d'}; set -- {shlex.join(cmd.argv[4:])}; eval {shlex.quote(cmd.argv[2])}"
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
    return f"if [ -d {q} ]; then cd -- {q} && {{ {body}; }}; else {missing}; fi"


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
    names = output_names(commands)
    sizes = _parse_sizes(output[end + 1 : sizes_end + 1], names)
    pos = sizes_end + len(data_mark)
    files: dict[str, bytes] = {}
    for name, size in zip(names, sizes):
        files[name] = output[pos : pos + size]
        if len(files[name]) != size:
            raise BatchParseError(f"output of command {int(name.rstrip('e')) + 1 if name[0].isdigit() else n} was cut short")
        pos += size
    results = [CommandResult(cmd, statuses[i], files[str(i)], files[f"{i}e"]) for i, cmd in enumerate(commands)]
    if files.get(_READS_ARCHIVE):
        _split_reads(results, files[_READS_ARCHIVE], files[_READS_MANIFEST])
    return results


def _split_reads(results: list[CommandResult], archive: bytes, manifest: bytes) -> None:
    """Give each read the guard let through its file from the batch's tar archive, cut at its cap.

    The manifest names the files in the order the reads passed the guard, as tar archived them (tar
    strips the leading `/`). A file tar did not archive (gone meanwhile) reads as missing; anything
    but a regular file (swapped in after the check) is refused, as the guard refuses it.
    """
    import io
    import tarfile

    wanted = [p for p in manifest.split(b"\0")[:-1]]
    members: list[tuple[bytes, bool, str, bytes]] = []  # (name, regular, kind, data)
    regular: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:", encoding="utf-8", errors="surrogateescape") as tar:
            for member in tar:
                data, is_file = b"", member.isreg()
                if is_file:
                    handle = tar.extractfile(member)
                    data = regular[member.name] = handle.read() if handle else b""
                elif member.islnk() and member.linkname in regular:
                    # the same file again (read twice, or a hard link of one already read): tar
                    # stores it as a link to the first copy
                    data, is_file = regular[member.linkname], True
                kind = "a directory" if member.isdir() else "a FIFO" if member.isfifo() else "not a regular file"
                members.append((member.name.encode("utf-8", "surrogateescape"), is_file, kind, data))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BatchParseError(f"the archive of the files read is unreadable: {exc}") from None
    passed = [i for i, r in enumerate(results) if r.exit_status == 0 and _is_read(r.command)]
    if len(passed) != len(wanted):
        raise BatchParseError(f"{len(wanted)} files named for {len(passed)} reads")
    at = 0
    for index, path in zip(passed, wanted):
        cmd = results[index].command
        cap = int(cmd.argv[6])
        name = path.lstrip(b"/")
        if at < len(members) and members[at][0].rstrip(b"/") == name:
            _, is_file, kind, data = members[at]
            at += 1
            if is_file:
                results[index] = CommandResult(cmd, 0, data[:cap], b"")
            else:
                results[index] = CommandResult(cmd, 3, b"", f"refused: is {kind}; only regular files are read\n".encode())
        else:  # not archived: gone between the check and tar
            shown = cmd.argv[4].encode("utf-8", "surrogateescape")
            results[index] = CommandResult(cmd, 1, b"", shown + b": No such file or directory\n")


def _parse_sizes(text: bytes, expected: list[str]) -> list[int]:
    """`wc -c 0 0e 1 1e ...` -> the sizes of the `expected` files in that order (its `total` line ignored)."""
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
