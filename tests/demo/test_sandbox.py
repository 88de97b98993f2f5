"""The sandbox builder: the seed's branch layout, the hand-made state of `aws`, reproducible hashes,
and the packaged template being the bundled services."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from driftctl.demo import sandbox, story
from driftctl.demo.environments import environments_yaml
from tests.demo.helpers import REPO

WORKING = ["services/market-data/bitget_oi_provider_working.py", "services/market-data/gateio_oi_provider_working.py"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.rstrip()


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> sandbox.Sandbox:
    return sandbox.build(tmp_path_factory.mktemp("demo") / "sandbox")


def test_aws_deployment_is_a_dozen_commits_ahead_and_main_has_its_own(box: sandbox.Sandbox) -> None:
    assert git(box.local, "rev-list", "--count", "main..aws-deployment") == "12"
    assert git(box.local, "rev-list", "--count", "aws-deployment..main") == str(len(story.MAIN_AFTER))
    subjects = git(box.local, "log", "--format=%s", "main..aws-deployment")
    for feature in ("Enhanced /price", "L/S ratio", "OI improvements"):
        assert feature in subjects


def test_origin_is_behind_main(box: sandbox.Sandbox) -> None:
    assert git(box.local, "rev-list", "--count", "origin/main..main") == str(len(story.MAIN_AFTER))
    assert git(box.local, "rev-list", "--count", "main..origin/main") == "0"
    assert git(box.github, "rev-parse", "main") == git(box.local, "rev-parse", "origin/main")
    assert git(box.github, "rev-parse", "aws-deployment") == git(box.local, "rev-parse", "aws-deployment")
    assert git(box.local, "rev-parse", "--abbrev-ref", "main@{upstream}") == "origin/main"


def test_local_is_a_clean_checkout_of_main_with_broken_imports(box: sandbox.Sandbox) -> None:
    assert git(box.local, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(box.local, "status", "--porcelain") == ""
    aggregator = (box.local / "services/market-data/unified_oi_aggregator.py").read_text()
    assert "from gateio_oi_provider_working import GateIOOIProviderWorking" in aggregator
    assert not any((box.local / p).exists() for p in WORKING)
    compose = (box.local / "docker-compose.yml").read_text()
    assert "command: python main_webhook.py" in compose and "http://crypto-market-data:8001" in compose
    assert "EXCHANGE_ENV=testnet" in (box.local / "docker-compose.local.yml").read_text()


def test_aws_has_the_manual_fixes_uncommitted(box: sandbox.Sandbox) -> None:
    assert git(box.aws, "rev-parse", "--abbrev-ref", "HEAD") == "aws-deployment"
    assert git(box.aws, "rev-parse", "HEAD") == git(box.github, "rev-parse", "aws-deployment")
    status = git(box.aws, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(status) == sorted([" M docker-compose.aws.yml", *(f"?? {p}" for p in WORKING)])
    override = (box.aws / "docker-compose.aws.yml").read_text()
    assert "command: python main.py" in override and "EXCHANGE_ENV=production" in override
    assert "http://market-data:8001" in (box.aws / "docker-compose.yml").read_text()
    assert "class GateIOOIProviderWorking(" in (box.aws / WORKING[1]).read_text()


def test_history_is_reproducible(box: sandbox.Sandbox, tmp_path: Path) -> None:
    again = sandbox.build(tmp_path / "again")
    for branch in ("main", "aws-deployment", "origin/main"):
        assert git(again.local, "rev-parse", branch) == git(box.local, "rev-parse", branch)


def test_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("mine")
    with pytest.raises(sandbox.SandboxError, match="not empty"):
        sandbox.build(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "mine"


def test_story_edits_fail_loudly_when_the_template_changes() -> None:
    with pytest.raises(story.StoryError, match="unified_oi_aggregator.py"):
        story.WORKING_IMPORTS.apply({"services/market-data/unified_oi_aggregator.py": b"import os\n"})


def test_template_is_the_bundled_services() -> None:
    """The package ships services/ (an installed driftctl has no repository): the template folder is a
    symlink to it, which the wheel build follows, so there is one copy in the repository."""
    services = REPO / "services"
    bundled = {str(p.relative_to(REPO)): p.read_bytes() for p in services.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}
    assert sandbox.template_files() == bundled


def test_config_loads_for_both_transports(tmp_path: Path) -> None:
    from driftctl.config import load_config

    for aws in (None, {"transport": "ssh", "host": "127.0.0.1", "port": 2222, "user": "me",
                       "identity_file": "/k", "known_hosts": "/kh", "path": "/srv/aws"}):
        path = tmp_path / "environments.yaml"
        path.write_text(environments_yaml(aws))
        cfg = load_config(str(path))
        assert list(cfg.environments) == ["local", "aws", "github"]
        assert cfg.environments["aws"].transport == ("ssh" if aws else "local")
        assert set(cfg.rules.components) == {"bot_mode", "service_discovery", "api_environment"}
