"""Acceptance 1 of issue 12, over SSH: every program-running setting of `hostile_git.CASES` planted in
a checkout of its own reached over the real loopback sshd (and all of them in this world's hub), and
no command runs any of them (test_hostile_git_config.py has the `local` side and the liveness proofs).
"""

from __future__ import annotations

import pytest

from tests.security.hostile_git import CASES, Case
from tests.security.hostile_git_world import assert_git_ran_everywhere, assert_never_ran, build_and_run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, sshd) -> dict:
    """Every case in a checkout of its own reached over SSH; every command run once."""
    return build_and_run(tmp_path_factory, "s", lambda repo: sshd.env_spec(str(repo)))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_setting_never_runs_under_any_command(hostile: dict, case: Case) -> None:
    assert_never_ran(hostile, case)


def test_every_command_really_ran_git_in_every_checkout(hostile: dict) -> None:
    assert_git_ran_everywhere(hostile)
