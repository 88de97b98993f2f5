"""Files on a target are read through one guard: regular files inside the checkout, under the cap.

Runs the real collectors over a real local checkout (the same `sh -c` guard runs over SSH)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import write_config
from tests.robust.harness import assert_clean_failure, invoke


@pytest.fixture
def checkout(git_repo, tmp_path):
    repo = git_repo("app")
    repo.commit({"docker-compose.yml": "services:\n  a:\n    image: x\n"}, "initial")
    return repo.path


def snapshot_of(root: Path, env_files: list[str], **extra: object) -> dict:
    write_config(root / "environments.yaml", {"local": {"transport": "local", "path": ".",
                                                       "env_files": env_files, **extra}})
    run = invoke(["snapshot", "local"], root)
    assert_clean_failure(run, codes={0, 3}, max_lines=3)
    return json.loads((root / "reports/snapshots/local/latest.json").read_text())


def test_env_files_outside_or_special_are_reported_not_read(checkout: Path, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("ROOT_PASSWORD=canary-outside-1234\n")
    (checkout / ".env").symlink_to(secret)
    os.mkfifo(checkout / "pipe.env")
    (checkout / "null.env").symlink_to("/dev/null")
    snap = snapshot_of(checkout, [".env", "pipe.env", "null.env", str(secret), "../shadow"])
    files = snap["collectors"]["env"]["data"]["files"]
    assert files[".env"] == {"exists": True, "error": "not read: outside the checkout"}
    assert files[str(secret)] == {"exists": True, "error": "not read: outside the checkout"}
    assert files["../shadow"] == {"exists": True, "error": "not read: outside the checkout"}
    assert files["pipe.env"] == {"exists": True, "error": "not read: is a FIFO; only regular files are read"}
    assert files["null.env"]["error"] == "not read: outside the checkout"
    assert "canary-outside" not in json.dumps(snap)


def test_env_file_over_the_cap_is_reported(checkout: Path) -> None:
    (checkout / ".env").write_text("A=" + "x" * 5000 + "\n")
    snap = snapshot_of(checkout, [".env"], max_file_bytes=1000)
    assert snap["collectors"]["env"]["data"]["files"][".env"] == {
        "exists": True, "error": "not read: larger than 1000 bytes"}


def test_compose_file_symlinked_out_fails_compose_only(checkout: Path, tmp_path: Path) -> None:
    outside = tmp_path / "evil.yml"
    outside.write_text("services: {}\n")
    (checkout / "docker-compose.yml").unlink()
    (checkout / "docker-compose.yml").symlink_to(outside)
    snap = snapshot_of(checkout, [".env"])
    compose = snap["collectors"]["compose"]
    assert compose["status"] == "error" and "outside the checkout" in compose["error"]
    assert snap["complete"] is False and snap["collectors"]["git"]["status"] == "ok"
