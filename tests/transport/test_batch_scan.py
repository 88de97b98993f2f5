"""The batch's git driver-key scan finds the submodules' configs in the common git dir: `.git`
itself where git takes it as the repository (no `git rev-parse` started), else where `git rev-parse
--git-common-dir` says (a `.git` git rejects sends git, and so the scan, to the repository above).
Real git, real /bin/sh; a submodule's filter that would leave a marker must never run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from driftctl.models import Command
from driftctl.transport.batch import build_script, parse_output
from tests.security.hostile_git import _submodule, git

MARK = "@@DRIFTCTL-5c4a1ab2c3d4e5f6@@"


def logged_git(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A PATH whose `git` logs its arguments, then runs the real one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    (bin_dir / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\nexec {real} "$@"\n')
    (bin_dir / "git").chmod(0o755)
    return dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}"), log


def status(cwd: Path, env: dict[str, str]):
    cmds = [Command(("git", "--no-optional-locks", "status", "--porcelain"), cwd=str(cwd))]
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(cmds, MARK).encode(), capture_output=True, env=env,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    [result] = parse_output(cmds, proc.stdout, MARK)
    return result


def repo_with_evil_submodule(path: Path, marker: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "README").write_text("x\n")
    git(path, "add", "README")
    git(path, "commit", "-qm", "init")
    _submodule(path, marker)
    subprocess.run(["git", "status"], cwd=path, capture_output=True, check=True)  # plain git runs the filter:
    assert marker.exists()  # the case is live
    marker.unlink()
    return path


def test_the_checkouts_own_git_dir_needs_no_rev_parse(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo = repo_with_evil_submodule(tmp_path / "repo", marker)
    env, log = logged_git(tmp_path)
    result = status(repo, env)
    assert result.exit_status == 0 and not marker.exists()
    assert "rev-parse" not in log.read_text()


def test_a_git_dir_git_rejects_sends_the_scan_where_git_goes(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    parent = repo_with_evil_submodule(tmp_path / "parent", marker)
    app = parent / "app"
    (app / ".git" / "objects").mkdir(parents=True)
    (app / ".git" / "refs").mkdir()
    (app / ".git" / "HEAD").write_text("not a ref\n")  # git takes no repository here: it goes to parent
    lib = parent / "vendor" / "lib.txt"  # stat-dirty again for the child git in the submodule
    os.utime(lib, ns=(lib.stat().st_atime_ns, lib.stat().st_mtime_ns + 2_000_000_000))
    subprocess.run(["git", "status"], cwd=app, capture_output=True, check=True)
    assert marker.exists()  # from app/, plain git runs the parent's submodule filter
    marker.unlink()
    os.utime(lib, ns=(lib.stat().st_atime_ns, lib.stat().st_mtime_ns + 2_000_000_000))
    env, log = logged_git(tmp_path)
    result = status(app, env)
    assert result.exit_status == 0 and not marker.exists()
    assert "rev-parse --git-common-dir" in log.read_text()
