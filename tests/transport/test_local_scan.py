"""A local batch scans each checkout's driver keys once, before its git commands run, and every git
command of the batch still runs with the scanned keys overridden (real git, a PATH wrapper that logs
each git process)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from driftctl.models import Command
from driftctl.transport.local import LocalTransport
from tests.fixtures.gitrepos import init_repo


def _logging_git(folder: Path, log: Path) -> None:
    """`git` on PATH that appends its arguments to `log`, then runs the real git."""
    folder.mkdir()
    real = shutil.which("git")
    (folder / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> \'{log}\'\nexec \'{real}\' "$@"\n')
    (folder / "git").chmod(0o755)


def test_one_scan_per_checkout_per_batch_and_the_filter_never_runs(tmp_path, monkeypatch):
    marker = tmp_path / "filter-ran"
    repos = []
    for name in ("one", "two"):
        repo = init_repo(tmp_path / name)
        repo.commit({"a.txt": "tracked\n"})
        repo.git("config", "filter.evil.clean", f"touch '{marker}'; cat")
        repo.git("config", "filter.evil.required", "true")
        (repo.path / ".gitattributes").write_text("*.txt filter=evil\n")
        (repo.path / "a.txt").write_text("changed\n")  # status and diff must read it through the filter
        repos.append(repo)
    log = tmp_path / "git.log"
    _logging_git(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    local = LocalTransport("dev", root=str(tmp_path), command_timeout=30)
    commands = [Command(("git", *args), cwd=str(repo.path))
                for repo in repos for args in (("status", "--porcelain"), ("diff", "--stat"), ("ls-files", "-m"))]

    results = local.run_batch(commands)

    assert [r.exit_status for r in results] == [0] * 6
    assert [r.stdout.decode().strip() for r in results[2::3]] == ["a.txt", "a.txt"]  # the change is seen
    assert not marker.exists()  # every command ran with filter.evil overridden
    lines = log.read_text().splitlines()
    assert sum("--show-scope" in line for line in lines) == 2  # one scan per checkout, not one per command
    assert sum("filter.evil.clean=" in line for line in lines) == 6


def test_a_batch_of_one_and_a_lone_run_still_scan(tmp_path):
    marker = tmp_path / "filter-ran"
    repo = init_repo(tmp_path / "one")
    repo.commit({"a.txt": "tracked\n"})
    repo.git("config", "filter.evil.clean", f"touch '{marker}'; cat")
    (repo.path / ".gitattributes").write_text("*.txt filter=evil\n")
    (repo.path / "a.txt").write_text("changed\n")
    local = LocalTransport("dev", root=str(tmp_path), command_timeout=30)
    assert local.run(Command(("git", "diff", "--stat"), cwd=str(repo.path))).exit_status == 0
    assert local.run_batch([Command(("git", "status", "--porcelain"), cwd=str(repo.path))])[0].exit_status == 0
    assert not marker.exists()
