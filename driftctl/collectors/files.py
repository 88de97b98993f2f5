"""An inventory of the checkout: every tracked and untracked (not ignored) file with size and sha256,
and which files differ from the checkout's HEAD.

Files that usually hold credentials (`.env*`, keys) get a keyed fingerprint instead of a plain sha256,
so the inventory can be compared across environments without offering a hash to brute-force.
"""

import fnmatch
import hashlib
import io
import os
import posixpath
import re
import tarfile
from typing import Literal, NamedTuple

from typing_extensions import NotRequired, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, CollectorError, require
from driftctl.collectors.git import GitStatus, parse_status_v2, status_command
from driftctl.models import Command
from driftctl.secrets import fingerprint

# --- the data this collector stores in a snapshot -------------------------------------------------
# What the files collector stores: an inventory of the checkout and its uncommitted changes.
# (The differ and planner import these types under TYPE_CHECKING only. No `from __future__ import
# annotations` in this module: NotRequired must be evaluated for `__required_keys__` to be right.)


SpecialType = Literal["symlink", "fifo", "socket", "device", "unreadable"]
Change = Literal["modified", "deleted", "untracked"]


class FileEntry(TypedDict):
    """A regular file has `sha256`, or `fingerprint` when it usually holds credentials; anything
    never opened (a symlink, FIFO, socket, device, or a file it could not read) has `type` and size 0.
    A symlink also has `target`, the path it points to (read with readlink, never followed), so two
    links to different places differ."""

    size: int
    sha256: NotRequired[str]
    fingerprint: NotRequired[str]
    type: NotRequired[SpecialType]
    target: NotRequired[str]


class FilesData(TypedDict):
    git: bool  # the paths come from git (tracked + untracked, not ignored): `changed` is meaningful
    count: int
    total_bytes: int
    files: dict[str, FileEntry]  # path relative to the checkout -> entry
    changed: dict[str, Change]
    unreadable: NotRequired[list[str]]  # only when some files could not be read (snapshot incomplete)


CHUNK = 400  # files per sha256sum/wc command: far below any ARG_MAX
PRUNED_DIRS = (".git", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache", ".tox")
SECRET_FILES = (".env", ".env.*", "*.env", "*.pem", "*.key", "id_rsa*", "id_ed25519*", "id_ecdsa*", "*.p12", "*.pfx",
                "*.jks", "*.keystore", "*.kdbx", ".netrc", ".pgpass", ".npmrc", ".pypirc", ".htpasswd", "*.ovpn")


def is_secret_file(path: str) -> bool:
    """Files whose plain sha256 would let anyone confirm a guessed secret: by kind, or by a name that
    says so (`db_password.txt`, `credentials.json`, `api-token`), as for variables."""
    from driftctl.secrets import is_secret_name

    name = posixpath.basename(path)
    if name.endswith(".example"):
        return False
    return _SECRET_FILE.match(os.path.normcase(name)) is not None or is_secret_name(name.split(".", 1)[0])


# SECRET_FILES as one pattern: what any(fnmatch.fnmatch(name, p) for p in SECRET_FILES) says, in one
# match instead of ~20 per file of every host's inventory
_SECRET_FILE = re.compile("|".join(fnmatch.translate(p) for p in SECRET_FILES))


class FilesCollector(Collector):
    name = "files"
    data_type = FilesData

    def collect(self, ctx: CollectContext) -> CollectGen[FilesData]:
        if ctx.caps.revision:
            archive, = yield [Command(("git", "archive", "--format=tar", ctx.commit or "HEAD"), cwd=ctx.root)]
            if not archive.ok:
                require(archive)
            tree = {p: v for p, v in parse_tar(archive.stdout).items() if not ctx.mine(p)}
            return summarize(tree, None, tracked=True)
        listing, status = yield [
            ctx.git("ls-files", "-z", "--cached", "--others", "--exclude-standard", ok_codes=(0, 128)),
            status_command(ctx),  # the git collector's own: run once for both
        ]
        if listing.ok:
            paths = sorted(set(p for p in listing.text.split("\x00") if p))
            changes: GitStatus | None = _changes(status.text) if status.ok else {"modified": [], "untracked": []}
        else:  # not a git checkout: plain find, pruning the usual heavy folders
            found, = yield [find_command(ctx.root)]
            paths = parse_find(require(found))
            changes = None
        paths = [p for p in paths if not ctx.mine(p)]  # driftctl's own reports, config and log
        if changes:
            changes = {"modified": [p for p in changes["modified"] if not ctx.mine(p)],
                       "untracked": [p for p in changes["untracked"] if not ctx.mine(p)]}
        # one command per chunk: the type of each path, then sha256 and size of the regular ones
        inventories = yield [inventory_command(ctx.root, chunk) for chunk in chunks(paths)]
        kinds: dict[str, str] = {}
        hashes: dict[str, str] = {}
        sizes: dict[str, int] = {}
        targets: dict[str, str] = {}
        for res in inventories:
            if not res.ok:  # cut by its timeout or killed: an inventory of what was typed so far is no inventory
                require(res)
            chunk = parse_inventory(res.stdout)
            kinds.update(chunk.kinds)
            hashes.update(chunk.hashes)
            sizes.update(chunk.sizes)
            targets.update(chunk.targets)
        regular = [p for p in paths if kinds.get(p) == "f"]
        inventory: dict[str, FileEntry] = {
            p: {"size": sizes[p], "sha256": hashes[p]} for p in regular if p in hashes and p in sizes}
        untyped = [p for p in paths if p not in kinds]
        if untyped:  # output cut short: these paths were never looked at, so the inventory is not whole
            raise CollectorError(f"the inventory stopped before {len(untyped)} of {len(paths)} files "
                                 f"(first: {untyped[0]!r})")
        unreadable = sorted(p for p in paths if kinds.get(p) == "u" or (kinds.get(p) == "f" and p not in inventory
                                                                           and p not in (changes or {"modified": []})["modified"]))
        for p in paths:  # never opened: symlinks (not followed, wherever they point), FIFOs, sockets, devices
            if kinds.get(p) in SPECIAL:
                inventory[p] = special_entry(SPECIAL[kinds[p]], targets.get(p))
        for p in unreadable:
            inventory[p] = {"size": 0, "type": "unreadable"}
        out = summarize(inventory, changes, tracked=changes is not None)
        if unreadable:  # the runner marks the snapshot incomplete
            out["unreadable"] = unreadable
        return out


def _changes(text: str) -> GitStatus:
    state = parse_status_v2(text)
    return {"modified": state["modified"], "untracked": state["untracked"]}


SPECIAL: dict[str, SpecialType] = {"l": "symlink", "p": "fifo", "s": "socket", "c": "device"}
# One `sh -c` per chunk: the type of each listed path with builtins only (no fork per file),
# NUL-framed, without following symlinks or opening anything (a symlink's record adds its target, read
# with `readlink`: one process per link, and links are rare in a checkout); then `sha256sum` and `wc -c`
# of the regular files only, so hashing never reads a FIFO, a device or a file outside the checkout
# through a link. Sections are split by NUL (`=` ends the types; neither tool prints a NUL), and the
# whole inventory is one command in one round.
_INVENTORY = (
    "n=$#; for f do if [ -L \"$f\" ]; then t=l; elif [ -f \"$f\" ]; then if [ -r \"$f\" ]; then t=f; else t=u; fi; "
    "elif [ -d \"$f\" ]; then t=d; elif [ -p \"$f\" ]; then t=p; elif [ -S \"$f\" ]; then t=s; "
    "elif [ -e \"$f\" ]; then t=c; else t=m; fi; printf '%s\\0%s\\0' \"$t\" \"$f\"; "
    "if [ $t = l ]; then printf '%s\\0' \"$(readlink -- \"$f\" 2>/dev/null)\"; fi; "
    "if [ $t = f ]; then set -- \"$@\" \"$f\"; fi; done; shift \"$n\"; printf '=\\0'; "
    "if [ $# -gt 0 ]; then sha256sum -- \"$@\"; printf '\\0'; exec wc -c -- \"$@\"; fi; printf '\\0'"
)


def inventory_command(root: str, paths: list[str]) -> Command:
    return Command(("sh", "-c", _INVENTORY, "driftctl-inventory", *paths), cwd=root, ok_codes=(0, 1),
                   label=f"inventory {len(paths)} files")


class Inventory(NamedTuple):
    """One inventory command's output, parsed: every listed path's type letter, and the sha256 and
    size of the regular files, and the target of the symlinks."""

    kinds: dict[str, str]
    hashes: dict[str, str]
    sizes: dict[str, int]
    targets: dict[str, str]


def parse_inventory(data: bytes) -> Inventory:
    """The inventory command's output -> types, sha256 and size by path, symlink targets by path.
    Output cut short keeps the types read so far and hashes nothing."""
    text = lambda b: b.decode("utf-8", errors="replace")  # noqa: E731
    kinds: dict[str, str] = {}
    targets: dict[str, str] = {}
    fields = data.split(b"\x00")
    i = 0
    while i < len(fields) - 1:  # the last field is what follows the final NUL: never a whole record
        kind = text(fields[i])
        if kind == "=":
            rest = b"\x00".join(fields[i + 1:])
            sums, _, counts = rest.partition(b"\x00")
            return Inventory(kinds, parse_sha256sum(text(sums)), parse_wc(text(counts)), targets)
        width = 3 if kind == "l" else 2
        if i + width > len(fields) - 1:
            break
        path = text(fields[i + 1])
        kinds[path] = kind
        if kind == "l":
            targets[path] = text(fields[i + 2])
        i += width
    return Inventory(kinds, {}, {}, targets)


def special_entry(kind: SpecialType, target: str | None = None) -> FileEntry:
    """The entry of a path never opened; a symlink keeps where it points."""
    entry: FileEntry = {"size": 0, "type": kind}
    if kind == "symlink" and target is not None:
        entry["target"] = target
    return entry


def chunks(paths: list[str]) -> list[list[str]]:
    return [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]


def find_command(root: str) -> Command:
    argv: list[str] = ["find", "."]
    for d in PRUNED_DIRS:
        argv += ["-name", d, "-prune", "-o"]
    argv += ["-type", "f", "-print"]
    return Command(tuple(argv), cwd=root)


def parse_find(text: str) -> list[str]:
    return sorted(line[2:] if line.startswith("./") else line for line in text.splitlines() if line)


def parse_sha256sum(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        escaped = line.startswith("\\")
        digest, sep, path = line.lstrip("\\").partition("  ")
        if not sep:
            digest, sep, path = line.lstrip("\\").partition(" *")
        if sep and len(digest) == 64:
            if escaped:
                path = path.replace("\\n", "\n").replace("\\\\", "\\")
            out[path] = digest
    return out


def parse_wc(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    lines = text.splitlines()
    for line in lines:
        count, _, path = line.lstrip(" ").partition(" ")  # the name is kept exactly: spaces at its ends too
        if count.isdigit() and path and not (path == "total" and len(lines) > 1 and line is lines[-1]):
            out[path] = int(count)
    return out


def parse_tar(data: bytes) -> dict[str, FileEntry]:
    """A `git archive` tar stream -> {path: {size, sha256}} (the git environment's files at its ref)."""
    inventory: dict[str, FileEntry] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for member in tar:
            if member.issym():  # a committed symlink: the same entry a checkout's inventory gives
                inventory[member.name] = special_entry("symlink", member.linkname)
                continue
            if not member.isfile():
                continue
            fh = tar.extractfile(member)
            content = fh.read() if fh else b""
            inventory[member.name] = {"size": member.size, "sha256": hashlib.sha256(content).hexdigest()}
    return inventory


def summarize(inventory: dict[str, FileEntry], changes: GitStatus | None, *, tracked: bool) -> FilesData:
    files: dict[str, FileEntry] = {}
    for path, info in sorted(inventory.items()):
        if is_secret_file(path) and "sha256" in info:
            info = {"size": info["size"], "fingerprint": fingerprint("sha256:" + info["sha256"])}
        files[path] = info
    changed: dict[str, Change] = {}
    if changes:
        for p in changes["modified"]:
            changed[p] = "modified" if p in files else "deleted"
        for p in changes["untracked"]:
            changed[p] = "untracked"
    return {
        "git": tracked,
        "count": len(files),
        "total_bytes": sum(f["size"] for f in files.values()),
        "files": files,
        "changed": changed,
    }
