"""The containers collector's data against its TypedDict (in driftctl/collectors/containers.py), with the
strict checker of tests/collectors/shapes.py: every recorded case and data freshly collected from the
real dockerd have exactly the declared keys and types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftctl.collectors.containers import ContainersData
from tests.collectors.shapes import problems
from tests.containers.helpers import containers_data, snapshot, write_config, write_project

CASES = sorted(Path(__file__).parent.glob("*.json"))


def assert_conforms(data: dict) -> None:
    assert problems(json.loads(json.dumps(data)), ContainersData) == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_recorded_data_conforms(path: Path) -> None:
    assert_conforms(json.loads(path.read_text())["expected"])


def test_a_drifted_shape_is_noticed() -> None:
    data = json.loads(CASES[0].read_text())["expected"]
    data["containers"][0]["surprise"] = 1
    data["services"] = {"web": {"running": True, "containers": [], "differs": {}, "outside_compose": [{"container": 1, "differs": {}}]}}
    assert problems(data, ContainersData) == ["data.containers[0]: key 'surprise' is not in ContainerFacts",
                                              "data.services['web'].outside_compose[0].container: expected str, got int 1"]


@pytest.mark.integration
def test_collected_data_conforms(tmp_path, docker_engine) -> None:
    project = write_project(tmp_path / "app", {"compose.yaml": "services:\n  web:\n    image: driftctl-test/busybox:1\n"
                                                               "  job:\n    image: driftctl-test/busybox:1\n    command: ['true']\n"})
    docker_engine.compose(project, "up", "-d")
    docker_engine.docker("run", "-d", "--name", "app-web-2", "--network", "none", docker_engine.image)
    cfg = write_config(tmp_path, {"app": {"transport": "local", "path": "app", "docker_host": docker_engine.docker_host}})
    data = containers_data(snapshot(cfg, "app"))
    assert data["services"]["web"]["outside_compose"][0]["container"] == "app-web-2"
    assert_conforms(data)
