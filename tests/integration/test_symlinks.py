"""Committed symlinks on real git: a checkout's inventory and a git environment's archive describe a
link the same way (type and target, never followed), so the same link is no difference and a link
pointing elsewhere is one."""

from __future__ import annotations

import os

import pytest

from driftctl import api
from driftctl.matrix import Status
from tests.helpers import write_config

pytestmark = pytest.mark.integration

COMPOSE = "services:\n  bot:\n    image: bot:1\n"


def files_rows(result) -> dict[str, list[str]]:
    return {r.component: r.details for r in result.matrix.materialised()
            if r.component.startswith("files.") and r.status != Status.IN_SYNC}


@pytest.fixture
def checkouts(git_repo, bare_origin):
    origin = bare_origin()
    dev = git_repo("dev")
    (dev.path / "config").mkdir()
    dev.commit({"docker-compose.yml": COMPOSE, "config/app.prod.yml": "a: 1\n", "config/app.dev.yml": "a: 2\n"},
               "configs")
    os.symlink("app.prod.yml", dev.path / "config" / "app.yml")
    dev.git("add", "config/app.yml")
    dev.git("commit", "-q", "-m", "app.yml points at the production settings")
    dev.git("remote", "add", "origin", str(origin))
    dev.git("push", "-q", "origin", "main")
    return dev, origin


def test_the_same_committed_link_is_no_difference_between_a_checkout_and_its_remote(tmp_path, checkouts) -> None:
    dev, origin = checkouts
    cfg = write_config(tmp_path / "environments.yaml", {
        "dev": {"transport": "local", "path": str(dev.path)},
        "github": {"transport": "git", "url": str(origin)},
    })
    result = api.diff(["dev", "github"], config=str(cfg))
    assert files_rows(result) == {}
    snaps = {s["environment"]: s for s in result.snapshots}
    for env in ("dev", "github"):
        entry = snaps[env]["collectors"]["files"]["data"]["files"]["config/app.yml"]
        assert entry == {"size": 0, "type": "symlink", "target": "app.prod.yml"}, env


def test_a_link_pointing_elsewhere_is_a_content_difference(tmp_path, checkouts, git_repo) -> None:
    dev, origin = checkouts
    prod = git_repo("prod")
    prod.git("pull", "-q", str(origin), "main")
    os.remove(prod.path / "config" / "app.yml")
    os.symlink("app.dev.yml", prod.path / "config" / "app.yml")
    prod.git("commit", "-q", "-am", "hotfix on the server: dev settings")
    cfg = write_config(tmp_path / "environments.yaml", {
        "dev": {"transport": "local", "path": str(dev.path)},
        "prod": {"transport": "local", "path": str(prod.path)},
    })
    rows = files_rows(api.diff(["dev", "prod"], config=str(cfg)))
    assert rows == {"files.config": ["config/app.yml: content differs (dev | prod)"]}
