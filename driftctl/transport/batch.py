"""Pure functions that pack many argv commands into one POSIX sh script and unpack its output.

The script runs each command in a subshell with stdout and stderr captured to files of a private
folder (the SSH session's, handed as $1, or its own from mktemp) and collects the exit statuses in a
variable. At the end it prints one header `MARK S status...`, then `MARK T N` and ONE `tar` archive
of every captured file (tar's headers carry each file's size) followed by the N files read; a
target without tar gets `MARK D`-framed `wc -c` sizes and `cat` instead. Either framing splits
exactly for any output (binary, NUL bytes, lines that look like markers). Every argument is quoted
with shlex.quote: no config value reaches the shell unquoted. Only POSIX sh, mktemp, wc and cat are
needed on the target; tar and find are used where they are.

Why this shape: what a snapshot costs the target is mostly processes (each start costs about a
millisecond of CPU here, most of it in the kernel and the dynamic loader; the shell's own work is a
few percent). Each command costs one (its subshell execs it); driftctl's own `sh -c` scripts (`$0` =
`driftctl-...`) cost only that subshell, which runs the script itself with the batch's variables and
functions unset (no second `sh`); the framing costs one `tar` per batch. Git's repository scan (see
gitsafe) runs once per checkout and batch. File reads run the read guard (driftctl.limits) in the
batch's own shell, builtins only, and every file it lets through goes into the framing `tar` (tar
records each file's type and size in its own headers, and never opens a FIFO or follows a symlink it
is given): a batch of 20 source files costs no process of its own. The controller splits the archive
(`tar_members`, `parse_output`) back into one result per command and per read, each read cut at its
cap. A target without tar or find, and a batch holding a file larger than a read's cap (tar would
copy all of it; `head` stops at the cap), get one `head` per file, as before.
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

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
        lines.append(_command_line(i, cmd, git_dirs, hidden))
    lines += _read_lines(reads, commands) if reads else ["set --"]
    names = " ".join(output_names(commands))
    statuses = " ".join(f'"$_s{i}"' for i in range(len(commands)))
    mark = shlex.quote(marker)
    lines += [
        f"printf '%s S' {mark}; printf ' %s' {statuses}; printf '\\n'",
        # one `tar` frames every captured output (sizes in its headers) and carries the files read
        # ("$@"); without tar, `wc -c` gives the sizes and `cat` the bytes (the reads went by `head`)
        "if command -v tar >/dev/null 2>&1; then",
        f"printf '%s T %s\\n' {mark} \"$#\"",
        f'cd "$d" && tar -cf - --no-recursion -- {names} "$@" 2>/dev/null </dev/null',
        "else",
        f'(cd "$d" && exec wc -c {names})',
        f"printf '%s D\\n' {mark}",
        f'(cd "$d" && exec cat {names})',
        "fi",
    ]
    return "\n".join(lines) + "\n"


# The read guard in the batch's own shell: `exit` becomes `return`, and a file it lets through is
# named in `$_ok` instead of being printed by `head` (the batch's one `tar` reads them all).
_CHECK_FUNCTION = "_driftctl_check"
_READS_MANIFEST = "m"


def _command_line(index: int, cmd: Command, git_dirs: Sequence[str | None], hidden: str) -> str:
    """Run one command in a subshell, its output and status kept under its index. A command with a
    skip test is first tested in the batch's own shell, on its checkout's `.git` by absolute path: a
    command not started costs no subshell either (its answer: exit 0, no output)."""
    if cmd.skip_when and (cmd.cwd is None or cmd.cwd.startswith("/")):
        body = command_body(replace(cmd, skip_when=None), git_dirs, hidden)
        git_dir = shlex.quote(cmd.cwd.rstrip("/") + "/.git") if cmd.cwd else ".git"
        return (f'_g={git_dir}; if {SKIP_TESTS[cmd.skip_when]}; then : >"$d/{index}"; : >"$d/{index}e"; _s{index}=0; '
                f'else ( {body} ) >"$d/{index}" 2>"$d/{index}e" </dev/null; _s{index}=$?; fi')
    return f'( {command_body(cmd, git_dirs, hidden)} ) >"$d/{index}" 2>"$d/{index}e" </dev/null; _s{index}=$?'


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
    """Leave in "$@" the files the guard let through, for the batch's framing `tar` to carry; without
    tar or find, one `head` per file into that read's own output, with head's status, and "$@" empty."""
    names = " ".join(f'${{_p{i}+"$_p{i}"}}' for i in reads)
    # tar reads whole files, `head` stops at the read's cap: when any file is larger than the smallest
    # cap (or that cannot be told), every read of the batch takes the `head` route, so a huge file is
    # never copied nor sent here. One `find` per batch; the guard's paths are absolute, so none can
    # pass for an option.
    smallest = min(int(commands[i].argv[6]) for i in reads)
    lines = [
        f"set -- {names}",
        'if [ $# -gt 0 ] && command -v tar >/dev/null 2>&1 && command -v find >/dev/null 2>&1 && '
        f'find "$@" -prune -size +{smallest}c -print >"$d/b" 2>/dev/null </dev/null && [ ! -s "$d/b" ]; then :; else',
    ]
    for i in reads:
        size = commands[i].argv[6]
        lines.append(f'  if [ -n "${{_p{i}+x}}" ]; then head -c {shlex.quote(size)} -- "$_p{i}" >"$d/{i}" 2>"$d/{i}e" </dev/null; _s{i}=$?; fi')
    lines.append("set --; fi")
    return lines


def output_names(commands: Sequence[Command]) -> list[str]:
    """The captured files of a batch, in the order their sizes and contents are printed."""
    names = [name for i in range(len(commands)) for name in (str(i), f"{i}e")]
    if any(_is_read(c) for c in commands):
        names.append(_READS_MANIFEST)
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


# The SSH session loop's variables (transport.ssh.REMOTE_COMMAND), seen by a batch it runs in a subshell.
LOOP_NAMES = ("D", "g", "s", "n", "m", "p", "w", "r", "b", "e", "f", "t", "_")


def _batch_names(commands: Sequence[Command], git_dirs: Sequence[str | None], read_roots: Sequence[str],
                 reads: Sequence[int]) -> str:
    """`unset` lines for every variable and function the batch's shell defines, so that a script run
    in a subshell of it sees what a fresh `sh -c` would (e.g. the compose collector's variable probe)."""
    import re

    names = ["d", "_wd", "_ok", "_driftctl_keys", *LOOP_NAMES, *SKIP_NAMES]
    names += sorted(set(re.findall(r"(?:^|[\s;(])([A-Za-z_][A-Za-z0-9_]*)=", _check_script())) - set(names))
    names += [f"_s{i}" for i in range(len(commands))] + [f"_p{i}" for i in reads]
    names += [f"_dk{i}" for i in range(len(git_dirs))] + [f"_rt{i}" for i in range(len(read_roots))]
    functions = [_CHECK_FUNCTION, "real", gitsafe.SHELL_FUNCTION, gitsafe.SCAN_FUNCTION, gitsafe.CONFIG_FUNCTION]
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


def _no_entries(*folders: str) -> str:
    """A test: no entry (but dot-files, which git skips) in these folders of "$_g" (or no folder)."""
    patterns = " ".join(f'"$_g"/{f}/*' for f in folders)
    return (f'set +f && _e=1 && for _f in {patterns}; do if [ -e "$_f" ] || [ -L "$_f" ]; then _e=; break; fi; done && '
            '[ -n "$_e" ]')


PACKED_REFS_LINES_READ = 32

# Conditions (tested with builtins, on the checkout's `.git` named by "$_g") under which a git
# command's answer is known: exit 0 and no output. Each reads only `.git` itself, and only when it is
# the repository's own folder (a linked worktree's `.git` file, `commondir` or reftable: the command
# runs). They run in the batch's own shell (no subshell for a command that is not started): they
# change no option, positional parameter or folder, and the names they set are in SKIP_NAMES.
SKIP_TESTS = {
    # HEAD names a branch: for-each-ref's row for it (marked by %(HEAD)) carries what `git log -1` prints
    "git-head-on-branch": ('[ -f "$_g/HEAD" ] && [ ! -e "$_g/commondir" ] && IFS= read -r _h 2>/dev/null <"$_g/HEAD" && '
                           'case $_h in "ref: refs/heads/"?*) true;; *) false;; esac'),
    # no reflog for refs/stash: `git stash list` prints nothing
    "git-no-stash": ('[ -f "$_g/HEAD" ] && [ -d "$_g/objects" ] && [ ! -e "$_g/commondir" ] && [ ! -e "$_g/reftable" ] && '
                     '[ ! -e "$_g/logs/refs/stash" ]'),
    # no tag at all: `git describe --tags` finds no name (exit 128, which the collector reads as "no
    # tag", as it reads an empty answer). Loose tags are files under refs/tags (git skips dot-files, as
    # `*` does); packed ones are lines of packed-refs, read only when it is short (a `read` takes a
    # system call per byte: a long one is left to git)
    "git-no-tags": (f'{gitsafe.OWN_GIT_DIR} && [ ! -e "$_g/reftable" ] && {_no_entries("refs/tags")} && '
                    'if [ -e "$_g/packed-refs" ] || [ -L "$_g/packed-refs" ]; then '
                    '[ -f "$_g/packed-refs" ] && [ -r "$_g/packed-refs" ] && _n=0 && '
                    'while IFS= read -r _l || [ -n "$_l" ]; do _n=$((_n + 1)); case $_l in *refs/tags/*) _n=99;; esac; '
                    f'[ "$_n" -le {PACKED_REFS_LINES_READ} ] || break; done 2>/dev/null <"$_g/packed-refs" && '
                    f'[ "$_n" -le {PACKED_REFS_LINES_READ} ]; fi'),
    # no remote: the only config git reads here (`.git/config`: no global, no system config in a batch)
    # has no `[remote` section and no include (gitsafe's _driftctl_conf), and no legacy remotes/ or
    # branches/ file exists: `git remote -v` prints nothing
    "git-no-remotes": (f'{gitsafe.OWN_GIT_DIR} && {gitsafe.CONFIG_FUNCTION} && [ -z "$_cr" ] && '
                       f'{_no_entries("remotes", "branches")}'),
}
SKIP_NAMES = ("_g", "_h", "_n", "_l", "_e", "_f", "_cd", "_cr")


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
    if cmd.skip_when:  # a relative cwd: tested in the subshell, in that folder
        body = f"_g=.git; if {SKIP_TESTS[cmd.skip_when]}; then exit 0; fi; {body}"
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
    """Split the script's output: statuses, then the captured files in order, framed either by one
    tar archive (which also carries the files read) or by `wc -c` sizes followed by the bytes."""
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
    names = output_names(commands)
    archived = mark + b" T "
    if output.startswith(archived, end + 1):
        line_end = output.find(b"\n", end + 1)
        count = output[end + 1 + len(archived) : line_end]
        if line_end < 0 or not count.isdigit():
            raise BatchParseError("truncated archive header")
        members = tar_members(output, line_end + 1)
        if len(members) < len(names):
            raise BatchParseError(f"output of command {_command_of(names[len(members)], n)} was cut short")
        files: dict[str, bytes] = {}
        for name, member in zip(names, members):
            if member.name != name.encode() or not member.regular:
                raise BatchParseError(f"unexpected member {member.name[:100]!r} in the archive, for {name}")
            files[name] = member.data
        reads = members[len(names):]
    else:
        files, reads = _sized_files(output, end, mark, names, n), []
    results = [CommandResult(cmd, statuses[i], files[str(i)], files[f"{i}e"]) for i, cmd in enumerate(commands)]
    if output.startswith(archived, end + 1) and int(count):
        _split_reads(results, reads, files[_READS_MANIFEST])
    return results


def _command_of(name: str, n: int) -> int:
    return int(name.rstrip("e")) + 1 if name[0].isdigit() else n


def _sized_files(output: bytes, end: int, mark: bytes, names: list[str], n: int) -> dict[str, bytes]:
    """The `wc -c` framing (targets without tar): sizes, a `MARK D` line, the files' bytes."""
    data_mark = b"\n" + mark + b" D\n"
    sizes_end = output.find(data_mark, end)
    if sizes_end < 0:
        raise BatchParseError("output ended before the captured output")
    sizes = _parse_sizes(output[end + 1 : sizes_end + 1], names)
    pos = sizes_end + len(data_mark)
    files: dict[str, bytes] = {}
    for name, size in zip(names, sizes):
        files[name] = output[pos : pos + size]
        if len(files[name]) != size:
            raise BatchParseError(f"output of command {_command_of(name, n)} was cut short")
        pos += size
    return files


class TarMember(NamedTuple):
    name: bytes  # as archived (tar strips a leading `/`)
    kind: bytes  # the type flag: b"0" file, b"1" hard link, b"5" directory, b"6" FIFO, ...
    data: bytes
    linkname: bytes

    @property
    def regular(self) -> bool:
        return self.kind in (b"0", b"\0", b"7")


_BLOCK = 512


def tar_members(data: bytes, pos: int = 0) -> list[TarMember]:
    """The members of the tar archive starting at `pos` (GNU, ustar and pax headers, as GNU tar,
    busybox and bsdtar write them), read straight from the bytes: `tarfile` costs ~5 ms per batch of
    60 outputs, this a tenth of it. A bad checksum or data cut short raises BatchParseError."""
    members: list[TarMember] = []
    long_name = long_link = None
    pax: dict[bytes, bytes] = {}
    while pos + _BLOCK <= len(data):
        header = data[pos : pos + _BLOCK]
        if header == b"\0" * _BLOCK:
            return members
        if _number(header[148:156]) not in _checksums(header):
            raise BatchParseError(f"bad tar header checksum at byte {pos}")
        size = _number(header[124:136])
        kind = header[156:157]
        body = data[pos + _BLOCK : pos + _BLOCK + size]
        if len(body) != size:
            raise BatchParseError("the archive was cut short")
        pos += _BLOCK + -(-size // _BLOCK) * _BLOCK
        if kind == b"L":
            long_name = body.rstrip(b"\0")
        elif kind == b"K":
            long_link = body.rstrip(b"\0")
        elif kind == b"x":
            pax = _pax_records(body)
        elif kind != b"g":
            name = header[:100].split(b"\0", 1)[0]
            if header[257:263] == b"ustar\0" and header[345] != 0:
                name = header[345:500].split(b"\0", 1)[0] + b"/" + name
            link = header[157:257].split(b"\0", 1)[0]
            members.append(TarMember(pax.get(b"path", long_name or name), kind, body,
                                     pax.get(b"linkpath", long_link or link)))
            long_name = long_link = None
            pax = {}
    return members  # no end-of-archive blocks: what follows was cut (the caller checks the count)


def _number(field: bytes) -> int:
    if field[:1] and field[0] & 0x80:  # GNU base-256 (sizes of 8 GiB and more)
        return int.from_bytes(field[1:], "big")
    digits = field.split(b"\0", 1)[0].strip()
    try:
        return int(digits, 8) if digits else 0
    except ValueError:
        raise BatchParseError(f"bad number in a tar header: {field!r}") from None


def _checksums(header: bytes) -> tuple[int, int]:
    """The header's sum with its checksum field as spaces, as unsigned and as signed bytes (old tars)."""
    unsigned = sum(header[:148]) + 8 * 32 + sum(header[156:])
    high = len(header[:148].translate(None, _ASCII)) + len(header[156:].translate(None, _ASCII))  # bytes > 127
    return unsigned, unsigned - 256 * high


_ASCII = bytes(range(128))


def _pax_records(body: bytes) -> dict[bytes, bytes]:
    """`LEN key=value\n` records of a pax extended header (path, linkpath: what is read here)."""
    records: dict[bytes, bytes] = {}
    at = 0
    while at < len(body):
        space = body.find(b" ", at)
        length = int(body[at:space]) if space > at and body[at:space].isdigit() else 0
        if length <= 0:
            break
        key, _, value = body[space + 1 : at + length - 1].partition(b"=")
        records[key] = value
        at += length
    return records


def _split_reads(results: list[CommandResult], members: list[TarMember], manifest: bytes) -> None:
    """Give each read the guard let through its file from the batch's tar archive, cut at its cap.

    The manifest names the files in the order the reads passed the guard, as tar archived them (tar
    strips the leading `/`). A file tar did not archive (gone meanwhile) reads as missing; anything
    but a regular file (swapped in after the check) is refused, as the guard refuses it.
    """
    wanted = [p for p in manifest.split(b"\0")[:-1]]
    regular: dict[bytes, bytes] = {}
    found: list[tuple[bytes, bool, str, bytes]] = []  # (name, regular, kind, data)
    for member in members:
        data, is_file = b"", member.regular
        if is_file:
            data = regular[member.name] = member.data
        elif member.kind == b"1" and member.linkname in regular:
            # the same file again (read twice, or a hard link of one already read): tar stores it
            # as a link to the first copy
            data, is_file = regular[member.linkname], True
        kind = "a directory" if member.kind == b"5" else "a FIFO" if member.kind == b"6" else "not a regular file"
        found.append((member.name, is_file, kind, data))
    passed = [i for i, r in enumerate(results) if r.exit_status == 0 and _is_read(r.command)]
    if len(passed) != len(wanted):
        raise BatchParseError(f"{len(wanted)} files named for {len(passed)} reads")
    at = 0
    for index, path in zip(passed, wanted):
        cmd = results[index].command
        cap = int(cmd.argv[6])
        name = path.lstrip(b"/")
        if at < len(found) and found[at][0].rstrip(b"/") == name:
            _, is_file, kind, data = found[at]
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
