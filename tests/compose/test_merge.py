"""Merging several -f files: small fixtures resolved through an in-memory reader."""

from __future__ import annotations

import pytest

from driftctl.compose import ComposeError, load_project


def resolve(files: dict[str, str], env: dict[str, str] | None = None, **kw) -> dict:
    """Resolve in-memory files (names relative to /proj); the first one or `a.yml`/`b.yml` are the -f files."""
    store = {f"/proj/{name}": text for name, text in files.items()}
    compose = [n for n in files if n in ("a.yml", "b.yml")] or [next(iter(files))]
    return load_project(compose, project_dir="/proj", environ=env or {}, read=store.get, **kw)


BASE = """
services:
  app:
    image: app:1
    command: run --fast
    environment: {A: "1", B: "2"}
    labels: [team=core]
    ports: ["8080:80", "9090:90"]
    volumes: ["data:/data", "./conf:/etc/app:ro"]
    depends_on: [db]
    healthcheck: {test: ["CMD", "a", "b"], interval: 30s}
    logging: {driver: json-file, options: {max-size: 10m}}
  db:
    image: postgres
volumes:
  data: {}
"""


def test_scalars_last_wins_and_collections_merge_by_key() -> None:
    over = """
services:
  app:
    image: app:2
    environment: [B=3, C]
    labels: {tier: "1"}
    ports: [{target: 80, published: 8080}, "7070:70"]
    volumes: ["./other:/data"]
"""
    app = resolve({"a.yml": BASE, "b.yml": over}, env={"C": "from-shell"})["services"]["app"]
    assert app["image"] == "app:2"
    assert app["environment"] == {"A": "1", "B": "3", "C": "from-shell"}
    assert app["labels"] == {"team": "core", "tier": "1"}
    assert [(p["target"], p.get("published")) for p in app["ports"]] == [(80, "8080"), (90, "9090"), (70, "7070")]
    assert [(v["type"], v["source"], v["target"]) for v in app["volumes"]] == [
        ("bind", "/proj/other", "/data"),
        ("bind", "/proj/conf", "/etc/app"),
    ]


def test_command_entrypoint_and_healthcheck_test_are_replaced() -> None:
    over = "services:\n  app:\n    command: [serve]\n    healthcheck: {test: [CMD, c]}\n"
    app = resolve({"a.yml": BASE, "b.yml": over})["services"]["app"]
    assert app["command"] == ["serve"]
    assert app["healthcheck"] == {"test": ["CMD", "c"], "interval": "30s"}


def test_depends_on_list_becomes_map_and_merges() -> None:
    over = "services:\n  app:\n    depends_on: {db: {condition: service_healthy}}\n"
    app = resolve({"a.yml": BASE, "b.yml": over})["services"]["app"]
    assert app["depends_on"] == {"db": {"condition": "service_healthy", "required": True}}


def test_logging_options_merge_only_for_the_same_driver() -> None:
    same = "services:\n  app:\n    logging: {options: {max-file: 3}}\n"
    other = "services:\n  app:\n    logging: {driver: syslog, options: {tag: x}}\n"
    assert resolve({"a.yml": BASE, "b.yml": same})["services"]["app"]["logging"] == {
        "driver": "json-file", "options": {"max-file": "3", "max-size": "10m"}}
    assert resolve({"a.yml": BASE, "b.yml": other})["services"]["app"]["logging"] == {
        "driver": "syslog", "options": {"tag": "x"}}


def test_reset_and_override_tags() -> None:
    over = """
services:
  app:
    ports: !override ["1234:80"]
    environment: !reset {}
    depends_on: !reset []
    labels: !override {only: me}
"""
    app = resolve({"a.yml": BASE, "b.yml": over})["services"]["app"]
    assert [(p["target"], p["published"]) for p in app["ports"]] == [(80, "1234")]
    assert "environment" not in app
    assert "depends_on" not in app
    assert app["labels"] == {"only": "me"}


def test_unknown_tag_is_an_error_naming_file_and_line() -> None:
    with pytest.raises(ComposeError, match=r"^/proj/b\.yml:3: invalid YAML: unknown tag !merge"):
        resolve({"a.yml": BASE, "b.yml": "services:\n  app:\n    ports: !merge []\n"})


def test_default_network_and_shapes() -> None:
    model = resolve({"a.yml": BASE})
    assert model["name"] == "proj"
    assert model["networks"] == {"default": {"name": "proj_default", "ipam": {}}}
    app = model["services"]["app"]
    assert app["networks"] == {"default": None}
    assert app["command"] == ["run", "--fast"]
    assert app["entrypoint"] is None
    assert app["ports"][0] == {"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}
    assert model["volumes"] == {"data": {"name": "proj_data"}}


def test_extends_same_file_and_other_file() -> None:
    common = "services:\n  base:\n    image: base:1\n    environment: {A: '1', B: '2'}\n"
    main = """
services:
  web:
    extends: {file: common.yml, service: base}
    environment: {B: "3"}
  worker:
    extends: web
    command: work
"""
    services = resolve({"compose.yml": main, "common.yml": common})["services"]  # common.yml: via extends only
    assert services["web"]["environment"] == {"A": "1", "B": "3"}
    assert services["worker"]["image"] == "base:1"
    assert services["worker"]["command"] == ["work"]


def test_undefined_network_is_an_error() -> None:
    with pytest.raises(ComposeError, match='service "app" refers to undefined network nope'):
        resolve({"a.yml": "services:\n  app:\n    image: x\n    networks: [nope]\n"})
