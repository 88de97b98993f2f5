"""Acceptance 1 of issue 12: a target's git configuration never runs a program, under any command.

Every program-running setting of `hostile_git.CASES` is planted in its own checkout, once reached as
a `local` environment and once over the real loopback sshd, and all of them in the hub repository
(the `local` environment, where merge-risk analysis and `rescue`'s GitPython commit run). `snapshot`,
`diff`, `check`, `plan` and `rescue` then run against all of them; after each command the marker
files are collected. One test per setting asserts that no command left its marker, and one proves the
setting is live (plain git, without driftctl's overrides, does run it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import driftctl, isolate_driftctl_home, write_config
from tests.security.hostile_git import CASES, Case, git, live_without_overrides, slug

pytestmark = pytest.mark.integration

COMMANDS = ("snapshot", "diff", "check", "plan", "rescue")


def _hub(root: Path) -> Path:
    hub = root / "hub"
    hub.mkdir()
    git(hub, "init", "-q", "-b", "main")
    (hub / "app.txt").write_text("one\n")
    (hub / "m.txt").write_text("base\n")
    git(hub, "add", "-A")
    git(hub, "commit", "-qm", "base")
    git(hub, "checkout", "-qb", "deploy")
    (hub / "m.txt").write_text("deployed\n")
    git(hub, "commit", "-qam", "deploy change")
    git(hub, "checkout", "-q", "main")
    (hub / "m.txt").write_text("main\n")
    git(hub, "commit", "-qam", "main change")
    return hub


def _clone(hub: Path, dest: Path, branch: str = "main") -> Path:
    git(hub.parent, "clone", "-q", "-b", branch, str(hub), str(dest))
    git(dest, "branch", "-q", "deploy", "origin/deploy", check=False)
    (dest / "app.txt").write_text("one\nchanged by hand\n")
    (dest / "new.txt").write_text("never committed\n")
    return dest


@pytest.fixture(scope="module")
def _clean_clone(tmp_path_factory) -> Path:
    """A hub and one clone of it (as `_clone` leaves it) that tests copy instead of cloning again."""
    root = tmp_path_factory.mktemp("hostile-git-template")
    return _clone(_hub(root), root / "clone")


def _copy(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, sshd):
    """Build the checkouts, run every command once, and record which markers each one left."""
    with pytest.MonkeyPatch.context() as mp:  # set up before the per-test isolation: isolate it here
        isolate_driftctl_home(mp, tmp_path_factory.mktemp("hostile-git-home"))
        return _plant_and_run(tmp_path_factory.mktemp("hostile-git"), sshd)


def _plant_and_run(root: Path, sshd) -> dict:
    markers = root / "markers"
    markers.mkdir()
    hub = _hub(root)
    envs: dict = {"local": {"transport": "local", "path": str(hub)},
                  "deployed": {"transport": "local", "path": str(_clone(hub, root / "deployed", "deploy"))}}
    template = _clone(hub, root / "clone-template")  # every case's checkout is a copy of this clone
    for case in CASES:
        for side in ("l", "s"):
            label = f"{side}_{slug(case.name)}"
            repo = _copy(template, root / label)
            case.setup(repo, markers / label)
            envs[label] = {"transport": "local", "path": str(repo)} if side == "l" else sshd.env_spec(str(repo))
    for case in CASES:
        case.setup(hub, markers / f"hub_{slug(case.name)}")
    (hub / "app.txt").write_text("one\nlocal edit\n")
    for p in markers.iterdir():  # setting up (update-ref, commit) fired some hooks: only driftctl counts
        p.unlink()
    work = root / "work"
    work.mkdir()
    config = write_config(work / "environments.yaml", envs)
    names = list(envs)
    left: dict[str, set[str]] = {}
    runs = {
        "snapshot": [("snapshot", "--format", "json")],
        "diff": [("diff", *names)],
        "check": [("check",)],
        "plan": [("plan", "--option", "quick-fix", "--format", "json")],
        "rescue": [("rescue", n, "--repo", str(hub)) for n in names if n != "local"],
    }
    outputs: dict[str, list] = {}
    for command in COMMANDS:
        outputs[command] = [driftctl(*args, "-c", str(config), cwd=work, timeout=300) for args in runs[command]]
        left[command] = {p.name for p in markers.iterdir()}
        for p in markers.iterdir():
            p.unlink()
    return {"left": left, "outputs": outputs, "names": names, "hub": hub}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_setting_never_runs_under_any_command(hostile, case: Case) -> None:
    labels = {f"{side}_{slug(case.name)}" for side in ("l", "s", "hub")}
    for command in COMMANDS:
        assert not (hostile["left"][command] & labels), f"{case.name} ran under `driftctl {command}`"


def test_every_command_really_ran_git_in_every_checkout(hostile) -> None:
    """The marker tests mean something only if git ran there: every environment's git facts were read,
    the merge-risk analysis ran in the hub, and every checkout was rescued."""
    snap, = hostile["outputs"]["snapshot"]
    docs = json.loads(snap.out)
    assert {d["environment"] for d in docs} == set(hostile["names"])
    for doc in docs:
        assert doc["collectors"]["git"]["status"] == "ok", (doc["environment"], doc["collectors"]["git"])
        if doc["environment"] not in ("local", "deployed"):
            assert "app.txt" in doc["collectors"]["git"]["data"]["modified"], doc["environment"]
    for command in ("diff", "check", "plan"):
        run, = hostile["outputs"][command]
        assert run.code in (0, 1, 3) and "Traceback" not in run.err, (command, run.err)
    plan, = hostile["outputs"]["plan"]
    risk = json.loads(plan.out)["merge_risk"]
    assert risk and all(r["error"] is None for r in risk), [r["error"] for r in risk]
    # the repository's merge driver is replaced by git's own merge: the conflict on m.txt is still seen
    assert any("m.txt" in r["conflicts"] for r in risk), risk
    rescued = [n for n in hostile["names"] if n != "local"]
    for name, run in zip(rescued, hostile["outputs"]["rescue"]):
        if "submodule" in name:  # rescue does not copy a staged submodule (a folder): one clear line
            assert run.code == 2 and "Traceback" not in run.err, run.err
            continue
        assert run.code == 0, run.err
    branches = git(hostile["hub"], "for-each-ref", "--format=%(refname:short)", "refs/heads/rescue").split()
    assert len(branches) == len(rescued) - 2


@pytest.mark.parametrize("case", [c for c in CASES if c.fire], ids=[c.name for c in CASES if c.fire])
def test_setting_is_live_without_overrides(tmp_path, _clean_clone: Path, case: Case) -> None:
    """Plain git does run the planted program: the case is a real attack, not a typo."""
    repo = _copy(_clean_clone, tmp_path / "target")
    marker = tmp_path / "marker"
    case.setup(repo, marker)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert live_without_overrides(case, repo, scratch, marker)
