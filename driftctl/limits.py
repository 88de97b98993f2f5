"""Limits where input enters: one guard for every file driftctl reads, on this machine or on a target.

Why one guard: a config, compose, env, snapshot or plan file may be a FIFO (opening it blocks), a
device (`/dev/zero` never ends), a symlink out of the checkout (`.env -> /etc/shadow`) or simply huge.
Every reader goes through `read_regular` (local files) or `read_file_command` + `read_result`
(files on a target, read by the transport), which
- open nothing but regular files (FIFOs, devices, sockets and directories are reported, never read;
  a local open uses O_NONBLOCK so even a FIFO swapped in at the last moment cannot block),
- read at most a size cap (generous defaults; `DRIFTCTL_MAX_<KIND>_BYTES` overrides, and an
  environment's `max_file_bytes` sets the cap for its files),
- never leave an environment's root (the resolved path must stay inside the checkout).

`excerpt` is the only way an error message quotes input: short, escaped, on one line.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from driftctl.errors import CollectorError, DriftctlError
from driftctl.models import Command

MiB = 1 << 20
DEFAULT_LIMITS = {
    "config": 4 * MiB,  # environments.yaml
    "compose": 16 * MiB,  # compose files and env files read on this machine
    "env": 4 * MiB,
    "snapshot": 256 * MiB,  # file inventories of big checkouts are large
    "plan": 64 * MiB,
    "target": 16 * MiB,  # any file read on a target (compose, env, sources)
    "known_hosts": 16 * MiB,
    "batch": 1024 * MiB,  # everything one SSH batch prints (stdout + stderr)
}
EXCERPT = 40
ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_ENV_NAME = 64
OUTSIDE = "outside the checkout"


def limit(kind: str) -> int:
    """The size cap for `kind`; `DRIFTCTL_MAX_<KIND>_BYTES` (a positive integer) overrides it."""
    raw = os.environ.get(f"DRIFTCTL_MAX_{kind.upper()}_BYTES", "")
    if raw.strip().isdigit() and int(raw) > 0:
        return int(raw)
    return DEFAULT_LIMITS.get(kind, 16 * MiB)


def valid_env_name(name: object) -> bool:
    """Environment names become folder names under reports/: nothing that climbs out or looks like an option."""
    return (isinstance(name, str) and len(name) <= MAX_ENV_NAME and ENV_NAME.fullmatch(name) is not None
            and name not in (".", ".."))


def excerpt(value: object, length: int = EXCERPT, *, quote: bool = True) -> str:
    """`value` as a short, escaped, one-line quote: no newline, NUL or control byte can split a line.

    Non-text values go through reprlib, so even a huge nested structure costs a bounded amount.
    """
    if isinstance(value, bytes):
        text = value[: length * 4].decode("utf-8", "replace")
    elif isinstance(value, str):
        text = value
    else:
        import reprlib

        short = reprlib.Repr()
        short.maxstring = short.maxother = length
        text = short.repr(value)
    cut = text[:length]
    shown = cut.encode("unicode_escape").decode("ascii")
    more = "..." if len(text) > length else ""
    return f'"{shown.replace(chr(34), chr(92) + chr(34))}{more}"' if quote else shown + more


def one_line(message: str, length: int = 400) -> str:
    """A message made safe for one stderr line: control characters escaped, length bounded."""
    text = message if message.isprintable() else "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in message
    )
    return text if len(text) <= length else text[: length - 3] + "..."


def safe_path(path: object) -> str:
    """A path for a message: kept as is unless it holds control characters (then escaped)."""
    text = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    if text.isprintable():
        return text
    return text.encode("unicode_escape").decode("ascii")


def file_kind(mode: int) -> str:
    """A word for what a non-regular file is."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_regular(
    path: str | os.PathLike[str], what: str, error: type[DriftctlError], *, kind: str | None = None,
    root: str | os.PathLike[str] | None = None,
) -> bytes:
    """The bytes of a regular file no larger than the cap for `kind` (default: `what`), or `error`.

    With `root`, a path that resolves outside it (through `..` or a symlink) is refused.
    """
    p = Path(path)
    shown = safe_path(p)
    cap = limit(kind or what)
    if root is not None and not is_within(p, root):
        raise error(f"{shown}: {OUTSIDE}; not read")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise error(f"{shown}: {what} not found") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a UNIX socket
            raise error(f"{shown}: is a socket; only regular files are read") from None
        raise error(f"{shown}: cannot read {what}: {(exc.strerror or 'error').lower()}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{shown}: is {file_kind(st.st_mode)}; only regular files are read")
        if st.st_size > cap:
            raise error(_too_large(shown, what, cap, kind or what))
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = _read_chunk(fd, min(MiB, cap + 1 - total), shown, what, error)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:  # grew while being read
                raise error(_too_large(shown, what, cap, kind or what))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_chunk(fd: int, size: int, shown: str, what: str, error: type[DriftctlError]) -> bytes:
    try:
        return os.read(fd, max(1, size))
    except OSError as exc:
        raise error(f"{shown}: cannot read {what}: {(exc.strerror or 'error').lower()}") from None


def _too_large(shown: str, what: str, cap: int, kind: str) -> str:
    return f"{shown}: {what} is larger than {cap} bytes (raise DRIFTCTL_MAX_{kind.upper()}_BYTES to read it)"


def read_text(
    path: str | os.PathLike[str], what: str, error: type[DriftctlError], *, kind: str | None = None,
    root: str | os.PathLike[str] | None = None,
) -> str:
    """`read_regular` decoded as UTF-8 (a leading BOM dropped); a non-UTF-8 file is one line of error."""
    data = read_regular(path, what, error, kind=kind, root=root)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise error(f"{safe_path(path)}: not a valid {what} (not UTF-8 text at byte {exc.start})") from None


def is_within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether `path`, with every symlink resolved, is `root` or below it."""
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


# --------------------------------------------------------------------------------------------------
# Files on a target: one `sh -c` with a fixed script; the path, root and cap are positional arguments
# (never spliced into the script), so the guard is the same locally and over SSH. Paths with no
# symlink below the root resolve without `readlink` (the resolved root plus the same components); an
# SSH batch runs the script as a function in a subshell and passes the root it resolved once ($4), so
# a file read costs one `head` there.
# --------------------------------------------------------------------------------------------------

REFUSED_STATUS = 3
_READ_SCRIPT = r"""f=$1 root=$2 n=$3
real() { r=$(readlink -f -- "$1" 2>/dev/null && printf x) || r=; case $r in *x) r=${r%?x};; *) r=;; esac; }
if [ ! -e "$f" ] && [ ! -L "$f" ]; then printf '%s: No such file or directory\n' "$f" >&2; exit 1; fi
if [ -n "${4-}" ]; then top=$4; else real "$root"; top=$r; fi
p=
case $f in "$root"/*) if [ -n "$top" ]; then rest=${f#"$root"/}; cur=$root; p=${top%/}
  while :; do
    case $rest in */*) c=${rest%%/*}; rest=${rest#*/};; *) c=$rest; rest=;; esac
    case $c in ''|.|..) p=; break;; esac
    cur=$cur/$c; p=$p/$c
    if [ -L "$cur" ]; then p=; break; fi
    if [ -z "$rest" ]; then break; fi
  done; fi;;
esac
if [ -z "$p" ]; then real "$f"; p=$r; fi
if [ -z "$p" ] || { [ ! -e "$p" ] && [ ! -L "$p" ]; }; then printf '%s: No such file or directory\n' "$f" >&2; exit 1; fi
case $top in /) ;; *) case $p in "$top"|"$top"/*) ;; *) echo 'refused: outside the checkout' >&2; exit 3;; esac;; esac
if [ -f "$p" ]; then exec head -c "$n" -- "$p"; fi
if [ -d "$p" ]; then k='a directory'; elif [ -p "$p" ]; then k='a FIFO'; elif [ -S "$p" ]; then k='a socket'
elif [ -c "$p" ] || [ -b "$p" ]; then k='a device'; else k='not a regular file'; fi
echo "refused: is $k; only regular files are read" >&2; exit 3
"""


def read_file_command(path: str, root: str, cap: int | None = None) -> Command:
    """The command that prints a regular file under `root` on a target, at most `cap` + 1 bytes.

    One more byte than the cap is read so that `read_result` can tell "exactly the cap" from "more".
    """
    size = (cap or limit("target")) + 1
    return Command(("sh", "-c", _READ_SCRIPT, "driftctl-read", path, root, str(size)), ok_codes=(0,))


class FileRefused(CollectorError):
    """A file on a target that is there but is not read (outside the checkout, special, too large)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{safe_path(path)}: {reason}")
        self.path = path
        self.reason = reason


def read_result(stdout: bytes, status: int, stderr: bytes, path: str, cap: int | None = None) -> bytes | None:
    """Bytes of a file read with `read_file_command`; None when missing; FileRefused when refused."""
    size = cap or limit("target")
    if status == 0:
        if len(stdout) > size:
            raise FileRefused(path, f"larger than {size} bytes")
        return stdout
    err = stderr.decode("utf-8", "replace").strip()
    last = err.splitlines()[-1] if err else ""
    if status == REFUSED_STATUS and last.startswith("refused: "):
        return _refused(path, last.removeprefix("refused: "))
    if "no such file" in err.lower() or "not a directory" in err.lower():
        return None
    raise FileRefused(path, f"cannot read: {excerpt(last or f'exit status {status}', 120)}")


def _refused(path: str, reason: str) -> bytes | None:
    raise FileRefused(path, reason)
