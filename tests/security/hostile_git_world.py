"""The world of the hostile git config tests: a hub repository holding every case of
`hostile_git.CASES`, and one checkout per case reached one way (a `local` environment, or over the
real loopback sshd). Every command runs once against all of them; what each left is recorded.

One world per transport (tests/security/test_hostile_git_config.py and ..._ssh.py): the two are
independent, so they run on different xdist workers at once instead of one after the other. Each has
its own hub with every case planted (the `local` environment, where merge-risk analysis and
`rescue`'s GitPython commit run), so the hub is checked by both.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import driftctl, isolate_driftctl_home, write_config
from tests.security.hostile_git import CASES, Case, git, slug

COMMANDS = ("snapshot", "diff", "check", "plan", "rescue")


def hub_repo(root: Path) -> Path:
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


def clone(hub: Path, dest: Path, branch: str = "main") -> Path:
    git(hub.parent, "clone", "-q", "-b", branch, str(hub), str(dest))
    git(dest, "branch", "-q", "deploy", "origin/deploy", check=False)
    (dest / "app.txt").write_text("one\nchanged by hand\n")
    (dest / "new.txt").write_text("never committed\n")
    return dest


def copy(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest, symlinks=True)
    return dest


def build_and_run(tmp_path_factory: pytest.TempPathFactory, side: str, reach: Callable[[Path], dict[str, Any]]) -> dict:
    """The world of one transport: `side` labels its checkouts (`l`, `s`), `reach(repo)` is a checkout's
    environments.yaml entry. Set up before the per-test isolation, so it isolates its driftctl home itself."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_driftctl_home(mp, tmp_path_factory.mktemp(f"hostile-git-home-{side}"))
        return _plant_and_run(tmp_path_factory.mktemp(f"hostile-git-{side}"), side, reach)


def _plant_and_run(root: Path, side: str, reach: Callable[[Path], dict[str, Any]]) -> dict:
    markers = root / "markers"
    markers.mkdir()
    hub = hub_repo(root)
    envs: dict = {"local": {"transport": "local", "path": str(hub)},
                  "deployed": {"transport": "local", "path": str(clone(hub, root / "deployed", "deploy"))}}
    template = clone(hub, root / "clone-template")  # every case's checkout is a copy of this clone
    for case in CASES:
        label = f"{side}_{slug(case.name)}"
        repo = copy(template, root / label)
        case.setup(repo, markers / label)
        envs[label] = reach(repo)
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
    return {"left": left, "outputs": outputs, "names": names, "hub": hub, "side": side}


def assert_never_ran(world: dict, case: Case) -> None:
    labels = {f"{world['side']}_{slug(case.name)}", f"hub_{slug(case.name)}"}
    for command in COMMANDS:
        assert not (world["left"][command] & labels), f"{case.name} ran under `driftctl {command}`"


def assert_git_ran_everywhere(world: dict) -> None:
    """The marker tests mean something only if git ran there: every environment's git facts were read,
    the merge-risk analysis ran in the hub, and every checkout was rescued."""
    snap, = world["outputs"]["snapshot"]
    docs = json.loads(snap.out)
    assert {d["environment"] for d in docs} == set(world["names"])
    for doc in docs:
        assert doc["collectors"]["git"]["status"] == "ok", (doc["environment"], doc["collectors"]["git"])
        if doc["environment"] not in ("local", "deployed"):
            assert "app.txt" in doc["collectors"]["git"]["data"]["modified"], doc["environment"]
    for command in ("diff", "check", "plan"):
        run, = world["outputs"][command]
        assert run.code in (0, 1, 3) and "Traceback" not in run.err, (command, run.err)
    plan, = world["outputs"]["plan"]
    risk = json.loads(plan.out)["merge_risk"]
    assert risk and all(r["error"] is None for r in risk), [r["error"] for r in risk]
    # the repository's merge driver is replaced by git's own merge: the conflict on m.txt is still seen
    assert any("m.txt" in r["conflicts"] for r in risk), risk
    rescued = [n for n in world["names"] if n != "local"]
    for name, run in zip(rescued, world["outputs"]["rescue"]):
        if "submodule" in name:  # rescue does not copy a staged submodule (a folder): one clear line
            assert run.code == 2 and "Traceback" not in run.err, run.err
            continue
        assert run.code == 0, run.err
    branches = git(world["hub"], "for-each-ref", "--format=%(refname:short)", "refs/heads/rescue").split()
    assert len(branches) == len(rescued) - 1
