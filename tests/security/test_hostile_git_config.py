"""Acceptance 1 of issue 12: a target's git configuration never runs a program, under any command.

Every program-running setting of `hostile_git.CASES` is planted in its own checkout, once reached as
a `local` environment (here) and once over the real loopback sshd (test_hostile_git_config_ssh.py),
and all of them in the hub repository of each (the `local` environment, where merge-risk analysis
and `rescue`'s GitPython commit run). `snapshot`, `diff`, `check`, `plan` and `rescue` then run
against all of them; after each command the marker files are collected (tests/security/
hostile_git_world.py). One test per setting asserts that no command left its marker, and one proves
the setting is live (plain git, without driftctl's overrides, does run it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.hostile_git import CASES, Case, live_without_overrides
from tests.security.hostile_git_world import (
    assert_git_ran_everywhere,
    assert_never_ran,
    build_and_run,
    clone,
    copy,
    hub_repo,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """Every case in a checkout of its own reached as a `local` environment; every command run once."""
    return build_and_run(tmp_path_factory, "l", lambda repo: {"transport": "local", "path": str(repo)})


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_setting_never_runs_under_any_command(hostile: dict, case: Case) -> None:
    assert_never_ran(hostile, case)


def test_every_command_really_ran_git_in_every_checkout(hostile: dict) -> None:
    assert_git_ran_everywhere(hostile)


@pytest.fixture(scope="module")
def _clean_clone(tmp_path_factory) -> Path:
    """A hub and one clone of it (as the world's checkouts start) that tests copy instead of cloning again."""
    root = tmp_path_factory.mktemp("hostile-git-template")
    return clone(hub_repo(root), root / "clone")


@pytest.mark.parametrize("case", [c for c in CASES if c.fire], ids=[c.name for c in CASES if c.fire])
def test_setting_is_live_without_overrides(tmp_path, _clean_clone: Path, case: Case) -> None:
    """Plain git does run the planted program: the case is a real attack, not a typo."""
    repo = copy(_clean_clone, tmp_path / "target")
    marker = tmp_path / "marker"
    case.setup(repo, marker)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert live_without_overrides(case, repo, scratch, marker)
