"""End to end on real git checkouts: every planted difference gets its status, nothing else is drift."""

from __future__ import annotations

import json

import pytest

from driftctl.checks import compare, gather
from driftctl.config import load_config
from driftctl.matrix import exit_code
from tests.differ.scenario import CALM_THRESHOLDS, CONSEQUENCES, MISSING_LINE, PLANTED, build, local_envs
from tests.helpers import driftctl, write_config

pytestmark = pytest.mark.integration


def assert_planted_only(doc: dict) -> None:
    """Each planted difference has its status; every other row is in sync (or a counted-elsewhere consequence)."""
    rows = {r["component"]: r for r in doc["rows"]}
    for component, status in PLANTED.items():
        assert component in rows, f"missing row {component}; got {sorted(rows)}"
        assert rows[component]["status"] == status, (component, rows[component])
        assert rows[component]["severity"] != "none", component
    for component, status in CONSEQUENCES.items():
        assert rows[component]["status"] == status and rows[component]["severity"] == "none", rows[component]
    noise = {c: (r["status"], r["values"]) for c, r in rows.items()
             if r["status"] != "IN_SYNC" and c not in PLANTED and c not in CONSEQUENCES}
    assert not noise, json.dumps(noise, indent=1)
    assert doc["incomplete"] == [], doc["incomplete"]


def assert_details(doc: dict) -> None:
    rows = {r["component"]: r for r in doc["rows"]}
    health = rows["code_health.market-data"]
    assert "services/market-data/unified_oi_aggregator.py" in health["values"]["local"]
    assert health["values"]["aws"] == "ok"
    assert any(f"unified_oi_aggregator.py:{MISSING_LINE} imports gateio_oi_provider_working" in d for d in health["details"])
    assert rows["git.branch"]["values"] == {"local": "main", "aws": "aws-deployment"}
    assert rows["git.branch"]["severity"] == "critical"
    assert any("have diverged" in d for d in rows["git.branch"]["details"])
    assert rows["worktree.services/market-data"]["values"]["local"] == "clean"
    assert "gateio_oi_provider_working.py" in rows["worktree.services/market-data"]["values"]["aws"]
    assert rows["compose.services.telegram-bot.command"]["values"] == {"local": "python main_webhook.py", "aws": "python main.py"}
    assert rows["env.env.MARKET_DATA_URL"]["values"] == {"local": "http://crypto-market-data:8001", "aws": "http://market-data:8001"}
    assert rows["compose.services.telegram-bot.environment.MARKET_DATA_URL"]["sources"]["aws"].startswith(
        "compose: docker-compose.yml, docker-compose.override.yml")


def test_incident_between_two_local_checkouts(tmp_path) -> None:
    incident = build(tmp_path)
    cfg_path = write_config(incident.workdir / "environments.yaml", local_envs(incident), CALM_THRESHOLDS)
    cfg = load_config(str(cfg_path))
    matrix = compare(gather(cfg, ["local", "aws"]), cfg.rules)
    doc = matrix.to_json(show_in_sync=True)
    assert_planted_only(doc)
    assert_details(doc)
    assert exit_code(matrix) == 1


def test_incident_through_the_cli_with_expected_and_ignore_rules(tmp_path) -> None:
    """Rules turn every planted difference into EXPECTED or hide it: `check` then exits 0."""
    incident = build(tmp_path)
    rules = {
        **CALM_THRESHOLDS,
        "expected": [{"component": c, "environments": ["local", "aws"], "reason": "planted"}
                     for c in PLANTED if not c.startswith("code_health")],
        "ignore": ["code_health"],
    }
    write_config(incident.workdir / "environments.yaml", local_envs(incident), rules)
    run = driftctl("check", "local", "aws", "--format", "json", cwd=incident.workdir)
    assert run.code == 0, run.out + run.err
    doc = json.loads(run.out)
    assert not any(r["component"].startswith("code_health") for r in doc["rows"])
    # the rule on env.env.MARKET_DATA_URL also covers the compose value that file feeds (one fact)
    assert {r["component"] for r in doc["rows"] if r["status"] == "EXPECTED"} == {
        c for c in PLANTED if not c.startswith("code_health")} | {"compose.services.telegram-bot.environment.MARKET_DATA_URL"}
    # the same run without rules is drift, and the cached snapshots give the same answer
    write_config(incident.workdir / "environments.yaml", local_envs(incident), CALM_THRESHOLDS)
    assert driftctl("check", "--cached", "local", "aws", cwd=incident.workdir).code == 1
    cached = driftctl("diff", "--cached", "local", "aws", "--format", "json", cwd=incident.workdir)
    assert cached.code == 1, cached.err
    assert_planted_only(json.loads(cached.out))


def test_incident_with_aws_over_ssh(tmp_path, sshd) -> None:
    """The same scenario with aws reached over a real sshd: the transport must not add a row."""
    incident = build(tmp_path)
    envs = local_envs(incident)
    envs["aws"] = sshd.env_spec(str(incident.aws))
    cfg = load_config(str(write_config(incident.workdir / "environments.yaml", envs, CALM_THRESHOLDS)))
    matrix = compare(gather(cfg, ["local", "aws"]), cfg.rules)
    doc = matrix.to_json(show_in_sync=True)
    assert_planted_only(doc)
    assert_details(doc)
    rows = {r["component"]: r for r in doc["rows"]}
    assert rows["host.memory"]["status"] == "IN_SYNC"


def test_a_git_remote_has_no_host_and_no_working_tree(tmp_path) -> None:
    """A `git` environment is a commit: host and worktree rows say n/a for it, never MISSING."""
    incident = build(tmp_path)
    envs = {**local_envs(incident), "github": {"transport": "git", "url": str(incident.origin), "ref": "main"}}
    cfg = load_config(str(write_config(incident.workdir / "environments.yaml", envs, CALM_THRESHOLDS)))
    doc = compare(gather(cfg, ["local", "github"]), cfg.rules).to_json(show_in_sync=True)
    rows = {r["component"]: r for r in doc["rows"]}
    assert doc["incomplete"] == []
    for component, row in rows.items():
        if component.startswith(("host.", "worktree.")):
            assert row["values"]["github"] == "(n/a)" and row["status"] == "IN_SYNC", row
    assert rows["git.branch"]["status"] == "IN_SYNC" and rows["git.head"]["status"] == "IN_SYNC"
    # local and github hold the same commit; the only files difference is none at all
    assert not [c for c, r in rows.items() if c.startswith("files.") and r["status"] != "IN_SYNC"]
