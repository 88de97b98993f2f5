"""load_project(): environment precedence, env files, project names, the `read` contract."""

from __future__ import annotations

import pytest

from driftctl.compose import ComposeError, load_project

SIMPLE = "services:\n  svc:\n    image: busybox:${TAG:-latest}\n    environment: [TAG]\n"


def reader(files: dict[str, str]):
    return {f"/p/{k}": v for k, v in files.items()}.get


def test_shell_beats_env_file_and_default_dot_env() -> None:
    read = reader({"compose.yml": SIMPLE, ".env": "TAG=from-dotenv\n", "ci.env": "TAG=from-ci\n"})
    image = lambda m: m["services"]["svc"]["image"]  # noqa: E731
    assert image(load_project(["compose.yml"], project_dir="/p", environ={}, read=read)) == "busybox:from-dotenv"
    assert image(load_project(["compose.yml"], project_dir="/p", environ={"TAG": "sh"}, read=read)) == "busybox:sh"
    # an explicit --env-file replaces the default .env
    m = load_project(["compose.yml"], project_dir="/p", env_files=["ci.env"], environ={}, read=read)
    assert image(m) == "busybox:from-ci"
    assert m["services"]["svc"]["environment"] == {"TAG": "from-ci"}


def test_bare_environment_key_is_null_when_unset() -> None:
    m = load_project(["compose.yml"], project_dir="/p", environ={}, read=reader({"compose.yml": SIMPLE}))
    assert m["services"]["svc"]["environment"] == {"TAG": None}


def test_service_env_files_in_order_then_environment() -> None:
    compose = """
services:
  svc:
    image: x
    env_file: [one.env, {path: missing.env, required: false}, two.env]
    environment: {LAST: compose}
"""
    read = reader({"compose.yml": compose, "one.env": "A=1\nLAST=one\n", "two.env": "B=2\nLAST=two\n"})
    env = load_project(["compose.yml"], project_dir="/p", environ={}, read=read)["services"]["svc"]["environment"]
    assert env == {"A": "1", "B": "2", "LAST": "compose"}


@pytest.mark.parametrize(
    ("files", "kwargs", "message"),
    [
        ({}, {}, "/p/compose.yml: compose file not found"),
        ({"compose.yml": SIMPLE}, {"env_files": ["nope.env"]}, "/p/nope.env: env file not found"),
        ({"compose.yml": "services:\n  s:\n    image: x\n    env_file: gone.env\n"}, {}, "/p/gone.env: env file not found"),
        ({"compose.yml": SIMPLE, ".env": "BAD LINE=1\n"}, {}, "/p/.env:1: key cannot contain a space"),
    ],
)
def test_missing_or_bad_files(files: dict, kwargs: dict, message: str) -> None:
    with pytest.raises(ComposeError) as info:
        load_project(["compose.yml"], project_dir="/p", environ={}, read=reader(files), **kwargs)
    assert info.value.message == message


def test_read_exceptions_propagate_unchanged() -> None:
    class Boom(Exception):
        pass

    def read(path: str) -> str | None:
        raise Boom(path)

    with pytest.raises(Boom):
        load_project(["compose.yml"], project_dir="/p", environ={}, read=read)


@pytest.mark.parametrize(
    ("project_dir", "compose", "environ", "explicit", "expected"),
    [
        ("/srv/My.App", SIMPLE, {}, None, "myapp"),
        ("/srv/My.App", "name: Shop\n" + SIMPLE, {}, None, "shop"),
        ("/srv/My.App", "name: shop\n" + SIMPLE, {"COMPOSE_PROJECT_NAME": "env-name"}, None, "env-name"),
        ("/srv/My.App", SIMPLE, {"COMPOSE_PROJECT_NAME": "env-name"}, "cli", "cli"),
    ],
)
def test_project_name(project_dir, compose, environ, explicit, expected) -> None:
    read = {f"{project_dir}/compose.yml": compose}.get
    m = load_project(["compose.yml"], project_dir=project_dir, environ=environ, project_name=explicit, read=read)
    assert m["name"] == expected


def test_invalid_explicit_project_name() -> None:
    with pytest.raises(ComposeError, match="invalid project name"):
        load_project(["compose.yml"], project_dir="/p", environ={}, project_name="Bad Name",
                     read=reader({"compose.yml": SIMPLE}))


def test_default_files_include_the_override() -> None:
    read = reader({"compose.yaml": SIMPLE, "compose.override.yaml": "services:\n  svc:\n    image: y\n"})
    assert load_project([], project_dir="/p", environ={}, read=read)["services"]["svc"]["image"] == "y"


def test_dollar_is_escaped_in_the_output_like_docker_compose() -> None:
    read = reader({"compose.yml": "services:\n  s:\n    image: x\n    labels: {a: 'p$$w'}\n"})
    assert load_project(["compose.yml"], project_dir="/p", environ={}, read=read)["services"]["s"]["labels"] == {
        "a": "p$$w"}
