"""An inventory cut by its command timeout is an error of the files collector and an incomplete
snapshot, never an empty inventory that says it is whole (real files, the real local runner)."""

from __future__ import annotations

import pytest

from driftctl import api
from tests.helpers import write_config

pytestmark = pytest.mark.integration


def test_an_inventory_past_its_timeout_makes_the_snapshot_incomplete(tmp_path, git_repo) -> None:
    repo = git_repo("dev")
    repo.commit({"docker-compose.yml": "services:\n  a:\n    image: x\n", "app.py": "print(1)\n"}, "initial")
    with open(repo.path / "disk.img", "wb") as fh:  # untracked, not ignored: listed and hashed
        fh.truncate(64 << 30)  # sparse: no disk used, but sha256sum would read 64 GiB of zeros
    cfg = write_config(tmp_path / "environments.yaml", {
        "dev": {"transport": "local", "path": str(repo.path), "command_timeout": 1,
                "collectors": ["files"]},
    })
    snap, = api.snapshot(["dev"], config=str(cfg)).snapshots
    files = snap["collectors"]["files"]
    assert snap["complete"] is False
    assert files.get("data") is None
    assert "timed out" in files["error"], files
