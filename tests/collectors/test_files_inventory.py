"""The files collector's inventory command: types, hashes and sizes of a chunk of paths in one command.

Runs the real command with /bin/sh over real files (FIFOs, symlinks, odd names); no SSH needed: the
same argv goes into an SSH batch."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from driftctl.collectors.files import inventory_command, parse_inventory


def run(root: Path, paths: list[str]) -> tuple[dict, dict, dict]:
    cmd = inventory_command(str(root), paths)
    proc = subprocess.run(list(cmd.argv), cwd=root, capture_output=True, timeout=60)
    assert proc.returncode in cmd.ok_codes, proc.stderr
    return parse_inventory(proc.stdout)


def test_types_hashes_and_sizes_of_regular_files_only(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("secret\n")
    root = tmp_path / "root"
    root.mkdir()
    names = {"a.txt": b"one\n", "with space.txt": b"", "big": b"x" * 5000, "back\\slash": b"\\"}
    for name, data in names.items():
        (root / name).write_bytes(data)
    (root / "link").symlink_to(outside)
    (root / "dir").mkdir()
    os.mkfifo(root / "fifo")
    paths = [*names, "link", "dir", "fifo", "gone"]
    kinds, hashes, sizes = run(root, paths)
    assert kinds == {**{n: "f" for n in names}, "link": "l", "dir": "d", "fifo": "p", "gone": "m"}
    assert hashes == {n: hashlib.sha256(d).hexdigest() for n, d in names.items()}
    assert sizes == {n: len(d) for n, d in names.items()}


def test_no_regular_file_hashes_nothing(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    assert run(tmp_path, ["fifo", "missing"]) == ({"fifo": "p", "missing": "m"}, {}, {})


def test_output_cut_short_keeps_what_was_typed() -> None:
    assert parse_inventory(b"f\x00a\x00l\x00b") == ({"a": "f"}, {}, {})
    assert parse_inventory(b"") == ({}, {}, {})
