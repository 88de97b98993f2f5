"""The compose collector resolves a project once per distinct input: a fleet's hosts mostly serve the
same files, and each host still gets a model of its own."""

from __future__ import annotations

import pytest

import driftctl.compose
from driftctl.collectors import compose as collector

ROOT = "/srv/app"
BASE = "services:\n  web:\n    image: nginx:${TAG:-1}\n    env_file: web.env\n    ports: ['8080:80']\n"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    collector._RESOLVED.clear()
    calls: list[tuple[str, ...]] = []
    real = driftctl.compose.load_project

    def counted(files, **kwargs):
        calls.append(tuple(files))
        return real(files, **kwargs)

    monkeypatch.setattr(driftctl.compose, "load_project", counted)
    return calls


def texts(**extra: str | None) -> dict[str, str | None]:
    return {f"{ROOT}/compose.yaml": BASE, f"{ROOT}/.env": "TAG=2\n", **extra}


def test_the_same_input_is_resolved_once_and_each_host_gets_its_own_model(loads) -> None:
    files, env = [f"{ROOT}/compose.yaml"], [f"{ROOT}/.env"]
    with pytest.raises(collector._NeedFile) as need:
        collector.resolve(ROOT, files, env, texts())
    assert need.value.path == f"{ROOT}/web.env"
    with pytest.raises(collector._NeedFile):  # the same question again: answered from memory
        collector.resolve(ROOT, files, env, texts())
    assert len(loads) == 1

    first = collector.resolve(ROOT, files, env, texts(**{f"{ROOT}/web.env": "A=1\n"}))
    assert first["services"]["web"]["image"] == "nginx:2" and first["services"]["web"]["environment"] == {"A": "1"}
    first["services"]["web"]["image"] = "changed by one host"
    second = collector.resolve(ROOT, files, env, texts(**{f"{ROOT}/web.env": "A=1\n"}))
    assert second["services"]["web"]["image"] == "nginx:2" and second is not first
    assert len(loads) == 2

    other = collector.resolve(ROOT, files, env, texts(**{f"{ROOT}/web.env": "A=2\n"}))  # another input
    assert other["services"]["web"]["environment"] == {"A": "2"} and len(loads) == 3
    assert collector.resolve(ROOT, files, env, texts(**{f"{ROOT}/web.env": "A=1\n"}),
                             environ={"TAG": "3"})["services"]["web"]["image"] == "nginx:3"
    assert len(loads) == 4
    assert all(isinstance(k, bytes) and len(k) == 32 for k in collector._RESOLVED)  # digests: no file is kept


def test_errors_and_served_files_are_not_kept(loads) -> None:
    broken = {f"{ROOT}/compose.yaml": "services:\n  web:\n    ports: ['x:y:z:w']\n    image: a\n", f"{ROOT}/.env": None}
    for _ in range(2):
        with pytest.raises(collector.CollectorError):
            collector.resolve(ROOT, [f"{ROOT}/compose.yaml"], None, dict(broken))
    assert len(loads) == 2
    served = texts(**{f"{ROOT}/web.env": None})
    for _ in range(2):
        collector.resolve(ROOT, [f"{ROOT}/compose.yaml"], [f"{ROOT}/.env"], served, on_missing=lambda path: "B=1\n")
    assert len(loads) == 4
