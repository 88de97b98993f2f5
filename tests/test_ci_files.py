"""The bundled GitHub workflow and the composite action: actionlint (with shellcheck) passes, the
action's scripts pass shellcheck, and the action's check script behaves on a real project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.fixtures.gitrepos import clone

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "drift-check.yml"


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed: `pip install -e '.[test]'` brings it (see pyproject.toml)"
    return path


def test_workflow_and_action_pass_actionlint_with_shellcheck() -> None:
    proc = subprocess.run([tool("actionlint"), "-oneline", "-shellcheck", tool("shellcheck"), str(WORKFLOW)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def action_scripts() -> list[tuple[str, str]]:
    doc = yaml.safe_load(ACTION.read_text())
    return [(s.get("name", "?"), s["run"]) for s in doc["runs"]["steps"] if "run" in s]


@pytest.mark.parametrize("name,script", action_scripts(), ids=[n for n, _ in action_scripts()])
def test_action_scripts_pass_shellcheck(name, script) -> None:
    assert "${{" not in script, f"{name}: expressions go through env:, never into the script"
    proc = subprocess.run([tool("shellcheck"), "-s", "bash", "-"], input=script, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout


def test_action_inputs_and_the_workflow_uses_it() -> None:
    doc = yaml.safe_load(ACTION.read_text())
    assert doc["runs"]["using"] == "composite"
    assert {"config", "environments", "fail-on", "formats", "reports-dir"} <= set(doc["inputs"])
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["drift-check"]["steps"]
    assert any(s.get("uses") == "./" for s in steps)


def test_action_check_script_on_a_real_project(tmp_path, bare_origin, git_repo) -> None:
    """The action's check step, run by bash as Actions would, on a project `driftctl init` set up."""
    origin = bare_origin()
    seed = git_repo("seed")
    seed.commit({"docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n"}, "initial")
    seed.git("remote", "add", "origin", str(origin))
    seed.git("push", "-q", "origin", "main")
    work = clone(origin, tmp_path / "app")
    init = subprocess.run([sys.executable, "-m", "driftctl", "init"], cwd=work.path, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    script = dict(action_scripts())["driftctl check"]
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    env = dict(os.environ, CONFIG="environments.yaml", ENVIRONMENTS="local remote", FAIL_ON="any",
               FORMATS="json junit plain", REPORTS_DIR="reports", GITHUB_OUTPUT=str(output),
               GITHUB_STEP_SUMMARY=str(summary), DRIFTCTL_FINGERPRINT_KEY="")
    driftctl_bin = tmp_path / "bin"
    driftctl_bin.mkdir()
    (driftctl_bin / "driftctl").write_text(f"#!/bin/sh\nexec {sys.executable} -m driftctl \"$@\"\n")
    (driftctl_bin / "driftctl").chmod(0o755)
    env["PATH"] = f"{driftctl_bin}{os.pathsep}{env['PATH']}"
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=work.path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert output.read_text().strip() == "exit-code=0"
    assert "environment comparison" in summary.read_text() or "in sync" in summary.read_text()
    reports = work.path / "reports"
    assert json.loads((reports / "drift.json").read_text())["environments"] == ["local", "remote"]
    assert (reports / "drift.xml").read_text().startswith("<?xml")
    assert (reports / "drift.tsv").read_text().startswith("component\tlocal\tremote")
    # drift makes the step fail with check's code, reports still written
    (work.path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:1.28\n")
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=work.path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1 and output.read_text().strip().endswith("exit-code=1")
