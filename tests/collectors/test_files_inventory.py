"""The files collector's inventory command: types, hashes and sizes of a chunk of paths in one command.

Runs the real command with /bin/sh over real files (FIFOs, symlinks, odd names); no SSH needed: the
same argv goes into an SSH batch."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from driftctl.collectors.files import Inventory, inventory_command, parse_inventory


def run(root: Path, paths: list[str]) -> Inventory:
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
    kinds, hashes, sizes, targets = run(root, paths)
    assert kinds == {**{n: "f" for n in names}, "link": "l", "dir": "d", "fifo": "p", "gone": "m"}
    assert hashes == {n: hashlib.sha256(d).hexdigest() for n, d in names.items()}
    assert sizes == {n: len(d) for n, d in names.items()}
    assert targets == {"link": str(outside)}  # where it points, never followed: `outside` is not hashed


def test_symlink_targets_are_read_whatever_they_point_to(tmp_path: Path) -> None:
    (tmp_path / "rel").symlink_to("config/app.yml")
    (tmp_path / "dangling").symlink_to("/nowhere/at all")
    (tmp_path / "-dash").symlink_to("-odd target")
    (tmp_path / "loop").symlink_to("loop")
    got = run(tmp_path, ["rel", "dangling", "-dash", "loop", "after"])
    assert got.kinds == {"rel": "l", "dangling": "l", "-dash": "l", "loop": "l", "after": "m"}
    assert got.targets == {"rel": "config/app.yml", "dangling": "/nowhere/at all", "-dash": "-odd target",
                           "loop": "loop"}
    assert got.hashes == {} and got.sizes == {}


def test_no_regular_file_hashes_nothing(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    assert run(tmp_path, ["fifo", "missing"]) == ({"fifo": "p", "missing": "m"}, {}, {}, {})


def test_output_cut_short_keeps_what_was_typed() -> None:
    assert parse_inventory(b"f\x00a\x00l\x00b") == ({"a": "f"}, {}, {}, {})
    assert parse_inventory(b"f\x00a\x00l\x00b\x00") == ({"a": "f"}, {}, {}, {})  # a link without its target
    assert parse_inventory(b"f\x00a\x00l\x00b\x00t\x00") == ({"a": "f", "b": "l"}, {}, {}, {"b": "t"})
    assert parse_inventory(b"") == ({}, {}, {}, {})
