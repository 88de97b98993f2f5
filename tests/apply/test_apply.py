"""`driftctl apply` end to end on real git and a real sshd: stale plans, dry runs, rollback points,
a failing step, and the phases run one after another."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from tests.helpers import isolate_driftctl_home
from tests.planner import scenario
from tests.planner.scenario import WORKING, tree_state

pytestmark = pytest.mark.integration


def _plan(s, option: str = "quick-fix") -> Path:
    res = s.driftctl("plan", "--option", option, "--format", "json")
    assert res.returncode in (0, 3), res.stderr
    plan = json.loads(res.stdout)
    return s.ops / "reports" / "plans" / f"{plan['id']}.json"


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def _planned_once(tmp_path_factory, sshd, driftctl_home):
    """One scenario and quick-fix plan for the tests whose `apply` changes nothing (a dry run, refusals):
    each of them checks that the checkouts and reports/ stay as they were. Its own driftctl home: the
    fingerprint key the plan's snapshots were taken with."""
    with driftctl_home() as home:
        s = scenario.build(tmp_path_factory.mktemp("apply-read-only"), sshd)
        return s, _plan(s), home


@pytest.fixture
def planned(_planned_once, monkeypatch):
    """(scenario, plan path) shared by the module's read-only tests, under the home that planned it."""
    s, plan, home = _planned_once
    isolate_driftctl_home(monkeypatch, home)
    return s, plan


def test_apply_refuses_a_stale_plan_and_names_the_change(seed_scenario):
    s = seed_scenario
    plan = _plan(s)
    s.aws.write({"services/market-data/late_fix.py": "x = 1\n"})  # someone edits production after planning
    res = s.driftctl("apply", str(plan), "--yes")
    assert res.returncode == 2
    err = _one_line(res.stderr)
    assert "is stale" in err and "aws (" in err and "newly untracked: services/market-data/late_fix.py" in err
    assert "local (" not in err
    assert not s.local.git("tag", "--list", "driftctl/*")


def test_dry_run_changes_nothing(planned):
    s, plan = planned
    before_local, before_aws = tree_state(s.local.path, ignore_index=True), tree_state(s.aws.path, ignore_index=True)
    res = s.driftctl("apply", str(plan), "--dry-run")
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()
    doc = json.loads(plan.read_text())
    for step in (st for phase in doc["phases"] for st in phase["steps"]):
        for line in step["commands"]:  # exactly what runs (`sh -c LINE`), not a display form
            assert f"    would run: {line}" in lines, line
    assert any("git tag -m" in ln for ln in lines)
    assert tree_state(s.local.path, ignore_index=True) == before_local
    assert tree_state(s.aws.path, ignore_index=True) == before_aws
    assert not (s.ops / "reports" / "apply").exists()
    assert not (s.ops / "reports" / "rollback").exists()


def test_non_interactive_without_yes_refuses_mutating_steps(planned):
    s, plan = planned
    before = tree_state(s.local.path, ignore_index=True), tree_state(s.aws.path, ignore_index=True)
    res = s.driftctl("apply", str(plan), "--phase", "1")
    assert res.returncode == 2
    assert "refusing without --yes" in _one_line(res.stderr)
    assert (tree_state(s.local.path, ignore_index=True), tree_state(s.aws.path, ignore_index=True)) == before
    assert not (s.ops / "reports" / "apply").exists()


def test_phase_one_creates_rollback_points_and_an_audit_log(seed_scenario):
    s = seed_scenario
    plan_path = _plan(s)
    plan = json.loads(plan_path.read_text())
    before_aws = tree_state(s.aws.path, ignore_index=True)
    res = s.driftctl("apply", str(plan_path), "--phase", "1", "--yes")
    assert res.returncode == 0, res.stderr
    stamp = plan["id"].split("-")[0]
    tags = dict(line.split() for line in s.local.git("for-each-ref", "--format=%(refname:short) %(*objectname)", "refs/tags/driftctl").splitlines())
    assert tags == {f"driftctl/rollback/local-{stamp}": s.main_head, f"driftctl/rollback/aws-{stamp}": s.aws_head}
    archive = s.ops / "reports" / "rollback" / stamp / "aws" / "config.tar.enc"
    assert b"MARKET_DATA_URL" not in archive.read_bytes()  # encrypted at rest
    restored = s.driftctl("backup", "decrypt", str(archive), "-o", str(s.ops / "config.tar"))
    assert restored.returncode == 0, restored.stderr
    with tarfile.open(s.ops / "config.tar") as tar:
        assert tar.getnames() == ["docker-compose.yml"]
        compose = tar.extractfile("docker-compose.yml").read().decode()
    assert "MARKET_DATA_URL=http://market-data:8001" in compose
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert tree_state(s.aws.path, ignore_index=True) == before_aws  # production was only read
    logs = list((s.ops / "reports" / "apply").glob("*.log"))
    assert len(logs) == 1
    log = logs[0].read_text()
    assert "[local] run: git tag -m" in log and "exit 0" in log and "step tag-aws: ok" in log


def test_out_of_order_step_is_refused_naming_what_it_requires(planned):
    s, plan_path = planned
    before_local = tree_state(s.local.path, ignore_index=True)
    step = "restore-local-gateio_oi_provider_working"
    res = s.driftctl("apply", str(plan_path), "--step", step, "--yes")
    assert res.returncode == 2
    err = _one_line(res.stderr)
    assert f"{step} requires rescue-aws" in err and "tag-local" in err and "not yet succeeded" in err
    assert tree_state(s.local.path, ignore_index=True) == before_local
    assert not (s.ops / "reports" / "apply").exists()


def test_failing_step_stops_the_run_and_shows_its_rollback(seed_scenario):
    s = seed_scenario
    plan_path = _plan(s, "comprehensive-sync")
    plan = json.loads(plan_path.read_text())
    for number in (1, 2, 3):
        res = s.driftctl("apply", str(plan_path), "--phase", str(number), "--yes")
        assert res.returncode == 0, res.stderr
    step = next(st for p in plan["phases"] for st in p["steps"] if st["id"] == "worktree-sync")
    work_tree = Path(step["commands"][0].split()[-2])
    work_tree.mkdir()  # someone took the work tree's path (outside every checkout: the plan is still current)
    res = s.driftctl("apply", str(plan_path), "--phase", "4", "--yes")
    assert res.returncode == 1
    out = _one_line(res.stderr)
    assert "step worktree-sync failed: precondition not met" in out
    assert "to undo it, run:" in out and "git worktree remove" in out
    assert "merge-1-aws" not in out  # stopped at the first failure
    log = sorted((s.ops / "reports" / "apply").glob("*.log"))[-1].read_text()
    assert "step worktree-sync FAILED" in log and "rollback: cd" in log


def test_phases_run_in_turn_and_fix_the_local_import(seed_scenario):
    """Phase 1, then 2 (rescue), then 3 (restore): earlier runs do not make the plan 'stale'."""
    s = seed_scenario
    plan_path = _plan(s)
    plan = json.loads(plan_path.read_text())
    before_aws = tree_state(s.aws.path, ignore_index=True)
    for phase in plan["phases"]:
        res = s.driftctl("apply", str(plan_path), "--phase", str(phase["number"]), "--yes")
        assert res.returncode == 0, (phase["title"], res.stderr)
    for path, text in WORKING.items():
        assert (s.local.path / path).read_text() == text
    assert s.local.git("rev-parse", "--verify", "-q", f"refs/heads/rescue/aws-{plan['id'][:8]}")
    assert tree_state(s.aws.path, ignore_index=True) == before_aws
    again = s.driftctl("apply", str(plan_path), "--phase", "1", "--yes")
    assert again.returncode == 0 and "already applied" in again.stderr
