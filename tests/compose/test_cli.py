"""`driftctl compose config`: output, and one-line errors with file and location (exit 2)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.compose.helpers import PROJECTS, clean_env
from tests.fixtures.forkrun import run_driftctl


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    # COLUMNS keeps rich from wrapping the error line at the default 80 columns
    return run_driftctl(args, cwd=cwd, timeout=60, env=clean_env(COLUMNS="400", **env))


def test_default_files_json_and_yaml(tmp_path: Path) -> None:
    proc = run(["compose", "config"], PROJECTS / "webapp")
    assert proc.returncode == 0, proc.stderr
    model = json.loads(proc.stdout)
    assert model["name"] == "webapp"
    assert model["services"]["api"]["ports"][0]["published"] == "18000"  # the override file was merged
    yaml_out = run(["compose", "config", "--format", "yaml"], PROJECTS / "webapp")
    assert yaml_out.returncode == 0 and yaml_out.stdout.startswith("name: webapp")


ERRORS = {
    "invalid-template": ('services:\n  a:\n    image: x\n    labels:\n      v: "${"\n',
                         ':5: services.a.labels.v: Invalid template: a `$` is followed by'),
    "missing-required": ("services:\n  a:\n    image: x\n    environment:\n      - A=${NEED:?set it}\n",
                         ":5: services.a.environment.0: required variable NEED is missing a value"),
    "malformed-yaml": ("services:\n  a: [\n", ":3: invalid YAML: "),
    "unknown-tag": ("services:\n  a:\n    image: !foo x\n", ":3: invalid YAML: unknown tag !foo"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_are_one_line_with_file_and_location(case: str, tmp_path: Path) -> None:
    text, expected = ERRORS[case]
    (tmp_path / "compose.yml").write_text(text, encoding="utf-8")
    proc = run(["compose", "config", "-f", "compose.yml"], tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: {tmp_path / 'compose.yml'}{expected}")
    assert "Traceback" not in proc.stderr


def test_missing_env_file_option(tmp_path: Path) -> None:
    (tmp_path / "compose.yml").write_text("services:\n  a:\n    image: x\n", encoding="utf-8")
    proc = run(["compose", "config", "-f", "compose.yml", "--env-file", "nope.env"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {tmp_path / 'nope.env'}: env file not found"


def test_env_option_reads_the_environments_checkout(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "base.yml").write_text("services:\n  a:\n    image: app:${TAG:-1}\n", encoding="utf-8")
    (checkout / "prod.env").write_text("TAG=2\n", encoding="utf-8")
    (tmp_path / "environments.yaml").write_text(
        "version: 1\nenvironments:\n  dev:\n    transport: local\n    path: checkout\n"
        "    compose_files: [base.yml]\n    env_files: [prod.env]\n", encoding="utf-8")
    proc = run(["compose", "config", "--env", "dev", "-c", "environments.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    model = json.loads(proc.stdout)
    assert model["name"] == "checkout"
    assert model["services"]["a"]["image"] == "app:2"
