"""Acceptance (4): an unreachable configured engine is an error (exit 3); no engine at all is skipped."""

from __future__ import annotations

import json

import pytest

from tests.containers.helpers import containers_outcome, run_cli, snapshot, write_config, write_project

pytestmark = pytest.mark.integration

COMPOSE = "services:\n  app:\n    image: driftctl-test/busybox:1\n"


def _latest(tmp_path, env: str) -> dict:
    return json.loads((tmp_path / "reports" / "snapshots" / env / "latest.json").read_text())


def test_configured_engine_unreachable_is_one_line_exit_3(tmp_path):
    write_project(tmp_path / "app", {"compose.yml": COMPOSE})
    gone = tmp_path / "gone.sock"
    cfg = write_config(tmp_path, {"app": {"transport": "local", "path": "app", "docker_host": f"unix://{gone}"}})

    proc = run_cli(["snapshot", "app", "-c", str(cfg)], cwd=tmp_path)

    assert proc.returncode == 3, proc.stdout + proc.stderr
    message = f"cannot reach the Docker engine at unix://{gone}: no such socket"
    output = " ".join((proc.stdout + proc.stderr).split())  # the terminal may wrap long lines
    assert f"containers: {message}" in output
    snap = _latest(tmp_path, "app")
    assert snap["collectors"]["containers"]["status"] == "error"
    assert snap["collectors"]["containers"]["error"] == message
    assert "\n" not in message
    assert snap["collectors"]["compose"]["status"] == "ok"
    assert snap["collectors"]["compose"]["data"]["services"]["app"]["image"] == "driftctl-test/busybox:1"


def test_docker_host_from_environment_counts_as_configured(tmp_path, monkeypatch):
    write_project(tmp_path / "app", {"compose.yml": COMPOSE})
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")  # discard port: nothing listens
    cfg = write_config(tmp_path, {"app": {"transport": "local", "path": "app"}})

    outcome = containers_outcome(snapshot(cfg, "app"))

    assert outcome["status"] == "error"
    assert outcome["error"].startswith("cannot reach the Docker engine at tcp://127.0.0.1:9: ")


def test_no_engine_anywhere_is_skipped_exit_0(tmp_path):
    write_project(tmp_path / "app", {"compose.yml": COMPOSE})
    cfg = write_config(tmp_path, {"app": {"transport": "local", "path": "app"}})

    proc = run_cli(["snapshot", "app", "-c", str(cfg)], cwd=tmp_path,
                   env={"DRIFTCTL_DEFAULT_DOCKER_SOCKET": str(tmp_path / "no-docker.sock")})

    assert proc.returncode == 0, proc.stdout + proc.stderr
    snap = _latest(tmp_path, "app")
    assert snap["collectors"]["containers"]["status"] == "skipped"
    assert snap["collectors"]["containers"]["error"] == "no Docker engine found"
    assert snap["complete"] is True


def test_ssh_configured_engine_unreachable(tmp_path, sshd):
    project = write_project(tmp_path / "app", {"compose.yml": COMPOSE})
    gone = tmp_path / "gone.sock"
    cfg = write_config(tmp_path, {"remote": sshd.env_spec(str(project), docker_host=f"unix://{gone}")})

    snap = snapshot(cfg, "remote")

    outcome = containers_outcome(snap)
    assert outcome["status"] == "error"
    assert outcome["error"] == f"cannot reach the Docker engine at unix://{gone}: no answer (is the Docker daemon running?)"
    assert snap["collectors"]["compose"]["status"] == "ok"
    assert snap["complete"] is False
