"""Two git commands an SSH batch need not start (batch.SKIP_TESTS, builtins reading `.git` only):
`git log -1` where HEAD names a branch (for-each-ref's row for that branch carries the same facts),
and `git stash list` where refs/stash has no reflog. Real git, real /bin/sh: the collector's facts
must be those of the commands run for real, and the commands must run wherever the test cannot tell."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

from driftctl.collectors.git import REF_FORMAT, STASH_FORMAT, head_command, head_from_refs, parse_head
from driftctl.models import Command
from driftctl.transport.batch import build_script, parse_output

MARK = "@@DRIFTCTL-0a1b2c3d4e5f6a7b@@"
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Ada L", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "c",
       "GIT_COMMITTER_EMAIL": "c@x", "GIT_AUTHOR_DATE": "2024-05-06T07:08:09+02:00"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True).stdout


def commands(repo: Path) -> list[Command]:
    ctx = SimpleNamespace(git=lambda *a, ok_codes=(0,): Command(("git", "--no-optional-locks", *a), cwd=str(repo),
                                                                ok_codes=ok_codes))
    stash = Command(("git", "--no-optional-locks", "stash", "list", f"--format={STASH_FORMAT}"), cwd=str(repo),
                    ok_codes=(0, 1, 128), skip_when="git-no-stash")
    refs = Command(("git", "--no-optional-locks", "for-each-ref", f"--format={REF_FORMAT}", "refs/heads", "refs/tags",
                    "refs/remotes"), cwd=str(repo))
    return [refs, head_command(ctx), stash]  # type: ignore[arg-type]


def batch(cmds: list[Command]) -> list:
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(cmds, MARK).encode(), capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return parse_output(cmds, proc.stdout, MARK)


def head_of(results) -> dict | None:
    refs, head, _ = results
    return (parse_head(head.text) if head.stdout else head_from_refs(refs.text)) if head.ok else None


def make_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "f").write_text("one\n")
    git(repo, "add", "f")
    git(repo, "commit", "-q", "-m", "first line\nsecond line\n\nbody")
    git(repo, "tag", "v1")
    return repo


def real_head(repo: Path) -> dict | None:
    return parse_head(git(repo, "log", "-1", "--format=%H%x00%s%x00%aI%x00%an"))


def test_on_a_branch_log_is_not_started_and_the_head_is_the_same(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    results = batch(commands(repo))
    assert results[1].exit_status == 0 and results[1].stdout == b""  # skipped
    assert head_of(results) == real_head(repo)
    assert head_of(results)["subject"] == "first line second line" and head_of(results)["author"] == "Ada L"  # type: ignore[index]


def test_detached_head_and_worktrees_run_log(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    git(repo, "checkout", "-q", "--detach", "v1")
    results = batch(commands(repo))
    assert results[1].stdout and head_of(results) == real_head(repo)
    git(repo, "checkout", "-q", "main")
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "-b", "other", str(linked))
    results = batch(commands(linked))
    assert results[1].stdout and head_of(results) == real_head(linked)  # `.git` is a file there: git answers


def test_unborn_branch_has_no_head_either_way(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    assert head_of(batch(commands(repo))) is None


def test_stash_list_runs_only_when_there_is_a_stash(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    _, _, stash = batch(commands(repo))
    assert (stash.exit_status, stash.stdout) == (0, b"")
    (repo / "f").write_text("changed\n")
    git(repo, "stash", "-q")
    _, _, stash = batch(commands(repo))
    assert stash.stdout and stash.stdout == git(repo, "stash", "list", f"--format={STASH_FORMAT}").encode()
