"""Acceptance 4 of issue 12: `snapshot`, `diff`, `check` and `plan` leave every repository (the local
hub included, and checkouts reached over SSH) byte- and mtime-identical.

Every file, directory and symlink under each work tree and its `.git` is recorded as
path -> (sha256, mtime_ns, mode) before and after each command. The scenario has what makes git want
to write: modified and untracked files with fresh mtimes (a status would refresh the index), and two
diverged branches (the plan's merge-risk analysis merges them with `merge-tree --write-tree`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import driftctl, write_config
from tests.security.hostile_git import git
from tests.security.hostile_git_world import clone, hub_repo

pytestmark = pytest.mark.integration


def tree_state(root: Path) -> dict[str, tuple]:
    """path -> (sha256 or link target, mtime_ns, mode) for everything under root, root included."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [".", *dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    content = hashlib.sha256(f.read()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path)
            else:
                content = "dir"
            out[os.path.relpath(path, root)] = (content, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    return out


@pytest.fixture
def estate(tmp_path, sshd):
    hub = hub_repo(tmp_path)
    repos = {"local": hub, "deployed": clone(hub, tmp_path / "deployed", "deploy"),
             "dev": clone(hub, tmp_path / "dev"), "aws": clone(hub, tmp_path / "aws", "deploy")}
    (hub / "app.txt").write_text("one\nlocal edit\n")
    (hub / "docker-compose.yml").write_text("services:\n  bot:\n    image: bot:1\n")
    git(hub, "--no-optional-locks", "status")  # nothing left for the first read to "fix"
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(hub), str(origin))
    repos["origin"] = origin
    envs = {
        "local": {"transport": "local", "path": str(hub)},
        "deployed": {"transport": "local", "path": str(repos["deployed"])},
        "dev": {"transport": "local", "path": str(repos["dev"])},
        "aws": sshd.env_spec(str(repos["aws"])),
        "github": {"transport": "git", "url": str(origin)},
    }
    work = tmp_path / "work"
    work.mkdir()
    config = write_config(work / "environments.yaml", envs)
    return repos, config, work


@pytest.mark.parametrize("command", [
    ("snapshot",), ("diff", "local", "deployed", "dev", "aws", "github"), ("check",),
    ("plan", "--option", "quick-fix", "--format", "json"),
])
def test_command_leaves_every_repository_identical(estate, command) -> None:
    repos, config, work = estate
    before = {name: tree_state(path) for name, path in repos.items()}
    run = driftctl(*command, "-c", str(config), cwd=work, timeout=300)
    assert run.code in (0, 1, 3) and "Traceback" not in run.err, run.err
    if command[0] == "plan":
        risk = json.loads(run.out)["merge_risk"]
        assert risk and all(r["error"] is None and r["tree"] for r in risk), risk  # merge-tree did run
    for name, path in repos.items():
        after = tree_state(path)
        changed = sorted(p for p in set(before[name]) | set(after) if before[name].get(p) != after.get(p))
        assert not changed, f"`driftctl {command[0]}` changed {name}: {changed[:10]}"
