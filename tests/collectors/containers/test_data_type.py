"""The containers collector's data against its TypedDict (driftctl/collected/containers.py): every
recorded case and freshly collected data from the real dockerd have exactly the declared keys and types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from driftctl.collected.containers import ContainerFacts, ContainersData, ImageFacts, OutsideCompose, ServiceState
from tests.containers.helpers import containers_data, snapshot, write_config, write_project

CASES = sorted(Path(__file__).parent.glob("*.json"))


def keys_problems(data: dict) -> list[str]:
    """Missing required keys and undeclared keys, at every level the types describe."""

    def check(doc: dict, kind: type, where: str) -> list[str]:
        allowed = kind.__required_keys__ | kind.__optional_keys__  # type: ignore[attr-defined]
        out = [f"{where}: missing {k}" for k in sorted(kind.__required_keys__ - set(doc))]  # type: ignore[attr-defined]
        return out + [f"{where}: undeclared {k}" for k in sorted(set(doc) - allowed)]

    out = check(data, ContainersData, "data")
    for c in data.get("containers") or []:
        out += check(c, ContainerFacts, f"containers[{c.get('name')}]")
    for image_id, image in (data.get("images") or {}).items():
        out += check(image, ImageFacts, f"images[{image_id[:19]}]")
    for name, svc in (data.get("services") or {}).items():
        out += check(svc, ServiceState, f"services[{name}]")
        for shadow in svc.get("outside_compose") or []:
            out += check(shadow, OutsideCompose, f"services[{name}].outside_compose")
    return out


def assert_conforms(data: dict) -> None:
    assert keys_problems(data) == []
    TypeAdapter(ContainersData).validate_python(json.loads(json.dumps(data)), strict=True)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_recorded_data_conforms(path: Path) -> None:
    assert_conforms(json.loads(path.read_text())["expected"])


def test_the_checker_notices_an_undeclared_key_and_a_wrong_type() -> None:
    data = json.loads(CASES[0].read_text())["expected"]
    data["containers"][0]["surprise"] = 1
    assert keys_problems(data) == [f"containers[{data['containers'][0]['name']}]: undeclared surprise"]
    del data["containers"][0]["surprise"]
    data["containers"][0]["restart_count"] = "3"
    with pytest.raises(ValueError):
        TypeAdapter(ContainersData).validate_python(data, strict=True)


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
