"""Snapshots on disk under concurrency and faults (issue 14, acceptance 4)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from driftctl.errors import SnapshotError
from driftctl.snapshot_store import WriteError, latest, read_snapshot, write_snapshot
from tests.helpers import write_config

ROOT = Path(__file__).resolve().parents[2]


def doc(env: str, stamp: str = "2026-01-01T00:00:00Z") -> dict:
    return {"schema_version": 1, "environment": env, "collected_at": stamp, "complete": True, "error": None,
            "collectors": {}}


def test_same_second_snapshots_keep_their_own_files(tmp_path: Path) -> None:
    paths = [write_snapshot(tmp_path, doc("prod")) for _ in range(5)]
    assert [p.name for p in paths] == ["20260101T000000Z.json", *(f"20260101T000000Z-{n}.json" for n in range(2, 6))]
    assert not [p for p in (tmp_path / "snapshots/prod").iterdir() if p.name.startswith(".")]


def test_twenty_concurrent_snapshot_commands_keep_all_twenty(git_repo, tmp_path: Path) -> None:
    """Acceptance 4: 20 `driftctl snapshot` processes at once into one reports folder."""
    repo = git_repo("app")
    repo.commit({"docker-compose.yml": "services:\n  a:\n    image: x\n"}, "initial")
    write_config(repo.path / "environments.yaml", {
        "one": {"transport": "local", "path": ".", "collectors": ["git", "env"]},
        "two": {"transport": "local", "path": ".", "collectors": ["git", "env"]},
    })
    env = dict(os.environ, DRIFTCTL_REPORTS_DIR=str(tmp_path / "reports"))
    # 20 real processes, forked from one interpreter that imported driftctl once, released together
    (tmp_path / "out").mkdir()
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"n": 20, "args": ["snapshot"], "cwd": str(repo.path), "env": env,
                                "folder": str(tmp_path / "out")}))
    launcher = subprocess.run([sys.executable, "-m", "tests.robust.fork_many", str(spec)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
    assert launcher.returncode == 0, launcher.stderr
    runs = json.loads(launcher.stdout)
    assert [r["status"] for r in runs] == [0] * 20, [r["stderr"] for r in runs]
    for name in ("one", "two"):
        files = [p for p in (tmp_path / "reports/snapshots" / name).iterdir() if p.name != "latest.json"]
        assert len(files) == 20, sorted(f.name for f in files)
        for f in files + [tmp_path / "reports/snapshots" / name / "latest.json"]:
            assert json.loads(f.read_text())["environment"] == name


def test_read_only_reports_folder_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder = tmp_path / "snapshots" / "prod"
        folder.parent.mkdir(parents=True)
        folder.write_text("a file where the folder should be")  # fails for root too
        with pytest.raises(WriteError, match=r"cannot write to .*snapshots/prod"):
            write_snapshot(tmp_path, doc("prod"))
        return
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots").chmod(0o500)
    with pytest.raises(WriteError, match=r"cannot write to .*snapshots"):
        write_snapshot(tmp_path, doc("prod"))


def test_disk_full_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file's descriptor is pointed at /dev/full, which answers every write with a real
    ENOSPC from the kernel: the error is one line naming the folder and nothing is left behind."""
    folder = tmp_path / "snapshots" / "prod"
    folder.mkdir(parents=True)
    real_fdopen = os.fdopen

    def full_disk(fd: int, *args: object, **kwargs: object):  # a real ENOSPC from the kernel
        os.dup2(os.open("/dev/full", os.O_WRONLY), fd)
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", full_disk)
    with pytest.raises(WriteError, match=r"cannot write to .*snapshots/prod: no space left on device"):
        write_snapshot(tmp_path, doc("prod"))
    monkeypatch.undo()
    assert list(folder.iterdir()) == []


def test_snapshot_of_another_environment_is_refused(tmp_path: Path) -> None:
    write_snapshot(tmp_path, doc("prod"))
    folder = tmp_path / "snapshots" / "staging"
    folder.mkdir(parents=True)
    (folder / "latest.json").write_text((tmp_path / "snapshots/prod/latest.json").read_text())
    with pytest.raises(SnapshotError, match='is a snapshot of "prod", not of "staging"'):
        latest(tmp_path, "staging")


@pytest.mark.parametrize("text, message", [
    ("[]", "not a driftctl snapshot"),
    ('{"schema_version": 1, "environment": "x", "collectors": []}', "collectors: expected a mapping"),
    ('{"schema_version": 1, "environment": "x", "collectors": {"git": {"status": "maybe"}}}', "status"),
    ('{"schema_version": 1, "environment": "../x"}', "is not an environment name"),
    ('{"schema_version": true, "environment": "x"}', "schema_version"),
    ('{"schema_version": 1, "environment": "x", "complete": "yes"}', "complete: wrong type"),
    ("[" * 100_000, "nested too deeply"),
    ('{"schema_version": 1, "environment": "x"', "invalid JSON"),
])
def test_malformed_snapshots_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(SnapshotError, match=message) as err:
        read_snapshot(path)
    assert "\n" not in err.value.message


def test_a_bad_snapshot_file_fails_before_any_environment_is_collected(git_repo, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`diff a b --snapshot good --snapshot bad`: the bad file is one clear line, and no target was reached
    for it (no git ran in the checkout: a typo in a path costs nothing, not a collection of every target)."""
    from tests.robust.harness import invoke

    repo = git_repo("app")
    repo.commit({"a.txt": "x\n"}, "initial")
    write_config(repo.path / "environments.yaml", {"a": {"transport": "local", "path": "."},
                                                   "b": {"transport": "local", "path": "."}})
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(doc("old")))
    bad.write_text('{"schema_version": 1, "environment"')
    log = tmp_path / "git.log"
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "git").write_text(f"#!/bin/sh\necho \"$*\" >> '{log}'\nexec {shutil.which('git')} \"$@\"\n")
    (shims / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    run = invoke(["diff", "a", "b", "--snapshot", str(good), "--snapshot", str(bad)], repo.path)
    assert run.code == 2 and run.err_lines == [f"error: {bad}:1: not a valid snapshot (invalid JSON: Expecting ':' delimiter)"], run.err
    assert not log.exists(), log.read_text()
    run = invoke(["diff", "a", "b", "--snapshot", str(good)], repo.path)  # the same call with good files collects
    assert run.code in (0, 1) and log.exists(), run.err
