"""The batch's framing: one `tar` of every captured output and of the files read, parsed by
`batch.tar_members` (not `tarfile`: a tenth of its CPU); `wc -c` + `cat` where the target has no tar.
Real /bin/sh, GNU tar and busybox tar: every route must give the same results."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from driftctl.limits import read_file_command
from driftctl.models import Command
from driftctl.transport.batch import BatchParseError, build_script, output_names, parse_output, tar_members

MARK = "@@DRIFTCTL-00aa11bb22cc33dd@@"
TOOLS = ("sh", "mktemp", "rm", "wc", "cat", "head", "readlink", "find", "printf")
LONG = "d" * 60 + "/" + "f" * 80 + ".py"  # over tar's 100-byte name field


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / ("d" * 60)).mkdir(parents=True)
    (root / LONG).write_text("long name\n")
    (root / "caf\xe9.py".encode("latin-1").decode("utf-8", "surrogateescape")).write_bytes(b"latin-1 name\n")
    (root / "bin.dat").write_bytes(bytes(range(256)) * 3)
    (root / "empty").write_bytes(b"")
    return root


def commands(root: Path) -> list[Command]:
    reads = [read_file_command(f"{root}/{rel}", str(root), 1000) for rel in
             (LONG, "caf\xe9.py".encode("latin-1").decode("utf-8", "surrogateescape"), "bin.dat", "empty", "missing")]
    return [Command(("printf", "%s\\n", "out")), Command(("sh", "-c", "echo err >&2; exit 3")), *reads,
            Command(("printf", "%b", "\\0\\377" * 700)), Command(("sh", "-c", "printf 'x%.0s' $(seq 600)", "driftctl-own"))]


def run(cmds: list[Command], bin_dir: Path | None = None) -> tuple[bytes, list]:
    env = dict(os.environ, PATH=str(bin_dir)) if bin_dir else None
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(cmds, MARK).encode("utf-8", "surrogateescape"),
                          capture_output=True, timeout=60, env=env)
    assert proc.returncode in (0, 2), proc.stderr  # 2: tar's status when a file named to it is gone
    return proc.stdout, parse_output(cmds, proc.stdout, MARK)


def tools(tmp_path: Path, name: str, tar: str | None) -> Path:
    bin_dir = tmp_path / name
    bin_dir.mkdir()
    for tool in (*TOOLS, "seq"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    if tar == "busybox":
        (bin_dir / "tar").write_text(f'#!/bin/sh\nexec {shutil.which("busybox")} tar "$@"\n')
        (bin_dir / "tar").chmod(0o755)
    elif tar:
        (bin_dir / "tar").symlink_to(shutil.which(tar) or tar)
    return bin_dir


def test_gnu_tar_busybox_tar_and_no_tar_give_the_same_results(tree: Path, tmp_path: Path) -> None:
    cmds = commands(tree)
    gnu_raw, gnu = run(cmds, tools(tmp_path, "gnu", "tar"))
    busybox_raw, busybox = run(cmds, tools(tmp_path, "busybox", "busybox"))
    _, plain = run(cmds, tools(tmp_path, "none", None))
    assert f"{MARK} T 4\n".encode() in gnu_raw and f"{MARK} T 4\n".encode() in busybox_raw  # 4 files read by tar
    for results in (busybox, plain):
        assert [(r.exit_status, r.stdout, r.stderr) for r in results] == [(r.exit_status, r.stdout, r.stderr) for r in gnu]
    out, err, long, latin, binary, empty, missing, nul, own = gnu
    assert (out.stdout, err.exit_status, err.stderr) == (b"out\n", 3, b"err\n")
    assert long.stdout == b"long name\n" and latin.stdout == b"latin-1 name\n"
    assert binary.stdout == bytes(range(256)) * 3 and empty.exit_status == 0 and empty.stdout == b""
    assert missing.exit_status == 1 and nul.stdout == b"\0\377" * 700 and own.stdout == b"x" * 600


def test_members_of_pax_and_gnu_archives() -> None:
    names = ["0", "0e", "a/" + "n" * 120, "caf\xe9/\u00fc.txt"]
    for fmt in (tarfile.PAX_FORMAT, tarfile.GNU_FORMAT):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
            for i, name in enumerate(names):
                info = tarfile.TarInfo(name)
                info.size = i * 300
                tar.addfile(info, io.BytesIO(bytes([i]) * info.size))
            link = tarfile.TarInfo("l" * 110)
            link.type, link.linkname = tarfile.LNKTYPE, "k" * 120
            tar.addfile(link)
        members = tar_members(b"junk before" + buf.getvalue(), len(b"junk before"))
        assert [m.name.decode() for m in members] == [*names, "l" * 110], fmt
        assert [m.data for m in members[:4]] == [bytes([i]) * (i * 300) for i in range(4)]
        assert members[4].kind == b"1" and members[4].linkname == b"k" * 120 and not members[4].regular


def test_a_damaged_or_cut_archive_is_a_parse_error() -> None:
    cmds = [Command(("echo", "a")), Command(("echo", "b"))]
    raw, _ = run(cmds)
    at = raw.index(f"{MARK} T 0\n".encode()) + len(f"{MARK} T 0\n")
    damaged = raw[:at + 10] + b"X" + raw[at + 11:]  # inside the first header: its checksum no longer holds
    with pytest.raises(BatchParseError, match="checksum"):
        parse_output(cmds, damaged, MARK)
    with pytest.raises(BatchParseError, match="cut short"):
        parse_output(cmds, raw[:at + 512 * 5], MARK)  # ends inside the second command's outputs
    assert len(output_names(cmds)) == 4
