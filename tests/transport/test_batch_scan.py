"""The batch's git driver-key scan finds the submodules' configs in the common git dir: `.git`
itself where git takes it as the repository (no `git rev-parse` started), else where `git rev-parse
--git-common-dir` says (a `.git` git rejects sends git, and so the scan, to the repository above).
Real git, real /bin/sh; a submodule's filter that would leave a marker must never run."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftctl import gitsafe
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


# --- `git config` is not started where `.git/config` can define no driver key --------------------

def scan(repo: Path, env: dict[str, str] | None = None) -> list[str]:
    """The batch's scan in `repo`: the keys it prints, in order."""
    script = gitsafe.shell_prelude() + f"cd {repo} && {gitsafe.SCAN_FUNCTION}\n"
    proc = subprocess.run(["/bin/sh", "-s"], input=script.encode(), capture_output=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [k for k in proc.stdout.decode().split("\n") if k]


def git_lists(repo: Path) -> list[str]:
    """What `git config --get-regexp` lists in `repo` with the batch's environment (no global/system config)."""
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    proc = subprocess.run(["git", "config", "--name-only", "--get-regexp", gitsafe.DRIVER_KEYS_RE], cwd=repo, env=env,
                          capture_output=True, timeout=60)
    return [k for k in proc.stdout.decode().split("\n") if k]


def plain_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    return path


def test_a_config_without_driver_sections_starts_no_git_config(tmp_path: Path) -> None:
    repo = plain_repo(tmp_path / "repo")
    git(repo, "config", "remote.origin.url", "https://example.invalid/x.git")
    git(repo, "config", "branch.main.merge", "refs/heads/main")  # `merge` as a variable, not a section
    env, log = logged_git(tmp_path)
    assert scan(repo, env) == []
    assert "--get-regexp" not in log.read_text()
    git(repo, "config", "filter.lfs.clean", "x")
    assert scan(repo, env) == ["filter.lfs.clean"]
    assert "config --name-only --get-regexp" in log.read_text()


@pytest.mark.parametrize("text", [
    '[FILTER "x"]\n\tClean = evil\n',
    '[filter.x]\n\tsmudge = evil\n',  # the old `[section.subsection]` form
    '[core]\n\tbare = false\n[Diff "y"] textconv = evil\n',  # a variable on its header's line
    '[core][merge "z"] driver = evil\n',
    '[remote "o"]\n\turl = x\n\tPROXY = evil\n',
    '[pager]\n\tstatus = evil\n',
    '[credential "https://h"]\n\thelper = evil\n',
    '[gpg "ssh"]\n\tprogram = evil\n',
])
def test_every_driver_key_form_is_still_listed(tmp_path: Path, text: str) -> None:
    repo = plain_repo(tmp_path / "repo")
    with open(repo / ".git" / "config", "a") as f:
        f.write(text)
    assert git_lists(repo)  # the case is live: git lists a key
    assert scan(repo) == git_lists(repo)


def test_includes_worktree_configs_and_long_configs_go_to_git(tmp_path: Path) -> None:
    repo = plain_repo(tmp_path / "inc")
    (repo / ".git" / "extra").write_text('[filter "i"]\n\tclean = evil\n')
    git(repo, "config", "include.path", "extra")
    assert scan(repo) == git_lists(repo) == ["filter.i.clean"]
    repo = plain_repo(tmp_path / "wt")
    git(repo, "config", "extensions.worktreeConfig", "true")
    (repo / ".git" / "config.worktree").write_text('[diff "w"]\n\ttextconv = evil\n')
    assert scan(repo) == git_lists(repo) == ["diff.w.textconv"]
    repo = plain_repo(tmp_path / "long")
    with open(repo / ".git" / "config", "a") as f:
        f.write("".join(f"[alias]\n\ta{i} = status\n" for i in range(40)) + '[merge "m"]\n\tdriver = evil\n')
    assert scan(repo) == git_lists(repo) == ["merge.m.driver"]


_SECTIONS = ("filter", "diff", "merge", "credential", "gpg", "pager", "remote", "core", "branch", "include",
             "includeIf", "user", "url", "alias", "diffs")
_VARIABLES = ("clean", "smudge", "process", "required", "textconv", "command", "driver", "helper", "program",
              "uploadpack", "receivepack", "proxy", "url", "name", "path", "status")


def _cased(draw, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips))


@st.composite
def config_texts(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        section = _cased(draw, draw(st.sampled_from(_SECTIONS)))
        header = draw(st.sampled_from([f"[{section}]", f'[{section} "s"]', f"[{section}.s]"]))
        variable = f"{_cased(draw, draw(st.sampled_from(_VARIABLES)))} = v"
        lines.append(draw(st.sampled_from([f"{header}\n\t{variable}", f"{header} {variable}", header])))
        if draw(st.booleans()):
            lines.append(f"\t{_cased(draw, draw(st.sampled_from(_VARIABLES)))} = a \\\n {variable}")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=config_texts())
def test_the_scan_lists_what_git_config_lists(tmp_path_factory, text: str) -> None:
    repo = tmp_path_factory.mktemp("cfg") / "repo"
    plain_repo(repo)
    (repo / ".git" / "config").write_text("[core]\n\trepositoryformatversion = 0\n" + text)
    listed = git_lists(repo)
    assert scan(repo) == listed, text
    assert all(re.match(gitsafe.DRIVER_KEYS_RE, k) for k in listed)


def repo_with_embedded_evil_repo(path: Path, name: str, marker: Path) -> tuple[Path, Path]:
    """A gitlink whose repository lives in the work tree (`git add` of a nested checkout: no
    .gitmodules, no .git/modules) and whose own config names a clean filter for its touched file."""
    plain_repo(path)
    (path / "README").write_text("x\n")
    git(path, "add", "README")
    git(path, "commit", "-qm", "init")
    nested = path / name
    plain_repo(nested)
    (nested / "lib.txt").write_text("lib\n")
    git(nested, "add", "lib.txt")
    git(nested, "commit", "-qm", "lib")
    (nested / ".git" / "info").mkdir(exist_ok=True)
    (nested / ".git" / "info" / "attributes").write_text("* filter=nestedevil\n")
    git(nested, "config", "filter.nestedevil.clean", f"touch '{marker}'; cat")
    git(path, "add", name)
    lib = nested / "lib.txt"
    os.utime(lib, ns=(lib.stat().st_atime_ns, lib.stat().st_mtime_ns + 2_000_000_000))  # stat-dirty
    subprocess.run(["git", "status"], cwd=path, capture_output=True, check=True)
    assert marker.exists()  # the case is live: plain git runs the nested repository's filter
    marker.unlink()
    os.utime(lib, ns=(lib.stat().st_atime_ns, lib.stat().st_mtime_ns + 2_000_000_000))
    return path, lib


def test_a_nested_repository_with_a_non_ascii_name_runs_no_filter(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo, _ = repo_with_embedded_evil_repo(tmp_path / "repo", "vendé", marker)
    result = status(repo, dict(os.environ))
    assert result.exit_status == 0 and not marker.exists()
    assert "filter.nestedevil.clean" in scan(repo)


def test_a_gitlink_name_git_still_quotes_makes_git_refuse_to_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo, _ = repo_with_embedded_evil_repo(tmp_path / "repo", 'ven"d', marker)
    result = status(repo, dict(os.environ))
    assert not marker.exists()
    assert result.exit_status == 128 and "does not contain a section" in result.error_text
    assert gitsafe.QUOTED_GITLINK_KEY in scan(repo)
