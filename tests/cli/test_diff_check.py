"""`driftctl diff` and `driftctl check`: exact exit codes (0 in sync/expected, 1 drift, 2 error,
3 incomplete) and one-line messages, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.differ.scenario import CALM_THRESHOLDS, build, local_envs
from tests.helpers import driftctl, write_config

CASES = Path(__file__).parent.parent / "differ" / "cases"


def case_files(case: str) -> list[str]:
    return [str(p) for p in sorted((CASES / case).glob("[0-9]*.json"))]


def snapshot_args(paths: list[str]) -> list[str]:
    return [arg for p in paths for arg in ("--snapshot", p)]


def write_snapshot(path: Path, snap: dict) -> str:
    path.write_text(json.dumps(snap))
    return str(path)


@pytest.fixture
def quiet(tmp_path) -> Path:
    """A folder with no environments.yaml, for runs on snapshot files only."""
    return tmp_path


# --- exit codes on saved snapshots ---------------------------------------------------------------

def test_in_sync_exits_0(quiet) -> None:
    run = driftctl("diff", *snapshot_args(case_files("noise_free")), cwd=quiet)
    assert run.code == 0, run.err
    assert "0 critical, 0 moderate, 0 low, 0 expected" in run.out


def test_drift_exits_1_with_the_summary_line(quiet) -> None:
    run = driftctl("diff", *snapshot_args(case_files("branch_diverged")), cwd=quiet)
    assert run.code == 1, run.err
    assert "Current Branch" in run.out and "DIVERGED" in run.out
    assert "1 critical, 0 moderate, 0 low" in run.out


def test_incomplete_without_drift_exits_3(quiet, tmp_path) -> None:
    a, b = (json.loads(Path(p).read_text()) for p in case_files("noise_free"))
    b["collectors"]["containers"] = {"status": "error", "error": "Cannot connect to the Docker daemon"}
    b["complete"] = False
    files = [write_snapshot(tmp_path / "a.json", a), write_snapshot(tmp_path / "b.json", b)]
    run = driftctl("diff", *snapshot_args(files), "--format", "json", cwd=quiet)
    assert run.code == 3, run.err
    doc = json.loads(run.out)
    assert doc["incomplete"] == [{"environment": "aws", "collector": "containers", "error": "Cannot connect to the Docker daemon"}]
    assert "aws: not collected: containers: Cannot connect to the Docker daemon" in run.err
    assert driftctl("check", *snapshot_args(files), cwd=quiet).code == 3


def test_drift_wins_over_incomplete(quiet, tmp_path) -> None:
    a, b = (json.loads(Path(p).read_text()) for p in case_files("branch_diverged"))
    b["collectors"]["containers"] = {"status": "error", "error": "boom"}
    files = [write_snapshot(tmp_path / "a.json", a), write_snapshot(tmp_path / "b.json", b)]
    assert driftctl("diff", *snapshot_args(files), cwd=quiet).code == 1


def test_fail_on_levels(quiet) -> None:
    files = snapshot_args(case_files("files_and_worktree"))  # critical and moderate findings
    assert driftctl("check", *files, "--fail-on", "critical", cwd=quiet).code == 1
    files = snapshot_args(case_files("files_diverged"))  # one critical row only
    assert driftctl("check", *files, "--fail-on", "moderate", cwd=quiet).code == 1
    low_only = snapshot_args(case_files("head_behind"))  # one moderate row
    assert driftctl("check", *low_only, "--fail-on", "critical", cwd=quiet).code == 0
    assert driftctl("check", *low_only, "--fail-on", "any", cwd=quiet).code == 1


# --- errors: exit 2, one line --------------------------------------------------------------------

@pytest.fixture
def project(tmp_path) -> Path:
    write_config(tmp_path / "environments.yaml", {"local": {"transport": "local", "path": "."},
                                                  "aws": {"transport": "local", "path": "."}})
    return tmp_path


def test_unknown_environment_exits_2_naming_the_known_ones(project) -> None:
    for command in ("diff", "check"):
        run = driftctl(command, "local", "nope", cwd=project)
        assert run.code == 2
        assert run.err.strip() == "error: unknown environment 'nope'; known: local, aws"


def test_malformed_config_exits_2_with_file_and_line(tmp_path) -> None:
    (tmp_path / "environments.yaml").write_text(
        "version: 1\nenvironments:\n  aws:\n    transport: ssh\n    host: h\n    path: /srv\n    port: abc\n")
    for command in ("diff", "check"):
        run = driftctl(command, "aws", "aws", cwd=tmp_path)
        assert run.code == 2
        assert run.err.strip() == 'error: environments.yaml:7: environments.aws.port: expected an integer, got "abc"'


def test_bad_rule_regex_exits_2_with_file_and_line(tmp_path) -> None:
    write_config(tmp_path / "environments.yaml", {"local": {"transport": "local"}},
                 {"components": {"mode": {"title": "Mode", "path": "compose.x", "values": {"(": "broken"}}}})
    run = driftctl("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("error: environments.yaml:") and "rules.components.mode.values: invalid regex '('" in run.err


def test_usage_errors_exit_2(project, quiet) -> None:
    run = driftctl("diff", "local", cwd=project)
    assert (run.code, run.err.strip()) == (2, "error: diff needs at least two environments (names or --snapshot files)")
    run = driftctl("diff", "local", "aws", "--format", "yaml", cwd=project)
    assert run.code == 2 and "unknown format 'yaml'" in run.err
    run = driftctl("diff", "local", "aws", "--only", "everything", cwd=project)
    assert run.code == 2 and "unknown --only 'everything'" in run.err
    run = driftctl("check", "--fail-on", "sometimes", cwd=project)
    assert run.code == 2 and "unknown --fail-on 'sometimes'" in run.err
    run = driftctl("diff", "--snapshot", str(quiet / "missing.json"), "--snapshot", str(quiet / "m2.json"), cwd=quiet)
    assert run.code == 2 and run.err.strip().endswith("missing.json: snapshot not found")


def test_cached_without_snapshots_exits_2(project) -> None:
    run = driftctl("diff", "--cached", "local", "aws", cwd=project)
    assert run.code == 2
    assert "no cached snapshot of 'local'" in run.err and "run `driftctl snapshot local` first" in run.err


def test_newer_snapshot_schema_exits_2(quiet, tmp_path) -> None:
    a, b = (json.loads(Path(p).read_text()) for p in case_files("noise_free"))
    b["schema_version"] = 99
    files = [write_snapshot(tmp_path / "a.json", a), write_snapshot(tmp_path / "b.json", b)]
    run = driftctl("diff", *snapshot_args(files), cwd=quiet)
    assert run.code == 2 and "snapshot schema version 99 is newer" in run.err


# --- rules --------------------------------------------------------------------------------------

def test_expected_rule_exits_0_and_ignore_rule_removes_the_row(tmp_path) -> None:
    (tmp_path / "environments.yaml").write_text("version: 1\nenvironments: {}\n")
    files = snapshot_args(case_files("rules_pairs_and_ignore")[:2])  # local and aws
    run = driftctl("check", *files, "--format", "json", cwd=tmp_path)
    assert run.code == 1
    assert {r["component"] for r in json.loads(run.out)["rows"]} == {"env.env.API_KEY", "env.env.DEBUG"}

    write_config(tmp_path / "environments.yaml", {}, {
        "expected": [{"component": "env.*API_KEY*", "environments": ["local", "aws"], "reason": "testnet vs production"}],
        "ignore": ["env.env.DEBUG"]})
    run = driftctl("check", *files, "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.out
    doc = json.loads(run.out)
    assert [(r["component"], r["status"]) for r in doc["rows"]] == [("env.env.API_KEY", "EXPECTED")]
    assert "expected by rule `env.*API_KEY*`: testnet vs production (would be MISMATCH moderate)" in doc["rows"][0]["details"]
    assert doc["summary"]["expected"] == 1 and doc["summary"]["moderate"] == 0
    assert driftctl("diff", *files, cwd=tmp_path).code == 0

    shown = driftctl("diff", *files, "--format", "json", "--show-ignored", cwd=tmp_path)
    rows = {r["component"]: r for r in json.loads(shown.out)["rows"]}
    assert rows["env.env.DEBUG"]["ignored"] is True and shown.code == 0


# --- baselines ----------------------------------------------------------------------------------

def test_check_against_a_snapshot_baseline(quiet, tmp_path) -> None:
    local, aws = case_files("noise_free")
    run = driftctl("check", "--baseline", local, "--snapshot", local, "--format", "json", cwd=quiet)
    assert run.code == 0, run.out
    assert json.loads(run.out)["environments"] == ["baseline", "local"]
    changed = json.loads(Path(local).read_text())
    changed["collectors"]["git"]["data"]["branch"] = "hotfix"
    run = driftctl("check", "--baseline", local, "--snapshot", write_snapshot(tmp_path / "c.json", changed), cwd=quiet)
    assert run.code == 1


def test_check_against_a_diff_baseline_accepts_known_differences(quiet, tmp_path) -> None:
    files = snapshot_args(case_files("branch_diverged"))
    saved = tmp_path / "accepted.json"
    assert driftctl("diff", *files, "--format", "json", "--output", str(saved), cwd=quiet).code == 1
    assert json.loads(saved.read_text())["schema"] == "driftctl.diff/v1"
    run = driftctl("check", *files, "--baseline", str(saved), "--format", "json", cwd=quiet)
    assert run.code == 0, run.out
    assert any(d.startswith(f"accepted in baseline {saved}") for d in json.loads(run.out)["rows"][0]["details"])
    # a new difference is not accepted
    a, b = (json.loads(Path(p).read_text()) for p in case_files("branch_diverged"))
    b["collectors"]["host"]["data"]["memory"]["used_percent"] = 91.0
    new = snapshot_args([write_snapshot(tmp_path / "a.json", a), write_snapshot(tmp_path / "b.json", b)])
    assert driftctl("check", *new, "--baseline", str(saved), cwd=quiet).code == 1


# --- live collection ----------------------------------------------------------------------------

def test_live_diff_saves_snapshots_and_reports_drift(tmp_path) -> None:
    incident = build(tmp_path)
    write_config(incident.workdir / "environments.yaml", local_envs(incident), CALM_THRESHOLDS)
    run = driftctl("diff", "local", "aws", "--format", "markdown", cwd=incident.workdir)
    assert run.code == 1, run.err
    assert "| **Current Branch** | `main` | `aws-deployment` | 🔴 DIVERGED |" in run.out
    assert (incident.workdir / "reports/snapshots/local/latest.json").exists()
    assert (incident.workdir / "reports/snapshots/aws/latest.json").exists()


def test_live_incomplete_exits_3(git_repo, tmp_path) -> None:
    repo = git_repo("app")
    repo.commit({"docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n", ".gitignore": "reports/\n"}, "initial")
    envs = {"local": {"transport": "local", "path": str(repo.path)},
            "copy": {"transport": "local", "path": str(repo.path), "compose_files": ["missing.yml"]}}
    write_config(tmp_path / "environments.yaml", envs, CALM_THRESHOLDS)
    run = driftctl("check", "local", "copy", "--format", "json", cwd=tmp_path)
    assert run.code == 3, run.out + run.err
    doc = json.loads(run.out)
    assert [(i["environment"], i["collector"]) for i in doc["incomplete"]] == [("copy", "compose")]
    assert [(r["component"], r["status"]) for r in doc["rows"]] == [("collector.compose", "UNKNOWN")]
    assert "warning: copy: not collected: compose: compose file not found: missing.yml" in run.err


def test_same_environment_twice_gets_distinct_columns(quiet) -> None:
    local = case_files("noise_free")[0]
    run = driftctl("diff", "--snapshot", local, "--snapshot", local, "--format", "json", cwd=quiet)
    assert run.code == 0
    assert json.loads(run.out)["environments"] == ["local", "local@2025-01-15T10:00:00Z"]


def test_check_component_selects_the_rows_a_metric_needs(quiet) -> None:
    files = snapshot_args(case_files("branch_diverged"))
    assert driftctl("check", *files, "--component", "git.branch", cwd=quiet).code == 1
    only_other = driftctl("check", *files, "--component", "code_health.*", "--format", "json", cwd=quiet)
    assert only_other.code == 0, only_other.err
    assert json.loads(only_other.out)["rows"] == []
