"""Git facts on real repositories: a deployment detached at a release tag, a hotfix made only on a
deployment, stashes, and ahead/behind per remote. Names differ from the seed on purpose."""

from __future__ import annotations

import json

import pytest

from driftctl.checks import compare, gather
from driftctl.config import load_config
from tests.fixtures.gitrepos import clone, init_repo
from tests.helpers import write_config

pytestmark = pytest.mark.integration
CALM = {"thresholds": {"memory_percent": 100, "disk_percent": 100}}


def _rows(tmp_path, envs: dict) -> dict:
    cfg = load_config(str(write_config(tmp_path / "environments.yaml", envs, CALM)))
    doc = compare(gather(cfg, list(envs)), cfg.rules).to_json(show_in_sync=True)
    return {r["component"]: r for r in doc["rows"]}


@pytest.fixture
def shop(tmp_path):
    """origin (the hub) with releases 2.0.0 and 2.1.0 on a linear `trunk`, plus one commit after 2.1.0."""
    import subprocess

    origin = tmp_path / "hub.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "trunk", str(origin)], check=True)
    dev = init_repo(tmp_path / "dev", branch="trunk")
    dev.commit({"app/server.rb": "puts 1\n"}, "first")
    dev.git("tag", "2.0.0")
    dev.commit({"app/server.rb": "puts 2\n"}, "second")
    dev.git("tag", "-a", "2.1.0", "-m", "release 2.1.0")
    dev.git("remote", "add", "origin", str(origin))
    dev.git("push", "-q", "origin", "trunk", "--tags")
    dev.commit({"app/server.rb": "puts 3\n"}, "third")
    dev.git("push", "-q", "origin", "trunk")
    return origin, dev


def test_detached_at_an_older_release_is_behind_not_diverged(tmp_path, shop) -> None:
    origin, dev = shop
    box = clone(origin, tmp_path / "box")
    box.git("checkout", "-q", "2.0.0")
    rows = _rows(tmp_path, {
        "dev": {"transport": "local", "path": str(dev.path)},
        "box": {"transport": "local", "path": str(box.path), "role": "deployment"},
        "hub": {"transport": "git", "url": str(origin)},
    })
    branch, head = rows["git.branch"], rows["git.head"]
    assert branch["values"] == {"dev": "trunk", "box": "2.0.0 (tag)", "hub": "trunk"}
    assert branch["status"] == "MISMATCH" and branch["severity"] == "none", branch
    assert head["status"] == "MISMATCH" and head["severity"] == "moderate", head
    assert any("box" in d and "is behind" in d for d in head["details"]), head["details"]
    releases = rows["git.releases"]
    assert releases["values"]["box"] == "2.0.0" and releases["values"]["dev"] == "2.1.0+1"
    assert "release 2.1.0" in releases["details"][0] and releases["details"][0].endswith("runs on: nowhere")
    assert releases["details"][1].endswith("runs on: box")
    assert rows["git.deployment_only"]["status"] == "IN_SYNC"
    assert rows["git.stash"]["status"] == "IN_SYNC"


def test_at_the_newest_release_everywhere_is_in_sync(tmp_path, shop) -> None:
    origin, dev = shop
    box = clone(origin, tmp_path / "box")
    box.git("checkout", "-q", "2.1.0")
    dev.git("checkout", "-q", "2.1.0")
    rows = _rows(tmp_path, {
        "dev": {"transport": "local", "path": str(dev.path)},
        "box": {"transport": "local", "path": str(box.path), "role": "deployment"},
    })
    noise = {c: r["status"] for c, r in rows.items() if c.startswith("git.") and r["status"] != "IN_SYNC"}
    assert noise == {}, noise


def test_hotfix_only_on_the_deployment_and_a_stash(tmp_path, shop) -> None:
    origin, dev = shop
    box = clone(origin, tmp_path / "box", branch="trunk")
    fix = box.commit({"app/server.rb": "puts 'hotfix'\n"}, "hotfix straight on the box")
    (box.path / "app/server.rb").write_text("puts 'half-done'\n")
    box.git("stash", "push", "-q", "-m", "half-done retry logic")
    rows = _rows(tmp_path, {
        "dev": {"transport": "local", "path": str(dev.path)},
        "box": {"transport": "local", "path": str(box.path), "role": "deployment"},
        "hub": {"transport": "git", "url": str(origin)},
    })
    only = rows["git.deployment_only"]
    assert only["status"] == "DRIFT" and only["severity"] == "critical", only
    assert only["values"]["box"] == "1 commit(s)"
    assert any(fix[:8] in d and "hotfix straight on the box" in d for d in only["details"])
    stash = rows["git.stash"]
    assert stash["status"] == "DRIFT" and stash["severity"] == "moderate" and stash["values"]["box"] == "1 stash(es)"
    assert any("half-done retry logic" in d and "0 day(s) old" in d for d in stash["details"])
    # the same fact is not counted again on git.head or git.upstream
    assert rows["git.head"]["severity"] == "none", rows["git.head"]
    assert rows["git.upstream"]["severity"] == "none", rows["git.upstream"]
    assert rows["git.branch"]["status"] == "IN_SYNC"


def test_unpushed_commit_on_a_laptop_is_low_and_counted_per_remote(tmp_path, shop) -> None:
    origin, dev = shop
    import subprocess

    mirror = tmp_path / "backup.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(origin), str(mirror)], check=True)
    dev.git("remote", "add", "backup", str(mirror))
    dev.git("fetch", "-q", "backup")
    dev.git("branch", "-q", "--set-upstream-to=origin/trunk")
    dev.commit({"app/server.rb": "puts 4\n"}, "local work")
    rows = _rows(tmp_path, {"dev": {"transport": "local", "path": str(dev.path)},
                            "hub": {"transport": "git", "url": str(origin)}})
    upstream = rows["git.upstream"]
    assert upstream["status"] == "DRIFT" and upstream["severity"] == "low", upstream
    assert upstream["values"]["dev"] == "origin/trunk +1 -0; backup/trunk +1 -0", json.dumps(upstream)
    assert "git.deployment_only" not in rows  # no deployment compared
