"""`driftctl plan` logs in once per SSH environment: the secret scan of uncommitted files runs over
the connections the collection opened (the project standard: one SSH connection per environment;
the merge-risk analysis runs in the hub, a checkout on this machine). Real git repositories, a real
sshd counting its logins."""

from __future__ import annotations

import pytest
import yaml

from driftctl import api
from tests.fixtures.gitrepos import clone

pytestmark = pytest.mark.integration

AWS_KEY = "AKIAQ3EGRVZ5J7XK2PLM"  # the shape of an AWS access key: the scan must find it


def test_plan_logs_in_once_per_ssh_environment(seed_scenario, sshd):
    s = seed_scenario
    edge = clone(s.origin, s.ops.parent / "edge-host" / "crypto-assistant", branch="aws-deployment")
    for repo in (s.aws, edge):  # uncommitted on both hosts: each one's files are read and scanned
        repo.write({"services/market-data/keys.py": f'KEY = "{AWS_KEY}"\n'})
    config = yaml.safe_load(s.config.read_text())
    config["environments"]["edge"] = sshd.env_spec(str(edge.path), compose_files=["docker-compose.yml"])
    s.config.write_text(yaml.safe_dump(config))

    before = sshd.accepted_logins()
    result = api.plan(option="quick-fix", config=s.config)

    assert sshd.accepted_logins() - before == 2  # aws and edge: one login each, for everything plan reads
    warnings = {w["id"]: w for w in result.document["warnings"]}
    for env in ("aws", "edge"):
        assert "services/market-data/keys.py:1 (AWS access key)" in warnings[f"secret-files-{env}"]["message"]
    [risk] = result.document["merge_risk"]  # aws and edge deploy the same commit: one merge into the hub
    assert risk["computed_in"] == "local" and risk["error"] is None and risk["clean"] is True
    assert risk["theirs"]["commit"] == s.aws_head
