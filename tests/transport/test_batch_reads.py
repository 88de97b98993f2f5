"""File reads in an SSH batch: the guard runs in the batch's shell and ONE `tar` reads every file it
lets through; the controller splits the archive back into one result per read. Real /bin/sh, real tar
(and the `head` fallback where the target has no tar): the answers must be the stand-alone guard's."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from driftctl.limits import read_file_command, read_result
from driftctl.models import Command
from driftctl.transport.batch import build_script, output_names, parse_output

MARK = "@@DRIFTCTL-0123456789abcdef@@"
TOOLS = ("sh", "mktemp", "rm", "wc", "cat", "head", "readlink")


def run(commands: list[Command], path: str | None = None) -> list:
    env = dict(os.environ, PATH=path) if path else None
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(commands, MARK).encode("utf-8", "surrogateescape"), capture_output=True,
                          timeout=30, env=env)
    assert proc.returncode == 0, proc.stderr
    return parse_output(commands, proc.stdout, MARK)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text("import b\n")
    (root / "src" / "b.py").write_bytes(b"\x00\xff binary \n\x00")
    (root / "src" / "empty.py").write_text("")
    (root / "src" / "big.py").write_text("y" * 5000)
    (root / "src" / "new\nline.py").write_text("odd name\n")
    (root / "src" / "caf\xe9.py".encode("latin-1").decode("utf-8", "surrogateescape")).write_text("latin-1 name\n")
    (root / "src" / "hard.py").hardlink_to(root / "src" / "a.py")
    (root / "link.py").symlink_to(root / "src" / "a.py")
    os.mkfifo(root / "pipe.py")
    return root


NAMES = ["src/a.py", "src/b.py", "src/empty.py", "src/big.py", "src/new\nline.py",
         "src/caf\xe9.py".encode("latin-1").decode("utf-8", "surrogateescape"), "src/hard.py", "link.py",
         "pipe.py", "missing.py", "src/a.py/.."]


def reads(root: Path, cap: int = 100) -> list[Command]:
    return [read_file_command(f"{root}/{rel}", str(root), cap) for rel in NAMES]


def stand_alone(cmd: Command) -> tuple[int, bytes, bytes]:
    alone = subprocess.run(list(cmd.argv), capture_output=True, timeout=30)
    return alone.returncode, alone.stdout, alone.stderr


def test_one_tar_answers_as_the_stand_alone_guard(tree: Path) -> None:
    commands = reads(tree)
    script = build_script(commands, MARK)
    assert script.count("tar -cf") == 1  # every file, one process
    for rel, cmd, got in zip(NAMES, commands, run(commands)):
        status, out, err = stand_alone(cmd)
        assert (got.exit_status, got.stdout) == (status, out), rel
        if status:
            assert got.stderr == err or (b"No such file" in got.stderr and b"No such file" in err), rel
    got = dict(zip(NAMES, run(commands)))
    assert got["src/b.py"].stdout == b"\x00\xff binary \n\x00" and got["src/hard.py"].stdout == b"import b\n"
    assert got["src/big.py"].stdout == b"y" * 101  # cap + 1: the reader tells "over the cap"
    assert got["pipe.py"].exit_status == 3 and b"FIFO" in got["pipe.py"].stderr


def test_without_tar_each_file_is_read_by_head(tree: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    commands = reads(tree)
    with_tar = run(commands)
    without = run(commands, path=str(bin_dir))
    assert [(r.exit_status, r.stdout) for r in without] == [(r.exit_status, r.stdout) for r in with_tar]


def raw_output(commands: list[Command], path: str | None = None) -> bytes:
    env = dict(os.environ, PATH=path) if path else None
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(commands, MARK).encode("utf-8", "surrogateescape"),
                          capture_output=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_file_over_its_cap_is_never_archived_whole(tree: Path) -> None:
    with open(tree / "huge.env", "wb") as fh:
        fh.truncate(8 << 20)  # 8 MiB of zeros, cap 100: tar would copy all of it, head stops at 101 bytes
    commands = [read_file_command(f"{tree}/{rel}", str(tree), 100) for rel in ("src/a.py", "huge.env")]
    output = raw_output(commands)
    assert len(output) < 64 << 10, len(output)  # nothing near 8 MiB was written on the target or sent
    small, huge = parse_output(commands, output, MARK)
    assert small.stdout == b"import b\n" and huge.stdout == b"\0" * 101


def test_small_files_are_read_by_tar_alone(tree: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in (*[t for t in TOOLS if t != "head"], "tar", "find"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    commands = [read_file_command(f"{tree}/{rel}", str(tree), 100) for rel in ("src/a.py", "src/b.py", "src/hard.py")]
    got = run(commands, path=str(bin_dir))  # no head on PATH: only tar can have read them
    assert [r.stdout for r in got] == [b"import b\n", b"\x00\xff binary \n\x00", b"import b\n"]


def archive(*members: tuple[str, bytes | None]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.FIFOTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def frames(commands: list[Command], files: dict[str, bytes], statuses: list[int],
           reads: tuple[tuple[str, bytes | None], ...] = ()) -> bytes:
    """What the batch prints: its status line, then one tar of its captured outputs and the files read."""
    names = output_names(commands)
    named = files.get("m", b"").count(b"\0")  # the files handed to tar: those the guard let through
    head = f"{MARK} S" + "".join(f" {s}" for s in statuses) + f"\n{MARK} T {named}\n"
    return head.encode() + archive(*((n, files.get(n, b"")) for n in names), *reads)


def test_a_file_gone_or_swapped_after_the_check_is_missing_or_refused() -> None:
    """Between the guard and tar a file may vanish (tar skips it) or become a FIFO (tar records it
    without opening it): the reads say so, and the others keep their content."""
    commands = [read_file_command(f"/srv/app/{n}", "/srv/app", 10) for n in ("gone.py", "fifo.py", "ok.py")]
    files = {"m": b"/srv/app/gone.py\0/srv/app/fifo.py\0/srv/app/ok.py\0"}
    members = (("srv/app/fifo.py", None), ("srv/app/ok.py", b"0123456789ABC"))  # gone.py: not archived
    gone, fifo, ok = parse_output(commands, frames(commands, files, [0, 0, 0], members), MARK)
    assert gone.exit_status == 1 and read_result(gone.stdout, gone.exit_status, gone.stderr, "gone.py", 10) is None
    assert fifo.exit_status == 3 and b"FIFO" in fifo.stderr
    assert ok.stdout == b"0123456789A"  # cut at the cap + 1
