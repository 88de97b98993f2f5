"""Merge risk: pure parsing and comparison, and the analysis on real git repositories (no host)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from driftctl.analysis.merge_risk import MergePair, MergeRiskAnalysis, Side, compare, flatten, parse_merge_tree
from driftctl.analysis.run import _make_scratch
from driftctl.collectors.base import CollectContext
from driftctl.config import EnvironmentSpec
from driftctl.errors import CollectorError
from driftctl.runner import drive
from driftctl.transport.local import LocalTransport
from tests.planner.scenario import COMPOSE


def test_parse_merge_tree_clean_and_conflicted():
    assert parse_merge_tree("abc123\n", 0) == ("abc123", [])
    assert parse_merge_tree("abc123\nf\ndocker-compose.yml\n\nmessages\n", 1) == ("abc123", ["docker-compose.yml", "f"])
    with pytest.raises(CollectorError):
        parse_merge_tree("", 128)


def test_flatten_uses_the_differ_component_ids_and_hides_secrets():
    model = {"services": {"bot": {"command": ["python", "main.py"], "environment": {"URL": "http://x", "API_KEY": "s3cr3t-value"}}}}
    flat = flatten(model)
    assert flat["compose.services.bot.command"] == ["python", "main.py"]
    assert flat["compose.services.bot.environment.URL"] == "http://x"
    assert flat["compose.services.bot.environment.API_KEY"].startswith("fp:")
    assert compare({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == [
        {"component": "b", "before": 2, "after": 3}, {"component": "c", "before": None, "after": 4}]


def _analyse(repo, ours: str, theirs: str) -> dict:
    pair = MergePair(Side("local", "main", ours, ("docker-compose.yml",)), Side("aws", "aws-deployment", theirs, ("docker-compose.yml",)))
    ctx = CollectContext(env_name="local", spec=EnvironmentSpec(transport="local"), kind="local", root=str(repo.path))
    transport = LocalTransport("local", root=str(repo.path))
    scratch = _make_scratch(transport)
    analysis = MergeRiskAnalysis([pair], scratch)
    outcome = drive(ctx, [analysis], transport.run_batch, lambda _m: None)["merge_risk"]
    assert outcome.status == "ok", outcome.error
    # the merged tree went to the temporary object directory, never into the repository
    tree = outcome.data["pairs"][0]["tree"]
    assert os.listdir(scratch.temp)
    assert repo.git("cat-file", "-e", tree, check=False) == "" and not _has_object(repo, tree)
    shutil.rmtree(scratch.temp)
    return outcome.data["pairs"][0]


def _has_object(repo, oid: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", oid], cwd=repo.path, capture_output=True).returncode == 0


def test_analysis_reports_what_each_merge_direction_changes(git_repo):
    repo = git_repo("hub")
    repo.commit({"docker-compose.yml": COMPOSE.format(command="python main.py", url="http://crypto-market-data:8001")}, "base")
    repo.checkout("aws-deployment", create=True)
    aws = repo.commit({"docker-compose.yml": COMPOSE.format(command="python main.py", url="http://market-data:8001")}, "aws")
    repo.checkout("main")
    main = repo.commit({"docker-compose.yml": COMPOSE.format(command="gunicorn main_webhook:app", url="http://crypto-market-data:8001"),
                        "README": "x\n"}, "webhook")
    status_before = repo.git("status", "--porcelain")
    result = _analyse(repo, main, aws)
    assert result["clean"] is True and result["conflicts"] == []
    assert result["changes"]["into_ours"] == [{
        "component": "compose.services.telegram-bot.environment.MARKET_DATA_URL",
        "before": "http://crypto-market-data:8001", "after": "http://market-data:8001"}]
    assert result["changes"]["into_theirs"] == [{
        "component": "compose.services.telegram-bot.command",
        "before": ["python", "main.py"], "after": ["gunicorn", "main_webhook:app"]}]
    assert repo.head() == main and repo.git("status", "--porcelain") == status_before


def test_analysis_reports_conflicts(git_repo):
    repo = git_repo("hub")
    repo.commit({"docker-compose.yml": COMPOSE.format(command="python main.py", url="http://a:1")}, "base")
    repo.checkout("other", create=True)
    theirs = repo.commit({"docker-compose.yml": COMPOSE.format(command="python main.py", url="http://b:1")}, "b")
    repo.checkout("main")
    ours = repo.commit({"docker-compose.yml": COMPOSE.format(command="python main.py", url="http://c:1")}, "c")
    result = _analyse(repo, ours, theirs)
    assert result["clean"] is False and result["conflicts"] == ["docker-compose.yml"]
    assert result["resolve_errors"]  # the conflicted compose file cannot be resolved, and says so


def test_merge_risk_asks_the_planner_for_its_hub(tmp_path):
    """The analysis merges into the hub the plan uses; a hub known only from a snapshot file (not in
    the config) cannot be reached, so there is no analysis rather than a crash."""
    from driftctl.analysis.run import compute_merge_risk, plan_view
    from driftctl.config import load_config
    from tests.helpers import write_config

    def snap(env: str, transport: str, head: str) -> dict:
        return {"environment": env, "transport": transport,
                "collectors": {"git": {"status": "ok", "data": {"head": head, "branch": "main", "graph": {}}}}}

    cfg = load_config(str(write_config(tmp_path / "environments.yaml", {
        "dev": {"transport": "local", "path": "."}, "github": {"transport": "git", "url": str(tmp_path / "none.git")}})))
    known = {"dev": snap("dev", "local", "a" * 40), "github": snap("github", "git", "b" * 40)}
    assert plan_view(cfg, known).hub == "dev"
    from_a_file = {"laptop": snap("laptop", "local", "a" * 40), "github": snap("github", "git", "b" * 40)}
    assert plan_view(cfg, from_a_file).hub == "laptop"
    assert compute_merge_risk(cfg, from_a_file) == []
