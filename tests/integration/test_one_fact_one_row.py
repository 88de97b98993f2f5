"""One finding per fact on real checkouts: a value that reaches compose services from an env file is
counted once, on the env-file row (which names its consumers), and rules on a variable reach every
row of it (`var:NAME`, or the env row's id)."""

from __future__ import annotations

import json

import pytest

from driftctl.checks import compare, gather
from driftctl.config import load_config
from tests.fixtures.gitrepos import clone
from tests.helpers import driftctl, write_config

pytestmark = pytest.mark.integration
CALM = {"thresholds": {"memory_percent": 100, "disk_percent": 100}}
COMPOSE = """\
services:
  api:
    image: shop/api:1
    env_file: [config/app.env]
  worker:
    image: shop/worker:1
    env_file: [config/app.env]
    environment:
      QUEUE: ${QUEUE_NAME}
      REGION: eu-west-1
"""


@pytest.fixture
def pair(tmp_path, git_repo, bare_origin):
    origin = bare_origin()
    work = git_repo("work")
    work.commit({"compose.yaml": COMPOSE, ".gitignore": "config/app.env\n.env\n"}, "shop")
    work.git("push", "-q", str(origin), "main")
    a, b = clone(origin, tmp_path / "a"), clone(origin, tmp_path / "b")
    a.write({"config/app.env": "DATABASE_URL=postgres://db-a/shop\nTIMEOUT=5\n", ".env": "QUEUE_NAME=jobs\n"})
    b.write({"config/app.env": "DATABASE_URL=postgres://db-b/shop\nTIMEOUT=5\n", ".env": "QUEUE_NAME=jobs\n"})
    envs = {"a": {"transport": "local", "path": str(a.path), "env_files": [".env", "config/app.env"]},
            "b": {"transport": "local", "path": str(b.path), "env_files": [".env", "config/app.env"]}}
    return envs, b


def test_env_file_value_is_one_finding_listing_its_consumers(tmp_path, pair) -> None:
    envs, _ = pair
    cfg = load_config(str(write_config(tmp_path / "environments.yaml", envs, CALM)))
    matrix = compare(gather(cfg, list(envs)), cfg.rules)
    findings = {r.component for r in matrix.findings()}
    assert findings == {"env.config/app.env.DATABASE_URL"}, findings
    rows = {r.component: r for r in matrix.rows}
    assert any("reaches compose services: api, worker" in d for d in rows["env.config/app.env.DATABASE_URL"].details)
    for svc in ("api", "worker"):
        row = rows[f"compose.services.{svc}.environment.DATABASE_URL"]
        assert row.status.value == "MISMATCH" and row.severity.value == "none"
        assert "the value comes from config/app.env: counted on env.config/app.env.DATABASE_URL" in row.details


def test_a_compose_literal_that_differs_is_still_its_own_finding(tmp_path, pair) -> None:
    envs, b = pair
    b.write({"compose.yaml": COMPOSE.replace("eu-west-1", "us-east-1")})
    cfg = load_config(str(write_config(tmp_path / "environments.yaml", envs, CALM)))
    findings = {r.component: r.status.value for r in compare(gather(cfg, list(envs)), cfg.rules).findings()}
    assert findings["compose.services.worker.environment.REGION"] == "DRIFT"  # hand edit on b


@pytest.mark.parametrize("pattern", ["var:DATABASE_URL", "env.*.DATABASE_URL", "var:DATABASE_*"])
def test_one_rule_covers_the_variable_everywhere(tmp_path, pair, pattern) -> None:
    envs, _ = pair
    write_config(tmp_path / "environments.yaml", envs, {**CALM, "expected": [{"component": pattern, "reason": "per host"}]})
    run = driftctl("check", "--format", "json", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    doc = json.loads(run.out)
    expected = sorted(r["component"] for r in doc["rows"] if r["status"] == "EXPECTED")
    assert expected == ["compose.services.api.environment.DATABASE_URL", "compose.services.worker.environment.DATABASE_URL",
                        "env.config/app.env.DATABASE_URL"], expected
