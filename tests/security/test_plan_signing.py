"""Acceptance 3 of issue 12: `apply` runs only plans driftctl wrote, and `--dry-run` shows exactly what runs.

The plans are real: `driftctl plan` on the seed scenario (real git, the real sshd). Editing any field
of the file (every leaf of the JSON is tried) is refused before anything is collected or run.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from driftctl.apply import load_plan
from driftctl.errors import UsageError
from driftctl.plan_signing import line_is_read_only, sign, step_mutates
from tests.helpers import isolate_driftctl_home
from tests.planner import scenario

pytestmark = pytest.mark.integration


def _plan(root: Path, sshd) -> tuple[scenario.Scenario, Path]:
    s = scenario.build(root, sshd)
    res = s.driftctl("plan", "--option", "quick-fix", "--format", "json")
    assert res.returncode in (0, 3), res.stderr
    return s, s.ops / "reports" / "plans" / f"{json.loads(res.stdout)['id']}.json"


@pytest.fixture(scope="module")
def _planned_once(tmp_path_factory, sshd):
    """One scenario and plan for the tests that only read the plan or see `apply` refuse it (nothing
    runs: `test_apply_refuses_...` proves no apply log is written). The plan is signed with this home's key."""
    home = tmp_path_factory.mktemp("plan-signing-home")
    with pytest.MonkeyPatch.context() as mp:  # set up before the per-test isolation: isolate it here
        isolate_driftctl_home(mp, home)
        s, path = _plan(tmp_path_factory.mktemp("plan-signing"), sshd)
    return s, path, home


@pytest.fixture
def planned(_planned_once, monkeypatch):
    s, path, home = _planned_once
    isolate_driftctl_home(monkeypatch, home)  # the key that signed the plan
    return s, path


@pytest.fixture
def planned_fresh(tmp_path, sshd):
    """A scenario and plan of the test's own: for a test whose `apply` really runs."""
    return _plan(tmp_path, sshd)


def leaf_paths(doc, prefix=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from leaf_paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from leaf_paths(v, (*prefix, i))
    else:
        yield prefix


def edited(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if value is None:
        return "x"
    return value + " x"


def set_path(doc, path, value):
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def _one_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_plan_edited_in_any_field_is_refused(planned, tmp_path) -> None:
    s, path = planned
    plan = json.loads(path.read_text())
    assert load_plan(path)["id"] == plan["id"]  # the untouched plan is accepted
    paths = [p for p in leaf_paths(plan) if p[0] != "signature"]
    assert len(paths) > 100  # a real plan: phases, steps, commands, sources, fingerprints
    target = tmp_path / "edited.json"
    for p in paths:
        doc = copy.deepcopy(plan)
        set_path(doc, p, edited(copy.deepcopy(_get(doc, p))))
        target.write_text(json.dumps(doc, indent=2))
        # (an edited schema is refused as "not a driftctl plan" even before the signature is read)
        with pytest.raises(UsageError, match="modified after `driftctl plan` wrote it|not a driftctl plan"):
            load_plan(target)
    for key in [k for k in plan if k != "signature"]:  # a field removed, and one added
        doc = {k: v for k, v in plan.items() if k != key}
        target.write_text(json.dumps(doc))
        with pytest.raises(UsageError):
            load_plan(target)
    target.write_text(json.dumps({**plan, "extra": 1}))
    with pytest.raises(UsageError):
        load_plan(target)


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def test_apply_refuses_edited_unsigned_and_foreign_plans_before_running_anything(planned, tmp_path) -> None:
    s, path = planned
    plan = json.loads(path.read_text())
    marker = tmp_path / "ran"
    step = plan["phases"][0]["steps"][0]
    step["commands"] = [f"touch {marker}"]
    edited_plan = tmp_path / "edited.json"
    edited_plan.write_text(json.dumps(plan))
    res = s.driftctl("apply", str(edited_plan), "--yes")
    assert res.returncode == 2
    assert "modified after `driftctl plan` wrote it" in _one_error_line(res.stderr)
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps({k: v for k, v in plan.items() if k != "signature"}))
    res = s.driftctl("apply", str(unsigned), "--yes", "--dry-run")
    assert res.returncode == 2 and "is not signed" in _one_error_line(res.stderr)
    # signed with another installation's key (another machine, or someone else's)
    foreign = tmp_path / "foreign.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DRIFTCTL_FINGERPRINT_KEY_FILE", str(tmp_path / "other.key"))
        foreign.write_text(json.dumps(sign(json.loads(unsigned.read_text()))))
    res = s.driftctl("apply", str(foreign), "--yes")
    assert res.returncode == 2 and "another installation" in _one_error_line(res.stderr)
    assert not marker.exists()
    assert not (s.ops / "reports" / "apply").exists()


def test_dry_run_lists_exactly_the_lines_apply_runs(planned_fresh) -> None:
    s, path = planned_fresh
    dry = s.driftctl("apply", str(path), "--phase", "1", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    shown = dry.stderr.splitlines()
    real = s.driftctl("apply", str(path), "--phase", "1", "--yes")
    assert real.returncode == 0, real.stderr
    log, = (s.ops / "reports" / "apply").glob("*.log")
    ran = re.findall(r"^\S+ \[[^\]]+\] (precondition|run|verify): (.*)$", log.read_text(), re.M)
    assert len(ran) >= 3
    label = {"precondition": "check", "run": "would run", "verify": "verify"}
    for kind, line in ran:
        assert any(ln.startswith(f"    {label[kind]}") and ln.endswith(f": {line}") for ln in shown), (kind, line)


def _resigned(path: Path, tmp_path: Path, change) -> Path:
    """A plan changed and signed again with this installation's key: what a planner bug, or content
    the planner took from a target, could produce. The structural checks still apply."""
    plan = {k: v for k, v in json.loads(path.read_text()).items() if k != "signature"}
    change(plan)
    out = tmp_path / f"resigned-{len(list(tmp_path.glob('resigned-*')))}.json"
    out.write_text(json.dumps(sign(plan)))
    return out


def test_capture_paths_step_ids_and_mutates_are_not_trusted(planned, tmp_path) -> None:
    s, path = planned
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    marker = tmp_path / "ran"

    def first_capture(plan):
        return next(st for ph in plan["phases"] for st in ph["steps"] if st.get("capture"))

    for capture in ("../../victim.txt", str(victim)):
        bad = _resigned(path, tmp_path, lambda p, c=capture: first_capture(p).update(capture=c))
        res = s.driftctl("apply", str(bad), "--yes")
        assert res.returncode == 2 and "capture path" in _one_error_line(res.stderr)
    assert victim.read_text() == "keep me"
    for step_id in ("../escape", "a/b", "..", "x\nb"):
        bad = _resigned(path, tmp_path, lambda p, i=step_id: p["phases"][0]["steps"][0].update(id=i))
        res = s.driftctl("apply", str(bad), "--dry-run")
        assert res.returncode == 2 and "not a plain name" in _one_error_line(res.stderr)

    def sneaky(plan):
        step = plan["phases"][0]["steps"][0]
        step.update(mutates=False, commands=[f"touch {marker}"], preconditions=[], verify=[])
    bad = _resigned(path, tmp_path, sneaky)
    res = s.driftctl("apply", str(bad), "--phase", "1")  # stdin is not a terminal, no --yes
    assert res.returncode == 2 and "refusing without --yes" in _one_error_line(res.stderr)
    assert not marker.exists()


@pytest.mark.parametrize("line, read_only", [
    ("git --no-optional-locks diff HEAD --binary", True),
    ("git -C /srv/app status --porcelain", True),
    ("cat -- docker-compose.yml", True),
    ("git diff --output=/etc/passwd", False),
    ("git tag -m x t HEAD", False),
    ("cat a > b", False),
    ("cat a; rm -rf /", False),
    ("echo $(rm x)", False),
    ("X=1 cat a", False),
    ("touch x", False),
    ("docker compose up -d", False),
])
def test_read_only_lines_are_a_small_vocabulary(line: str, read_only: bool) -> None:
    assert line_is_read_only(line) is read_only
    assert step_mutates({"mutates": False, "commands": [line]}) is (not read_only)
