"""Issue 13, container class, end to end on the real dockerd with real Compose v2:

- a container started by hand under a service's Compose name (no compose labels) is one row "runs
  outside compose" carrying its differences from the model (image, command, env with secrets only
  as fingerprints, ports, memory limit, restart policy), never "not running" plus an anonymous stray;
- containers are found by compose labels, by the Compose name patterns (`<project>-<service>-<n>`,
  legacy `<project>_<service>_<n>`, `container_name:`) and by the project folder labels (a deployment
  started with another `-p` is not "undeclared");
- a service only in an inactive profile is not expected to run, an active-profile one is;
- snapshot and diff change neither the checkout nor the engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.containers.helpers import (
    containers_data,
    engine_state,
    free_port,
    run_cli,
    snapshot,
    tree_digest,
    write_config,
    write_project,
)
from tests.fixtures.compose_binary import compose_binary

pytestmark = pytest.mark.integration

SECRET = "tok_9f3Kq2LmZx81VbN7"  # an API token the hand-run container was given on its command line


def compose_text(port: int) -> str:
    return f"""\
services:
  web:
    image: driftctl-test/busybox:1
    command: ["sleep", "3601"]
    environment:
      MODE: prod
    mem_limit: 64m
    ports: ["127.0.0.1:{port}:8080"]
    restart: unless-stopped
  worker:
    image: driftctl-test/busybox:1
    command: ["sleep", "3602"]
  queue:
    image: driftctl-test/busybox:1
    command: ["sleep", "3603"]
  cache:
    image: driftctl-test/busybox:1
    container_name: shop-cache
    command: ["sleep", "3604"]
  migrate:
    image: driftctl-test/busybox:1
    command: ["true"]
  debug:
    image: driftctl-test/busybox:1
    profiles: [debug]
  metrics:
    image: driftctl-test/busybox:1
    profiles: [ops]
"""


def build_shop(root: Path, engine) -> tuple[Path, int]:
    """`shop` checkout: worker up by compose; web, cache and queue started by hand under their Compose names."""
    port = free_port()
    project = write_project(root / "shop", {"docker-compose.yml": compose_text(port), ".env": "COMPOSE_PROFILES=ops\n"})
    engine.compose(project, "up", "-d", "worker", "migrate")
    engine.docker("wait", "shop-migrate-1")  # the one-shot job has finished (exit 0)
    engine.docker("run", "-d", "--name", "shop-web-1", "--network", "none", "-e", "MODE=debug",
                  "-e", f"API_TOKEN={SECRET}", engine.image, "sleep", "4242")
    engine.docker("run", "-d", "--name", "shop-cache", "--network", "none", engine.image, "sleep", "3604")
    engine.docker("run", "-d", "--name", "shop_queue_1", "--network", "none", "--restart", "always",
                  engine.image, "sleep", "3603")
    engine.docker("run", "-d", "--name", "stray", "--network", "none", engine.image, "sleep", "99")
    write_project(root / "laptop" / "shop", {"docker-compose.yml": compose_text(port), ".env": "COMPOSE_PROFILES=ops\n"})
    return project, port


@pytest.fixture
def shop(tmp_path, dockerd, engine_worlds):
    """(project, config, port): the `shop` world on the engine (shared while unchanged: EngineWorlds), and an
    environments.yaml of this test's own (`prod`: the deployment, `dev`: a laptop checkout with no engine;
    reports land next to it)."""
    root, (project, port) = engine_worlds.get("shop", lambda root: build_shop(root, dockerd))
    cfg = write_config(tmp_path, {"prod": {"transport": "local", "path": str(project), "docker_host": dockerd.docker_host,
                                           "role": "deployment"},
                                  "dev": {"transport": "local", "path": str(root / "laptop" / "shop")}})  # no engine there
    return project, cfg, port


def test_hand_run_containers_are_compared_with_their_service(shop, dockerd):
    project, cfg, port = shop
    data = containers_data(snapshot(cfg, "prod"))
    services = data["services"]

    web = services["web"]
    assert web["running"] is False and web["containers"] == []
    [shadow] = web["outside_compose"]
    assert shadow["container"] == "shop-web-1"
    differs = shadow["differs"]
    assert sorted(differs) == ["command", "environment", "memory_limit", "ports", "restart_policy"]
    assert differs["command"] == {"declared": ["sleep", "3601"], "running": ["sleep", "4242"]}
    assert differs["memory_limit"] == {"declared": 64 * 1024 * 1024, "running": None}
    assert differs["ports"] == {"declared": [f"127.0.0.1:{port}->8080/tcp"], "running": []}
    assert differs["restart_policy"] == {"declared": "unless-stopped", "running": "no"}
    env = differs["environment"]
    assert env["declared"] == {"API_TOKEN": None, "MODE": "prod"}
    assert env["running"]["MODE"] == "debug" and env["running"]["API_TOKEN"].startswith("fp:")
    # container_name: and the legacy Compose v1 name both identify the service
    assert [s["container"] for s in services["cache"]["outside_compose"]] == ["shop-cache"]
    assert services["cache"]["outside_compose"][0]["differs"] == {}
    assert services["queue"]["outside_compose"] == [
        {"container": "shop_queue_1", "differs": {"restart_policy": {"declared": "no", "running": "always"}}}]
    assert services["worker"]["running"] is True and "outside_compose" not in services["worker"]
    # only the anonymous container is undeclared
    assert data["undeclared"] == ["stray"]
    # profiles: `ops` is active through .env (as Compose reads it), `debug` is not
    assert "debug" not in services
    assert services["metrics"]["running"] is False
    assert services["migrate"]["running"] is False and services["migrate"]["containers"] == ["shop-migrate-1"]


def test_diff_reports_one_row_per_shadow_and_never_the_secret(shop, dockerd):
    project, cfg, _ = shop
    before = (tree_digest(project), engine_state(dockerd))
    snap = run_cli(["snapshot", "-c", str(cfg)], cwd=cfg.parent)
    assert snap.returncode == 0, snap.stderr
    diff = run_cli(["diff", "prod", "dev", "-c", str(cfg), "--format", "json"], cwd=cfg.parent)
    assert diff.returncode == 1, diff.stderr
    assert (tree_digest(project), engine_state(dockerd)) == before  # snapshot and diff are read-only
    for text in [diff.stdout, *(p.read_text() for p in (cfg.parent / "reports").rglob("*.json"))]:
        assert SECRET not in text
    rows = {r["component"]: r for r in json.loads(diff.stdout)["rows"]}

    web = rows["containers.services.web.outside_compose"]
    assert (web["status"], web["severity"]) == ("DRIFT", "critical")  # another command: production differs now
    [ev] = web["evidence"]
    assert (ev["kind"], ev["container"], ev["service"]) == ("outside-compose", "shop-web-1", "web")
    assert sorted(ev["value"]["differs"]) == ["command", "environment", "memory_limit", "ports", "restart_policy"]
    assert ev["value"]["differs"]["environment"]["running"]["API_TOKEN"].startswith("fp:")
    queue = rows["containers.services.queue.outside_compose"]
    assert (queue["status"], queue["severity"]) == ("DRIFT", "moderate")
    cache = rows["containers.services.cache.outside_compose"]
    assert (cache["status"], cache["severity"]) == ("DRIFT", "moderate")  # same settings, still outside compose
    # the shadowed services are not "not running", and the shadows are not anonymous strays
    for svc in ("web", "cache", "queue"):
        assert rows.get(f"containers.services.{svc}.running", {"status": "IN_SYNC"})["status"] == "IN_SYNC"
    undeclared = rows["containers.undeclared"]
    assert [e["container"] for e in undeclared["evidence"]] == ["stray"]
    # the active-profile service that does not run is reported; the inactive one is nowhere
    metrics = rows["containers.services.metrics.running"]
    assert (metrics["status"], metrics["severity"]) == ("DRIFT", "critical")
    assert not any(".debug." in c for c in rows)
    # a one-shot job that exited 0 is done: not "not running", not broken
    assert not [c for c, r in rows.items() if ".migrate." in c and r["status"] != "IN_SYNC"]


def test_plan_replaces_a_shadow_within_the_invariants(shop, dockerd):
    _, cfg, _ = shop
    assert run_cli(["snapshot", "-c", str(cfg)], cwd=cfg.parent).returncode == 0
    plan = run_cli(["plan", "--option", "quick-fix", "-c", str(cfg), "--format", "json"], cwd=cfg.parent)
    assert plan.returncode in (0, 1), plan.stderr
    steps = {s["id"]: s for p in json.loads(plan.stdout)["phases"] for s in p["steps"]}
    step = steps["runtime-prod-web"]
    assert step["rollback"] and step["verify"] and step["preconditions"]
    text = "\n".join(step["commands"])
    assert "docker stop shop-web-1" in text and "docker rename shop-web-1 shop-web-1-outside-compose" in text
    assert " rm " not in text and SECRET not in plan.stdout


def test_the_ssh_route_matches_containers_as_the_local_one_does(shop, dockerd, sshd, tmp_path):
    """Over the real sshd the docker CLI route (argv commands) finds the same shadows, names and profiles."""
    project, _, _ = shop
    (tmp_path / "over-ssh").mkdir()
    cfg = write_config(tmp_path / "over-ssh", {
        "prod-ssh": sshd.env_spec(str(project), docker_host=dockerd.docker_host, role="deployment"),
        "prod": {"transport": "local", "path": str(project), "docker_host": dockerd.docker_host},
    })
    over_ssh, local = (containers_data(snapshot(cfg, env)) for env in ("prod-ssh", "prod"))
    for key in ("services", "undeclared", "other_projects"):
        assert over_ssh[key] == local[key], key
    assert [s["container"] for s in over_ssh["services"]["web"]["outside_compose"]] == ["shop-web-1"]
    assert SECRET not in json.dumps(over_ssh)


def test_the_shadow_step_runs_verifies_and_rolls_back_on_the_engine(shop, dockerd, tmp_path):
    """The planner's runtime step for a shadow, run line by line on the real engine: the declared
    container replaces the hand-run one (kept under another name), and the rollback restores it."""
    import subprocess

    project, cfg, _ = shop
    plugins = tmp_path / "docker-config" / "cli-plugins"
    plugins.mkdir(parents=True)
    (plugins / "docker-compose").symlink_to(compose_binary())
    plan = run_cli(["plan", "prod", "dev", "--option", "quick-fix", "-c", str(cfg), "--format", "json"], cwd=cfg.parent)
    step = next(s for p in json.loads(plan.stdout)["phases"] for s in p["steps"] if s["id"] == "runtime-prod-web")
    env = {**dockerd.env(), "DOCKER_CONFIG": str(tmp_path / "docker-config")}

    def sh(lines: list[str]) -> None:
        for line in lines:
            proc = subprocess.run(["sh", "-c", line], cwd=project, env=env, capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, f"{line}\n{proc.stderr}"

    def running() -> dict[str, dict]:
        return {d["Name"].lstrip("/"): d for d in dockerd.inspect(*dockerd.container_ids())
                if d["State"]["Running"]}

    sh(step["preconditions"])
    sh(step["commands"])
    sh(step["verify"])
    now = running()
    assert now["shop-web-1"]["Config"]["Labels"]["com.docker.compose.service"] == "web"
    assert now["shop-web-1"]["Config"]["Cmd"] == ["sleep", "3601"]
    assert "shop-web-1-outside-compose" in {d["Name"].lstrip("/") for d in dockerd.inspect(*dockerd.container_ids())}
    sh(step["rollback"])
    after = running()
    assert after["shop-web-1"]["Config"]["Cmd"] == ["sleep", "4242"]
    assert "com.docker.compose.service" not in (after["shop-web-1"]["Config"]["Labels"] or {})
    assert "shop-web-1-outside-compose" not in {d["Name"].lstrip("/") for d in dockerd.inspect(*dockerd.container_ids())}


COMPOSE_OTHER_P = """\
services:
  api:
    image: driftctl-test/busybox:1
    command: ["sleep", "3601"]
  jobs:
    image: driftctl-test/busybox:1
    command: ["sleep", "3602"]
"""


def test_a_deployment_started_with_another_project_name_is_matched_by_its_folder(tmp_path, docker_engine):
    project = write_project(tmp_path / "billing", {"docker-compose.yml": COMPOSE_OTHER_P})
    docker_engine.compose(project, "-p", "billing-blue", "up", "-d")
    docker_engine.docker("run", "-d", "--name", "stray", "--network", "none", docker_engine.image, "sleep", "99")
    write_project(tmp_path / "laptop" / "billing", {"docker-compose.yml": COMPOSE_OTHER_P})
    cfg = write_config(tmp_path, {"prod": {"transport": "local", "path": "billing", "docker_host": docker_engine.docker_host},
                                  "dev": {"transport": "local", "path": "laptop/billing"}})
    data = containers_data(snapshot(cfg, "prod"))

    assert data["services"]["api"] == {"running": True, "containers": ["billing-blue-api-1"], "differs": {}}
    assert data["services"]["jobs"]["running"] is True
    assert data["undeclared"] == ["stray"]
    assert data["other_projects"] == ["billing-blue"]

    diff = run_cli(["diff", "prod", "dev", "-c", str(cfg), "--format", "json"], cwd=cfg.parent)
    assert diff.returncode == 1, diff.stderr
    rows = {r["component"]: r for r in json.loads(diff.stdout)["rows"]}
    row = rows["containers.project"]
    assert (row["status"], row["severity"]) == ("DRIFT", "moderate")
    assert row["evidence"][0]["value"] == {"declared": "billing", "running": ["billing-blue"]}
    assert rows.get("containers.services.api.running", {"status": "IN_SYNC"})["status"] == "IN_SYNC"


COMPOSE_TAGGED = """\
services:
  web:
    image: driftctl-test/app:stable
    command: ["sleep", "3601"]
"""


def test_the_same_tag_running_as_different_images_is_one_row_per_tag(tmp_path, docker_engine):
    """eu started from `app:stable` before the tag moved, us and us2 after: eu/us differ, us/us2 do not."""
    from driftctl.config import Rules
    from driftctl.differ import build_matrix
    from tests.fixtures.dockerd import load_image

    docker_engine.docker("tag", docker_engine.image, "driftctl-test/app:stable")
    envs = {}
    for name in ("shop-eu", "shop-us", "shop-us2"):
        write_project(tmp_path / name, {"docker-compose.yml": COMPOSE_TAGGED})
        envs[name] = {"transport": "local", "path": name, "docker_host": docker_engine.docker_host, "role": "deployment"}
    docker_engine.compose(tmp_path / "shop-eu", "up", "-d")
    load_image(docker_engine, "driftctl-test/app:stable", env=("APP_ENV=image", "RELEASE=2"))  # the tag moves
    docker_engine.compose(tmp_path / "shop-us", "up", "-d")
    docker_engine.compose(tmp_path / "shop-us2", "up", "-d")
    cfg = write_config(tmp_path, envs)
    snaps = {name: snapshot(cfg, name) for name in envs}
    eu_id, us_id = (containers_data(snaps[n])["containers"] for n in ("shop-eu", "shop-us"))
    ids = {c["name"]: c["image_id"] for c in [*eu_id, *us_id]}
    assert ids["shop-eu-web-1"] != ids["shop-us-web-1"] == ids["shop-us2-web-1"]

    def rows(*names: str) -> dict[str, dict]:
        doc = build_matrix([snaps[n] for n in names], Rules()).to_json(show_in_sync=True)
        return {r["component"]: r for r in doc["rows"]}

    moved = rows("shop-eu", "shop-us")["containers.images.driftctl-test/app:stable"]
    assert (moved["status"], moved["severity"]) == ("MISMATCH", "critical")
    by_env = {e["environment"]: e for e in moved["evidence"]}
    assert by_env["shop-eu"]["kind"] == "image-id" and by_env["shop-eu"]["key"] == "driftctl-test/app:stable"
    assert by_env["shop-eu"]["value"] == {"image_id": ids["shop-eu-web-1"], "repo_digest": None, "containers": ["shop-eu-web-1"]}
    assert by_env["shop-us"]["value"]["image_id"] == ids["shop-us-web-1"]
    assert moved["values"]["shop-eu"] == ids["shop-eu-web-1"].removeprefix("sha256:")[:12]
    # same tag, same id: nothing at all; other projects on the same engine are no one's strays
    same = rows("shop-us", "shop-us2")
    assert not [c for c in same if c.startswith("containers.images.")]
    assert same["containers.undeclared"]["status"] == "IN_SYNC"
    # the services themselves run as declared (the tag is the declared reference)
    assert all(r["status"] == "IN_SYNC" for c, r in same.items() if c.startswith("containers."))


def test_repairs_under_another_project_name_use_that_name(tmp_path, docker_engine):
    """A service stopped in a deployment started with `-p billing-blue`: the plan starts it again in
    billing-blue (run on the real engine), not as a second copy under the model's project name."""
    import subprocess

    project = write_project(tmp_path / "billing", {"docker-compose.yml": COMPOSE_OTHER_P})
    docker_engine.compose(project, "-p", "billing-blue", "up", "-d")
    docker_engine.compose(project, "-p", "billing-blue", "stop", "jobs")
    write_project(tmp_path / "laptop" / "billing", {"docker-compose.yml": COMPOSE_OTHER_P})
    cfg = write_config(tmp_path, {"prod": {"transport": "local", "path": "billing", "docker_host": docker_engine.docker_host,
                                           "role": "deployment"},
                                  "dev": {"transport": "local", "path": "laptop/billing"}})
    plan = run_cli(["plan", "prod", "dev", "--option", "quick-fix", "-c", str(cfg), "--format", "json"], cwd=cfg.parent)
    assert plan.returncode in (0, 1), plan.stderr
    step = next(s for p in json.loads(plan.stdout)["phases"] for s in p["steps"] if s["id"] == "runtime-prod-jobs")
    assert all("-p billing-blue" in line for line in step["commands"] if " compose " in line)

    plugins = tmp_path / "docker-config" / "cli-plugins"
    plugins.mkdir(parents=True)
    (plugins / "docker-compose").symlink_to(compose_binary())
    env = {**docker_engine.env(), "DOCKER_CONFIG": str(tmp_path / "docker-config")}
    for line in [*step["preconditions"], *step["commands"], *step["verify"]]:
        proc = subprocess.run(["sh", "-c", line], cwd=project, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{line}\n{proc.stderr}"
    running = {d["Name"].lstrip("/") for d in docker_engine.inspect(*docker_engine.container_ids()) if d["State"]["Running"]}
    assert running == {"billing-blue-api-1", "billing-blue-jobs-1"}
