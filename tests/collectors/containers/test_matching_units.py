"""Pure pieces of container matching and image references (no engine: parsing and classification only)."""

from __future__ import annotations

import pytest

from driftctl.collectors.container_compare import compare_services, declared_restart, match_containers
from driftctl.image_refs import normalize_image, repo_digest, repository


def container(name: str, project: str | None = None, service: str | None = None, **extra) -> dict:
    return {"name": name, "project": project, "service": service, "state": "running", "image": "app:1",
            "image_id": "sha256:" + "0" * 64, "command": ["run"], "environment": {}, "ports": [],
            "memory_limit": None, "restart_policy": "no", "config_files": [], "working_dir": None, **extra}


DECLARED = {"web": {"image": "app:1", "command": ["run"]}, "db": {"image": "app:1", "command": ["run"], "container_name": "pg"},
            "web-api": {"image": "app:1", "command": ["run"]}}
FOLDER = ("/srv/shop", frozenset({"/srv/shop/compose.yaml"}))


@pytest.mark.parametrize(("c", "want"), [
    (container("shop-web-1", "shop", "web"), ("web", "labels")),
    (container("anything", "shop", "web"), ("web", "labels")),  # labels win over the name
    (container("shop-web-1"), ("web", "name")),
    (container("shop-web-12"), ("web", "name")),
    (container("shop_web_1"), ("web", "name")),  # Compose v1
    (container("shop-web-api-1"), ("web-api", "name")),  # the longer service name is not mistaken for `web`
    (container("pg"), ("db", "name")),  # container_name
    (container("blue-web-1", "blue", "web", working_dir="/srv/shop"), ("web", "folder")),
    (container("blue-web-1", "blue", "web", config_files=["/srv/shop/compose.yaml"]), ("web", "folder")),
])
def test_a_container_is_matched_to_its_service(c, want):
    assert match_containers("shop", DECLARED, FOLDER, [c]) == [(c, want)]


@pytest.mark.parametrize("c", [
    container("shop-web-x"), container("shop-web-0"), container("shop-web-1-old"), container("other-web-1"),
    container("shop-cache-1"),  # not a declared service
    container("blue-web-1", "blue", "web", working_dir="/srv/other"),  # another checkout's project
    container("shop-web-1", "blue", "web"),  # another project's labels: the name does not make it ours
    container("pg2"),
])
def test_a_container_of_no_declared_service_is_not_matched(c):
    assert match_containers("shop", DECLARED, FOLDER, [c]) == []


def test_other_projects_are_not_undeclared_but_unlabelled_and_removed_services_are():
    containers = [container("blue-api-1", "blue", "api"), container("shop-old-1", "shop", "old"), container("stray")]
    out = compare_services({"project": "shop", "services": {}}, {"containers": containers, "images": {}})
    assert out["undeclared"] == ["shop-old-1", "stray"]
    # without any compose model every running container is undeclared
    assert compare_services(None, {"containers": containers, "images": {}})["undeclared"] == ["blue-api-1", "shop-old-1", "stray"]


def test_a_stopped_hand_run_container_is_not_a_shadow():
    out = compare_services({"project": "shop", "services": {"web": DECLARED["web"]}},
                           {"containers": [container("shop-web-1", state="exited")], "images": {}})
    assert out["services"]["web"] == {"running": False, "containers": [], "differs": {}}
    assert out["undeclared"] == []


@pytest.mark.parametrize(("service", "want"), [
    ({}, "no"), ({"restart": "no"}, "no"), ({"restart": "always"}, "always"), ({"restart": "unless-stopped"}, "unless-stopped"),
    ({"restart": "on-failure"}, "on-failure"), ({"restart": "on-failure:3"}, "on-failure:3"),
    ({"deploy": {"restart_policy": {"condition": "any"}}}, "always"),
    ({"deploy": {"restart_policy": {"condition": "none"}}}, "no"),
    ({"restart": "always", "deploy": {"restart_policy": {"condition": "on-failure", "max_attempts": 5}}}, "on-failure:5"),
])
def test_declared_restart_is_what_compose_creates(service, want):
    assert declared_restart(service) == want


@pytest.mark.parametrize(("ref", "repo"), [
    ("redis:7", "redis"), ("docker.io/library/redis", "redis"), ("ghcr.io/acme/api:7", "ghcr.io/acme/api"),
    ("localhost:5000/acme/api:7", "localhost:5000/acme/api"), ("localhost:5000/api", "localhost:5000/api"),
    ("ghcr.io/acme/api@sha256:" + "a" * 64, "ghcr.io/acme/api"),
])
def test_repository_of_a_reference(ref, repo):
    assert repository(normalize_image(ref) or ref) == repo


def test_repo_digest_names_the_tags_repository_only():
    digests = ["ghcr.io/acme/web@sha256:" + "c" * 64, "redis@sha256:" + "b" * 64, "docker.io/library/redis@sha256:" + "d" * 64]
    assert repo_digest("redis:7", digests) == "docker.io/library/redis@sha256:" + "d" * 64
    assert repo_digest("ghcr.io/acme/web:2", digests) == "ghcr.io/acme/web@sha256:" + "c" * 64
    assert repo_digest("ghcr.io/acme/api:7", digests) is None
    assert repo_digest("redis:7", []) is None


def test_a_build_under_another_project_name_is_its_own_tag():
    """`docker compose -p blue up --build` tags `blue-web`: the same build, not another image."""
    compose = {"project": "shop", "project_dir": "/srv/shop", "files": [{"path": "compose.yaml"}],
               "services": {"web": {"build": {"context": "."}, "command": ["run"]}}}
    c = container("blue-web-1", "blue", "web", image="blue-web", working_dir="/srv/shop")
    out = compare_services(compose, {"containers": [c], "images": {}})
    assert out["services"]["web"] == {"running": True, "containers": ["blue-web-1"], "differs": {}, "build": True}
    assert out["other_projects"] == ["blue"]
    wrong = container("blue-web-1", "blue", "web", image="other-web", working_dir="/srv/shop")
    assert compare_services(compose, {"containers": [wrong], "images": {}})["services"]["web"]["differs"]["image"] == {
        "declared": "blue-web", "running": "other-web"}
