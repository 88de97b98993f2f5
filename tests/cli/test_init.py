"""`driftctl init` on a fresh compose project (real git, a bare remote), and driftctl never reporting
its own files: `init && snapshot && diff local <git env>` is clean."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.fixtures.gitrepos import clone
from tests.helpers import driftctl

COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    environment:\n      MODE: ${MODE:-dev}\n"
PROD = "services:\n  web:\n    ports: [\"8080:80\"]\n"


@pytest.fixture
def fresh(tmp_path, bare_origin, git_repo):
    """A compose project pushed to a bare remote, cloned as a developer's checkout with its own .env."""
    origin = bare_origin()
    seed = git_repo("seed")
    seed.commit({"docker-compose.yml": COMPOSE, "docker-compose.prod.yml": PROD,
                 ".env.example": "MODE=dev\nAPI_KEY=\n", ".gitignore": ".env\n"}, "initial")
    seed.git("remote", "add", "origin", str(origin))
    seed.git("push", "-q", "origin", "main")
    work = clone(origin, tmp_path / "app")
    (work.path / ".env").write_text("MODE=dev\nAPI_KEY=a-local-key-0123456789abcdef\n")
    return work


def own_rows(doc: dict) -> list[dict]:
    """Rows that mention driftctl's own files."""
    words = ("environments.yaml", "environments.schema.json", "reports", "driftctl.log")
    return [r for r in doc["rows"] if any(w in json.dumps(r) for w in words)]


def test_init_snapshot_diff_is_clean(fresh) -> None:
    init = driftctl("init", cwd=fresh.path)
    assert init.code == 0, init.err
    cfg = yaml.safe_load((fresh.path / "environments.yaml").read_text())
    assert list(cfg["environments"]) == ["local", "remote"]
    assert cfg["environments"]["local"]["env_files"] == [".env", ".env.example"]
    assert cfg["environments"]["remote"]["transport"] == "git" and cfg["environments"]["remote"]["ref"] == "main"
    text = (fresh.path / "environments.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=environments.schema.json\n")
    assert "#   transport: ssh" in text and "docker-compose.prod.yml" in text and "expected: []" in text
    assert json.loads((fresh.path / "environments.schema.json").read_text())["title"] == "driftctl environments.yaml"
    assert "driftctl diff local remote" in init.err

    snap = driftctl("snapshot", cwd=fresh.path)
    assert snap.code == 0, snap.err
    diff = driftctl("diff", "local", "remote", cwd=fresh.path)
    assert diff.code == 0, diff.out + diff.err
    doc = json.loads(driftctl("diff", "local", "remote", "--format", "json", "--show-in-sync", cwd=fresh.path).out)
    assert own_rows(doc) == []
    # the reports folder keeps itself out of git; only the two new files are untracked
    assert fresh.git("status", "--porcelain").splitlines() == ["?? environments.schema.json", "?? environments.yaml"]


def test_init_refuses_to_overwrite_without_force(fresh) -> None:
    assert driftctl("init", cwd=fresh.path).code == 0
    (fresh.path / "environments.yaml").write_text("# mine\n")
    again = driftctl("init", str(fresh.path))
    assert again.code == 2 and "--force" in again.err and again.err.count("\n") == 1
    assert (fresh.path / "environments.yaml").read_text() == "# mine\n"
    forced = driftctl("init", str(fresh.path), "--force", "--format", "json")
    assert forced.code == 0 and json.loads(forced.out)["environments"] == ["local", "remote"]


def test_init_never_writes_credentials_of_the_remote_url(fresh) -> None:
    fresh.git("remote", "set-url", "origin", "https://someone:ghp_secret0123456789@github.com/acme/app.git")
    run = driftctl("init", cwd=fresh.path)
    assert run.code == 0, run.err
    text = (fresh.path / "environments.yaml").read_text()
    assert "ghp_secret" not in text + run.out + run.err
    assert "url: https://github.com/acme/app.git" in text and "  github:" in text


def test_own_files_are_never_drift_wherever_they_live(fresh) -> None:
    """A config under ops/, reports in a folder of the checkout, a log inside it: none of it is a row."""
    assert driftctl("init", cwd=fresh.path).code == 0
    (fresh.path / "ops").mkdir()
    config = (fresh.path / "environments.yaml").read_text().replace("path: .", "path: ..")
    (fresh.path / "ops" / "drift.yaml").write_text(config)
    (fresh.path / "environments.yaml").unlink()
    (fresh.path / "environments.schema.json").unlink()
    env = {"DRIFTCTL_LOG": str(fresh.path / "ops" / "driftctl.log")}
    args = ("-c", "ops/drift.yaml", "--reports-dir", "ops/drift-reports")
    assert driftctl(*args, "snapshot", cwd=fresh.path, env=env).code == 0
    assert (fresh.path / "ops" / "drift-reports" / "snapshots" / "local" / "latest.json").is_file()
    run = driftctl(*args, "diff", "local", "remote", "--format", "json", "--show-in-sync", cwd=fresh.path, env=env)
    assert run.code == 0, run.out + run.err
    doc = json.loads(run.out)
    assert [r for r in doc["rows"] if "ops" in json.dumps(r)] == []
