"""`python -m driftctl demo` end to end: the seed's rows, the quick-fix plan, the same story over a
real sshd, and nothing left behind.

`--dir DIR` without `--keep`: DIR/sandbox is removed after the run, DIR/reports stays (the reports are
the demo's output). Without `--dir`: the sandbox is a temp dir (removed) and the reports go to
./reports/demo.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.demo.helpers import SEED_STATUSES, assert_seed_rows, demo_env, plan_steps, rows, run_demo, run_json
from tests.fixtures.forkrun import run_driftctl

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess, dict]:
    cwd = tmp_path_factory.mktemp("demo-local")
    proc, doc = run_json(cwd, "--dir", str(cwd / "d"), "--keep")
    return cwd, proc, doc


@pytest.fixture(scope="module")
def ssh_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess, dict]:
    if not os.path.exists("/usr/sbin/sshd"):
        pytest.fail("/usr/sbin/sshd not found: install openssh-server (the SSH demo test is not optional)")
    cwd = tmp_path_factory.mktemp("demo-ssh")
    proc, doc = run_json(cwd, "--ssh", "--dir", str(cwd / "d"), "--keep")
    return cwd, proc, doc


def test_demo_shows_the_seed_rows_and_exits_1(local_run) -> None:
    _, proc, doc = local_run
    assert proc.returncode == 1, proc.stderr
    assert doc["aws_transport"] == "local"
    assert_seed_rows(doc)


def test_plan_starts_with_rollback_points_then_rescue(local_run) -> None:
    _, _, doc = local_run
    steps = plan_steps(doc)
    assert steps[0] == ("Rollback points", "tag-local")
    assert {"tag-local", "tag-aws"} <= {s for p, s in steps if p == "Rollback points"}
    restore = [i for i, (_, s) in enumerate(steps) if s.startswith("restore-local-")]
    assert len(restore) == 2  # both *_working modules come back to local


def test_plan_rescues_the_untracked_files_over_the_local_transport(local_run) -> None:
    steps = [s for _, s in plan_steps(local_run[2])]
    assert "rescue-aws" in steps and steps.index("rescue-aws") < steps.index("restore-local-gateio_oi_provider_working")


def test_ssh_gives_the_same_rows(local_run, ssh_run) -> None:
    _, proc, doc = ssh_run
    assert proc.returncode == 1, proc.stderr
    assert doc["aws_transport"] == "ssh"
    assert_seed_rows(doc)
    statuses = lambda d: {c: (r["status"], r["severity"], r["values"]) for c, r in rows(d).items()}  # noqa: E731
    local, over_ssh = statuses(local_run[2]), statuses(doc)
    assert over_ssh.keys() == local.keys()
    for component in SEED_STATUSES:
        assert over_ssh[component] == local[component], component
    snapshot = next((Path(doc["reports"]["snapshots"]) / "aws").glob("2*.json")).read_text()
    assert '"transport": "ssh"' in snapshot


def test_ssh_plan_rescues_the_untracked_files(ssh_run) -> None:
    steps = plan_steps(ssh_run[2])
    assert steps[0][0] == "Rollback points"
    ids = [s for _, s in steps]
    assert "rescue-aws" in ids
    assert ids.index("rescue-aws") < ids.index("restore-local-gateio_oi_provider_working")
    assert all(p == "Rollback points" for p, _ in steps[: ids.index("document-diff-aws")])


def test_ssh_server_is_stopped(ssh_run) -> None:
    ssh_dir = Path(ssh_run[2]["sandbox"]["path"]) / "ssh"
    assert "Received signal 15; terminating." in (ssh_dir / "sshd.log").read_text()
    config = str(ssh_dir / "sshd_config").encode()
    running = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if config in cmdline.read_bytes():
                running.append(cmdline.parent.name)
        except OSError:
            continue  # the process ended while we looked
    assert running == []


def test_kept_sandbox_is_a_working_driftctl_project(local_run) -> None:
    cwd, _, doc = local_run
    sandbox = Path(doc["sandbox"]["path"])
    assert doc["sandbox"]["kept"] and sandbox == cwd / "d" / "sandbox"
    proc = run_driftctl(["diff", "local", "aws", "github", "--format", "json"], cwd=sandbox, env=demo_env(cwd / "home"),
                        timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert '"bot_mode"' in proc.stdout


def test_reports_are_written(local_run) -> None:
    _, _, doc = local_run
    reports = {k: Path(v) for k, v in doc["reports"].items()}
    assert reports["diff_json"].parent == Path(doc["sandbox"]["path"]).parent / "reports"
    assert "Bot Mode" in reports["diff_markdown"].read_text()
    assert '"schema": "driftctl.plan/v1"' in reports["plan_json"].read_text()
    assert {p.name for p in reports["snapshots"].iterdir()} == {"local", "aws", "github"}


def test_nothing_left_behind_without_keep(tmp_path: Path) -> None:
    proc = run_demo(tmp_path, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert list((tmp_path / "home" / "tmp").iterdir()) == []  # the temp sandbox is gone
    assert (tmp_path / "reports" / "demo" / "diff.json").is_file()


def test_dir_without_keep_removes_the_sandbox_and_keeps_the_reports(tmp_path: Path) -> None:
    proc = run_demo(tmp_path, "--format", "json", "--dir", str(tmp_path / "d"))
    assert proc.returncode == 1, proc.stderr
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["reports"]
    assert not (tmp_path / "reports").exists()


def test_table_output_says_what_is_simulated(tmp_path: Path) -> None:
    proc = run_demo(tmp_path, "--dir", str(tmp_path / "d"))
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    for text in ("simulated:", "real:", "Bot Mode", "INCONSISTENT", "Service Discovery", "Rollback points",
                 "reports:", "next: point driftctl at your real environments"):
        assert text in out, text
    assert out.index("simulated:") < out.index("Bot Mode") < out.index("Rollback points") < out.index("reports:")


def test_refuses_a_used_sandbox_dir(tmp_path: Path) -> None:
    (tmp_path / "d" / "sandbox").mkdir(parents=True)
    (tmp_path / "d" / "sandbox" / "mine.txt").write_text("keep me")
    proc = run_demo(tmp_path, "--dir", str(tmp_path / "d"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'd' / 'sandbox'} already exists and is not empty; remove it or choose another --dir"]
    assert (tmp_path / "d" / "sandbox" / "mine.txt").read_text() == "keep me"


def test_kept_sandbox_plan_applies_and_fixes_the_oi_imports(tmp_path: Path) -> None:
    """The walkthrough's next step: the demo's plan is current for `apply`, and applying it fixes `/oi`."""
    proc, _ = run_json(tmp_path, "--dir", str(tmp_path / "d"), "--keep")
    assert proc.returncode == 1, proc.stderr
    sandbox, plan = tmp_path / "d" / "sandbox", tmp_path / "d" / "reports" / "plan.json"
    env = demo_env(tmp_path / "home")  # the demo's own home: same fingerprint key, same caches
    applied = run_driftctl(["apply", str(plan), "-c", "environments.yaml", "--yes"], cwd=sandbox, env=env, timeout=120)
    assert applied.returncode == 0, applied.stderr
    check = run_driftctl(["check", "local", "--component", "code_health.*", "-c", "environments.yaml"], cwd=sandbox,
                         env=env, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
