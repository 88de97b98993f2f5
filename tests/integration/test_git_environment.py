"""A `git` environment: refs from `ls-remote`, files at the ref from a cached bare mirror."""

from __future__ import annotations

import json

import pytest

from tests.helpers import driftctl, write_config

pytestmark = pytest.mark.integration

COMPOSE = "services:\n  bot:\n    image: bot:${TAG:-1}\n    environment:\n      MARKET_DATA_URL: http://market-data:8001\n"


@pytest.fixture
def remote(git_repo, bare_origin, tmp_path):
    origin = bare_origin()
    work = git_repo("work")
    work.commit({"docker-compose.yml": COMPOSE, "app/main.py": "print('v1')\n"}, "v1")
    work.git("remote", "add", "origin", str(origin))
    work.git("push", "-q", "origin", "main")
    work.checkout("aws-deployment", create=True)
    work.commit({"app/main.py": "print('v2')\n", "docker-compose.yml": COMPOSE.replace("${TAG:-1}", "2")}, "v2")
    work.git("push", "-q", "origin", "aws-deployment")
    work.git("tag", "-a", "release-1", "-m", "release", "main")
    work.git("push", "-q", "origin", "release-1")
    return work, origin


def snapshot(tmp_path, env: dict) -> tuple:
    cfg = write_config(tmp_path / "environments.yaml", {"github": env})
    run = driftctl("snapshot", "--format", "json", "-c", str(cfg), cwd=tmp_path)
    return run, (json.loads(run.out)[0] if run.out.strip() else None)


def test_git_environment_reads_refs_and_files_at_the_remote_head(tmp_path, remote) -> None:
    work, origin = remote
    run, snap = snapshot(tmp_path, {"transport": "git", "url": str(origin)})
    assert run.code == 0, run.err
    git = snap["collectors"]["git"]["data"]
    assert git["branch"] == "main"
    assert git["head"]["sha"] == work.git("rev-parse", "main")
    assert set(git["branches"]) == {"main", "aws-deployment"}
    assert git["tags"]["release-1"] == work.git("rev-parse", "main")  # peeled to the commit
    assert git["modified"] == [] and git["untracked"] == []
    compose = snap["collectors"]["compose"]["data"]
    # `${TAG:-1}` needs the project .env, which a remote does not have (gitignored): unknown, not the default
    from driftctl.snapshot import UNKNOWN_ENV_VALUE

    assert compose["services"]["bot"]["image"] == f"bot:{UNKNOWN_ENV_VALUE}"
    assert compose["missing_env_files"] == {"(project)": [".env"]}
    files = snap["collectors"]["files"]["data"]["files"]
    assert set(files) == {"docker-compose.yml", "app/main.py"}
    assert snap["collectors"]["env"]["data"]["files"][".env"] == {"exists": False}
    assert "host" not in snap["collectors"]  # a repository has no host


def test_git_environment_at_a_ref_and_after_new_pushes(tmp_path, remote) -> None:
    work, origin = remote
    run, snap = snapshot(tmp_path, {"transport": "git", "url": str(origin), "ref": "aws-deployment"})
    assert run.code == 0, run.err
    assert snap["collectors"]["compose"]["data"]["services"]["bot"]["image"] == "bot:2"
    work.commit({"app/main.py": "print('v3')\n"}, "v3")
    work.git("push", "-q", "origin", "aws-deployment")
    run, snap = snapshot(tmp_path, {"transport": "git", "url": str(origin), "ref": "aws-deployment"})
    assert snap["collectors"]["git"]["data"]["head"]["subject"] == "v3"  # the cached mirror was updated


def test_unreachable_remote_and_unknown_ref_are_incomplete(tmp_path, remote) -> None:
    _, origin = remote
    run, snap = snapshot(tmp_path, {"transport": "git", "url": str(tmp_path / "nope.git")})
    assert run.code == 3 and "cannot fetch" in snap["error"] and "Traceback" not in run.err
    run, snap = snapshot(tmp_path, {"transport": "git", "url": str(origin), "ref": "no-such-branch"})
    assert run.code == 3 and "ref 'no-such-branch' not found" in snap["error"]
