"""`git describe --tags` where the repository has no tag, and `git remote -v` where its config defines
no remote: an SSH batch need not start them (batch.SKIP_TESTS "git-no-tags", "git-no-remotes"). Real
git, real /bin/sh: the collector's facts (`describe`, `remotes`) must be those of the commands run for
real, and the commands must run wherever the builtins cannot tell (packed tags, a long packed-refs,
includes, legacy remote files, linked worktrees, a `.git` git passes over)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

from driftctl.collectors.git import describe_command, parse_describe, parse_remotes, remotes_command
from driftctl.models import Command
from driftctl.transport.batch import build_script, parse_output

MARK = "@@DRIFTCTL-1a2b3c4d5e6f7a8b@@"
ENV = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "c",
       "GIT_COMMITTER_EMAIL": "c@x", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=check, capture_output=True, text=True)


def ctx(repo: Path) -> SimpleNamespace:
    return SimpleNamespace(git=lambda *a, ok_codes=(0,): Command(("git", "--no-optional-locks", *a), cwd=str(repo),
                                                                 ok_codes=ok_codes))


def run(cmds: list[Command], tmp: Path) -> tuple[list, str]:
    """The batch's results, and the git commands it started (a logging `git` first on PATH)."""
    bin_dir, log = tmp / "logbin", tmp / "git.log"
    if not bin_dir.exists():
        bin_dir.mkdir()
        real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
        (bin_dir / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\nexec {real} "$@"\n')
        (bin_dir / "git").chmod(0o755)
    log.write_text("")
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(cmds, MARK).encode(), capture_output=True, timeout=60,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert proc.returncode == 0, proc.stderr
    return parse_output(cmds, proc.stdout, MARK), log.read_text()


def describe(repo: Path):
    """(skipped, the collector's `describe`), checked against git itself."""
    [res], log = run([describe_command(ctx(repo), "HEAD")], repo.parent)  # type: ignore[arg-type]
    assert res.ok
    real = git(repo, "describe", "--tags", "--long", "--abbrev=12", "HEAD", check=False)
    assert parse_describe(res.text) == (parse_describe(real.stdout) if real.returncode == 0 else None)
    return " describe --tags" not in log, parse_describe(res.text)


def remotes(repo: Path):
    """(skipped, the collector's `remotes`), checked against git itself."""
    [res], log = run([remotes_command(ctx(repo))], repo.parent)  # type: ignore[arg-type]
    assert res.exit_status == 0
    assert parse_remotes(res.text) == parse_remotes(git(repo, "remote", "-v").stdout)
    return " remote -v" not in log, parse_remotes(res.text)


def make_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "f").write_text("one\n")
    git(path, "add", "f")
    git(path, "commit", "-q", "-m", "first")
    return path


def test_no_tag_skips_describe_and_reads_as_git_failing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    assert git(repo, "describe", "--tags", check=False).returncode == 128  # what the skip stands for
    assert describe(repo) == (True, None)
    git(repo, "pack-refs", "--all")  # a short packed-refs without tags is read by the builtins
    assert (repo / ".git" / "packed-refs").exists()
    assert describe(repo) == (True, None)


def test_loose_packed_nested_and_annotated_tags_run_describe(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    git(repo, "tag", "v1")
    (repo / "f").write_text("two\n")
    git(repo, "commit", "-qam", "second")
    assert describe(repo) == (False, {"tag": "v1", "after": 1})
    git(repo, "pack-refs", "--all")  # only packed-refs names it now
    assert not any((repo / ".git" / "refs" / "tags").iterdir())
    assert describe(repo) == (False, {"tag": "v1", "after": 1})
    git(repo, "tag", "-d", "v1")
    git(repo, "tag", "-a", "-m", "release", "rel/v2")  # annotated, in a sub-folder of refs/tags
    assert describe(repo) == (False, {"tag": "rel/v2", "after": 0})
    git(repo, "pack-refs", "--all")
    assert describe(repo) == (False, {"tag": "rel/v2", "after": 0})


def test_a_long_packed_refs_is_left_to_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    for i in range(40):
        git(repo, "branch", f"b{i:02}")
    git(repo, "pack-refs", "--all")
    assert describe(repo) == (False, None)  # not read by the shell: git ran and found no name
    git(repo, "tag", "zz-last")  # sorts after every branch in packed-refs
    git(repo, "pack-refs", "--all")
    assert describe(repo) == (False, {"tag": "zz-last", "after": 0})


def test_detached_head_worktrees_and_rejected_git_dirs_run_describe(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    git(repo, "tag", "v1")
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "-b", "other", str(linked))
    assert describe(linked) == (False, {"tag": "v1", "after": 0})  # `.git` is a file: tags are the main one's
    git(repo, "checkout", "-q", "--detach")
    assert describe(repo) == (False, {"tag": "v1", "after": 0})
    git(repo, "checkout", "-q", "main")
    app = repo / "app"  # a `.git` git rejects: git goes to the repository above, which has a tag
    (app / ".git" / "objects").mkdir(parents=True)
    (app / ".git" / "refs" / "tags").mkdir(parents=True)
    (app / ".git" / "HEAD").write_text("not a ref\n")
    assert describe(app) == (False, {"tag": "v1", "after": 0})


def test_no_remote_skips_remote_listing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    git(repo, "config", "branch.main.remote", "origin")  # names a remote, defines none
    git(repo, "config", "branch.main.merge", "refs/heads/main")
    assert remotes(repo) == (True, {})


def test_remotes_from_config_includes_and_legacy_files_run_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    git(repo, "remote", "add", "origin", "https://example.invalid/a.git")
    assert remotes(repo) == (False, {"origin": "https://example.invalid/a.git"})
    git(repo, "remote", "remove", "origin")
    mixed = make_repo(tmp_path / "mixed")
    with open(mixed / ".git" / "config", "a") as f:
        f.write('[ReMoTe "up"]\n\turl = https://example.invalid/b.git\n')  # section names have no case
    assert remotes(mixed) == (False, {"up": "https://example.invalid/b.git"})
    (repo / ".git" / "extra.inc").write_text('[remote "inc"]\n\turl = https://example.invalid/c.git\n')
    git(repo, "config", "include.path", "extra.inc")
    assert remotes(repo)[0] is False
    git(repo, "config", "--unset", "include.path")
    assert remotes(repo) == (True, {})
    (repo / ".git" / "remotes").mkdir()
    (repo / ".git" / "remotes" / "old").write_text("URL: https://example.invalid/d.git\n")
    assert remotes(repo)[0] is False


def test_a_long_config_or_a_worktree_config_is_left_to_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    for i in range(70):
        git(repo, "config", f"alias.a{i}", "status")
    assert remotes(repo) == (False, {})
    repo2 = make_repo(tmp_path / "r2")
    git(repo2, "config", "extensions.worktreeConfig", "true")
    git(repo2, "config", "--worktree", "remote.wt.url", "https://example.invalid/e.git")
    assert remotes(repo2) == (False, {"wt": "https://example.invalid/e.git"})


def test_skip_tests_set_only_the_names_own_scripts_never_see(tmp_path: Path) -> None:
    """A skip test runs in the batch's own shell: every name it sets is in SKIP_NAMES (hidden from
    driftctl's own scripts), and an own script after it sees none of them."""
    import re

    from driftctl import gitsafe
    from driftctl.transport.batch import SKIP_NAMES, SKIP_TESTS

    text = " ".join(SKIP_TESTS.values()) + "\n" + "\n".join(gitsafe._config_function_body())
    assigned = set(re.findall(r"(?:^|[\s;(])([A-Za-z_][A-Za-z0-9_]*)=", text)) | set(re.findall(r"read -r (\w+)", text))
    assigned |= set(re.findall(r"\bfor (\w+) in", text))
    assert assigned - {"IFS"} <= set(SKIP_NAMES)
    repo = make_repo(tmp_path / "r")
    probe = Command(("sh", "-c", 'for v in "$@"; do eval "printf \'%s=%s;\' $v \\"\\${$v-unset}\\""; done',
                     "driftctl-probe", *SKIP_NAMES))
    results, log = run([describe_command(ctx(repo), "HEAD"), remotes_command(ctx(repo)), probe], tmp_path)  # type: ignore[arg-type]
    assert " describe " not in log and " remote " not in log  # both tested in the batch's shell
    assert results[2].text == "".join(f"{n}=unset;" for n in SKIP_NAMES)


def test_relative_and_missing_folders_are_tested_where_the_command_runs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    tagged = make_repo(tmp_path / "t")
    git(tagged, "tag", "v1")
    cmds = [Command(("git", "describe", "--tags", "--long", "--abbrev=12", "HEAD"), cwd=c, ok_codes=(0, 128),
                    skip_when="git-no-tags") for c in ("r", "t", None, str(tmp_path / "gone"))]
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(cmds, MARK).encode(), capture_output=True, timeout=60,
                          cwd=tmp_path / "t")  # a relative cwd is taken from here; none means here too
    results = parse_output(cmds, proc.stdout, MARK)
    # "r" and "t" are relative to tmp_path/t: neither exists there -> the missing-folder answer
    assert [r.exit_status for r in results] == [2, 2, 0, 2]
    assert parse_describe(results[2].text) == {"tag": "v1", "after": 0}
    assert b"No such file or directory" in results[3].stderr
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(cmds[:2], MARK).encode(), capture_output=True,
                          timeout=60, cwd=tmp_path)
    no_tag, tag = parse_output(cmds[:2], proc.stdout, MARK)
    assert (no_tag.exit_status, no_tag.stdout, tag.exit_status) == (0, b"", 0)
    assert parse_describe(tag.text) == {"tag": "v1", "after": 0}
    assert repo.exists()
