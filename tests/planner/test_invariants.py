"""The invariant checker refuses plans that break a safety rule (each rule has a failing example),
and the file-content secret scanner names file, line and kind only."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from driftctl.filescan import scan_text
from driftctl.planner.context import PlanContext
from driftctl.planner.graph import link
from driftctl.planner.invariants import PlanInvariantError, check
from driftctl.planner.model import Phase, Risk, Step
from driftctl.planner.targets import targets_from_specs

SEED = json.loads((Path(__file__).parent / "inputs" / "seed.json").read_text())


def _ctx(**target_overrides) -> PlanContext:
    specs = {k: {**v, **target_overrides.get(k, {})} for k, v in SEED["targets"].items()}
    targets = targets_from_specs(specs, {"local": specs["local"]["path"]}, "/srv")
    return PlanContext(matrix=SEED["matrix"], snapshots=SEED["snapshots"], targets=targets, option="quick-fix",
                       now=datetime(2025, 1, 15, tzinfo=timezone.utc), reports_root="/srv/reports")


SECURE = Step("tag-aws", "tag", "local", ("git tag x abc",), True, Risk("low", "tag"), rollback=("git tag -d x",),
              verify=("git rev-parse x",), preconditions=("git cat-file -e abc",), secures="aws", touches=("local",))
GOOD = Step("change-aws", "change", "aws", ("touch f",), True, Risk("low", "x"), rollback=("rm -f f",), verify=("test -f f",),
            preconditions=("test ! -e f",))


def _check(step: Step, ctx: PlanContext | None = None) -> None:
    check(link([Phase(1, "p", "g", (SECURE, step))]), ctx or _ctx())


def test_a_correct_plan_passes_and_link_adds_the_securing_steps() -> None:
    phases = link([Phase(1, "p", "g", (SECURE, GOOD))])
    assert phases[0].steps[1].requires == ("tag-aws",)
    check(phases, _ctx())


@pytest.mark.parametrize("command,why", [
    ("git stash push -u", "git stash hides work"),
    ("git reset --hard HEAD~1", "reset --hard"),
    ("git clean -fd", "git clean"),
    ("docker compose -p crypto-assistant -f docker-compose.yml -f docker-compose.aws.yml up -d --remove-orphans", "--remove-orphans"),
    ("printf '%s' 'KEY: fp:0123456789abcdef' > x.yml", "placeholder"),
    ("printf '%s' 'URL: (absent)' > x.yml", "placeholder"),
    ("git checkout --detach abc", "checkout without a clean-tree precondition"),
    ("docker compose -f docker-compose.yml up -d", "docker compose without -p"),
    ("docker compose -p crypto-assistant -f docker-compose.yml up -d", "instead of aws's"),
])
def test_each_rule_refuses_its_violation(command: str, why: str) -> None:
    with pytest.raises(PlanInvariantError, match=why.replace("-", r"\-").replace("(", r"\(").replace(")", r"\)")):
        _check(replace(GOOD, commands=(command,)))


def test_engine_route_is_required_where_configured() -> None:
    ctx = _ctx(aws={"docker_host": "ssh://deploy@10.0.0.9"})
    with pytest.raises(PlanInvariantError, match="engine route"):
        _check(replace(GOOD, commands=("docker ps -a",)), ctx)
    _check(replace(GOOD, commands=("env DOCKER_HOST=ssh://deploy@10.0.0.9 docker ps -a",)), ctx)


def test_missing_rollback_preconditions_or_order_are_bugs() -> None:
    with pytest.raises(PlanInvariantError, match="without rollback"):
        _check(replace(GOOD, rollback=()))
    with pytest.raises(PlanInvariantError, match="without preconditions"):
        _check(replace(GOOD, preconditions=()))
    with pytest.raises(PlanInvariantError, match="do not come before it"):
        check([Phase(1, "p", "g", (replace(GOOD, requires=("tag-aws",)), SECURE))], _ctx())
    with pytest.raises(PlanInvariantError, match="before tag-aws secured it"):
        check([Phase(1, "p", "g", (SECURE, GOOD))], _ctx())  # not linked: the securing step is not required


def test_scanner_names_file_line_and_kind_never_the_value() -> None:
    text = "\n".join([
        "ok = 1",
        'STRIPE = "sk_live_' + "4eC39HqLyjWDarjtT1zdp7dc" + '"',
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "db = 'postgres://app:hunter22@db/app'",
        "AWS = 'AKIA" + "IOSFODNN7EXAMPLE'",
        "TOKEN = 'aZ3kQ9vX2mN8pL5rT1wY7uB4cE6gH0jK'",
        "path = '/usr/local/share/some/long/path/name'",
    ])
    found = scan_text("svc/x.py", text)
    assert [(f.line, f.kind) for f in found] == [(2, "payment API key"), (3, "private key"), (4, "URL with a password"),
                                                  (5, "AWS access key"), (6, "high-entropy string")]
    assert all("sk_live" not in str(f) and "hunter22" not in str(f) for f in found)


def test_backup_encryption_round_trip_and_wrong_key(tmp_path, monkeypatch) -> None:
    from driftctl.backup_crypto import decrypt, encrypt
    from driftctl.errors import UsageError

    monkeypatch.setenv("DRIFTCTL_BACKUP_KEY_FILE", str(tmp_path / "a.key"))
    blob = encrypt(b"API_TOKEN=s3cr3t\n")
    assert b"s3cr3t" not in blob and decrypt(blob) == b"API_TOKEN=s3cr3t\n"
    assert oct((tmp_path / "a.key").stat().st_mode & 0o777) == "0o600"
    monkeypatch.setenv("DRIFTCTL_BACKUP_KEY_FILE", str(tmp_path / "b.key"))
    encrypt(b"other key created")
    with pytest.raises(UsageError, match="cannot decrypt"):
        decrypt(blob)
