"""A git remote whose compose uses gitignored env files (acceptance 3 of issue 13): `check` including
the remote reaches exit 0 on an in-sync project; values that need the missing file are unknown one by
one, never the whole model; values are never rewritten inside strings (the repository's name inside
an image name stays)."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.gitrepos import clone, init_repo
from tests.helpers import driftctl, write_config

pytestmark = pytest.mark.integration
CALM = {"thresholds": {"memory_percent": 100, "disk_percent": 100}}
COMPOSE = """\
services:
  api:
    image: registry.example.com/storefront/api:${API_TAG:-1.0}
    env_file: [.env]
    volumes: ["./uploads:/srv/uploads"]
    mem_limit: 256m
  cron:
    image: registry.example.com/storefront/cron:2.3
    environment:
      SCHEDULE: "*/5 * * * *"
"""


@pytest.fixture
def project(tmp_path):
    import subprocess

    hub = tmp_path / "storefront.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(hub)], check=True)
    seed = init_repo(tmp_path / "seed")
    seed.commit({"compose.yaml": COMPOSE, ".gitignore": ".env\n",
                 ".env.example": "API_TAG=0.0\nSECRET_KEY=change-me\nPAYMENTS_URL=http://localhost\n"}, "storefront")
    seed.git("push", "-q", str(hub), "main")
    laptop = clone(hub, tmp_path / "storefront")
    laptop.write({".env": "API_TAG=1.4\nSECRET_KEY=s3cr3t-value-123456\nPAYMENTS_URL=https://pay.example.com\n"})
    return tmp_path, hub, laptop


def _check(tmp_path, hub, laptop, **hub_extra) -> tuple[int, dict, str]:
    write_config(tmp_path / "environments.yaml", {
        "laptop": {"transport": "local", "path": str(laptop.path)},
        "hub": {"transport": "git", "url": str(hub), **hub_extra},
    }, CALM)
    run = driftctl("check", "--format", "json", cwd=tmp_path)
    doc = json.loads(run.out) if run.out.strip() else {}
    return run.code, doc, run.err


def test_in_sync_project_with_a_gitignored_env_file_exits_0(project) -> None:
    tmp_path, hub, laptop = project
    code, doc, err = _check(tmp_path, hub, laptop)
    assert code == 0, json.dumps(doc, indent=1) + err
    assert doc["incomplete"] == []
    show = driftctl("diff", "--cached", "laptop", "hub", "--show-in-sync", "--format", "json", cwd=tmp_path)
    rows = {r["component"]: r for r in json.loads(show.out)["rows"]}
    # only what needs the missing .env is unknown; the rest of the model is compared
    assert rows["compose.services.api.image"]["values"]["hub"] == "(unknown)"
    assert rows["compose.services.api.environment.PAYMENTS_URL"]["values"]["hub"] == "(unknown)"
    assert rows["compose.services.api.mem_limit"]["values"] == {"laptop": "256MiB", "hub": "256MiB"}
    assert rows["compose.services.cron.image"]["values"] == {"laptop": "registry.example.com/storefront/cron:2.3",
                                                             "hub": "registry.example.com/storefront/cron:2.3"}
    assert rows["compose.services.cron.environment.SCHEDULE"]["status"] == "IN_SYNC"


def test_a_stand_in_env_file_gives_names_not_values(project) -> None:
    tmp_path, hub, laptop = project
    code, doc, err = _check(tmp_path, hub, laptop, env_fallbacks={".env": ".env.example"})
    assert code == 0, json.dumps(doc, indent=1) + err
    show = driftctl("diff", "--cached", "laptop", "hub", "--show-in-sync", "--format", "json", cwd=tmp_path)
    rows = {r["component"]: r for r in json.loads(show.out)["rows"]}
    assert rows["compose.services.api.environment.SECRET_KEY"]["values"]["hub"] == "(unknown)"
    assert "change-me" not in show.out


def test_a_real_difference_is_still_found_next_to_unknown_values(project) -> None:
    tmp_path, hub, laptop = project
    laptop.write({"compose.yaml": COMPOSE.replace("256m", "512m")})
    code, doc, _ = _check(tmp_path, hub, laptop)
    assert code == 1
    findings = {r["component"]: r["status"] for r in doc["rows"] if r["severity"] != "none"}
    assert findings.get("compose.services.api.mem_limit") == "DRIFT", findings
    assert not any(c.startswith("compose.services.cron") for c in findings), findings
