"""`driftctl rescue` on a real sshd target: the right commit, and a target left byte-for-byte alone."""

from __future__ import annotations

import pytest

from tests.planner.scenario import MODIFIED, WORKING, tree_state

pytestmark = pytest.mark.integration


def test_rescue_commits_exactly_the_changed_files_and_leaves_target_untouched(seed_scenario):
    s = seed_scenario
    before_target = tree_state(s.aws.path)
    local_status = s.local.git("status", "--porcelain")
    local_index = (s.local.path / ".git" / "index").read_bytes()
    local_head = s.local.head()

    res = s.driftctl("rescue", "aws", "--branch", "rescue/aws-test")

    assert res.returncode == 0, res.stderr
    assert tree_state(s.aws.path) == before_target  # bytes and mtimes, .git included
    # the local checkout: same HEAD, index and work tree; only a new branch
    assert s.local.head() == local_head
    assert s.local.git("status", "--porcelain") == local_status
    assert (s.local.path / ".git" / "index").read_bytes() == local_index

    commit = s.local.git("rev-parse", "rescue/aws-test")
    assert s.local.git("rev-parse", f"{commit}^") == s.aws_head  # based on the deployed commit
    changed = s.local.git("diff", "--name-status", s.aws_head, commit).splitlines()
    expected = {("A", p) for p in WORKING} | {("M", p) for p in MODIFIED}
    assert {tuple(line.split("\t")) for line in changed} == expected
    for path, text in {**WORKING, **MODIFIED}.items():
        assert s.local.git("show", f"{commit}:{path}") == text.rstrip("\n")
    message = s.local.git("log", "-1", "--format=%B", commit)
    assert "uncommitted changes of aws" in message
    for path in [*WORKING, *MODIFIED]:
        assert f"<- aws:{path}" in message


def test_rescue_default_branch_and_refuses_existing_branch(seed_scenario):
    s = seed_scenario
    first = s.driftctl("rescue", "aws")
    assert first.returncode == 0, first.stderr
    branches = s.local.git("branch", "--list", "rescue/aws-*")
    assert branches.strip().startswith("rescue/aws-2")
    again = s.driftctl("rescue", "aws")
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_rescue_needs_the_deployed_commit_locally(seed_scenario, tmp_path):
    s = seed_scenario
    s.aws.commit({"hotfix.txt": "x\n"}, "commit only on the host")  # not pushed anywhere
    s.aws.write({"more.txt": "y\n"})
    res = s.driftctl("rescue", "aws")
    assert res.returncode == 2
    err = " ".join(res.stderr.split())  # the terminal may wrap long lines
    assert "is not in" in err and "fetch it first: git fetch ssh://" in err


def test_rescue_leaves_out_secret_files_unless_asked(seed_scenario):
    s = seed_scenario
    s.aws.write({"prod.env": "API_KEY=abc\n"})
    res = s.driftctl("rescue", "aws", "--branch", "r1")
    assert res.returncode == 0, res.stderr
    assert "prod.env" not in s.local.git("ls-tree", "-r", "--name-only", "r1")
    assert "left out prod.env" in " ".join(res.stderr.split())
    res = s.driftctl("rescue", "aws", "--branch", "r2", "--include-secret-files")
    assert "prod.env" in s.local.git("ls-tree", "-r", "--name-only", "r2")
