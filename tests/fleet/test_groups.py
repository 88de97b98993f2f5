"""`driftctl diff --group`: a fleet as its majority value plus the hosts that differ."""

from __future__ import annotations

import json

import pytest

from driftctl.errors import UsageError
from driftctl.grouping import MAJORITY, group_view, members
from tests.fixtures.gitrepos import init_repo
from tests.helpers import driftctl, write_config


def test_members_by_name_and_pattern() -> None:
    envs = ["web-1", "web-2", "db-1", "webby"]
    assert members({"web": ["web-*"]}, envs, "web") == ["web-1", "web-2"]
    assert members({"x": ["db-1", "webby"]}, envs, "x") == ["db-1", "webby"]
    with pytest.raises(UsageError, match="known: web"):
        members({"web": ["web-*"]}, envs, "nope")
    with pytest.raises(UsageError, match="matches no environment"):
        members({"web": ["api-*"]}, envs, "web")


def test_group_view_keeps_only_outliers() -> None:
    values = {f"web-{i}": "nginx:1.25" for i in range(1, 51)}
    values["web-7"] = "nginx:1.24"
    doc = {"environments": [*values, "github"], "rows": [
        {"component": "compose.services.web.image", "values": {**values, "github": "nginx:1.25"}, "status": "MISMATCH"},
    ]}
    out = group_view(doc, [f"web-{i}" for i in range(1, 51)])
    assert out["environments"] == ["github", MAJORITY, "web-7"]
    row = out["rows"][0]
    assert row["values"] == {"github": "nginx:1.25", MAJORITY: "nginx:1.25 (49/50)", "web-7": "nginx:1.24"}
    assert row["outliers"] == ["web-7"]


def test_diff_group_end_to_end(tmp_path) -> None:
    paths = {}
    for name, image in (("same", "nginx:1.25"), ("odd", "nginx:1.24")):
        repo = init_repo(tmp_path / name)
        repo.commit({"docker-compose.yml": f"services:\n  web:\n    image: {image}\n"}, "init")
        paths[name] = str(repo.path)
    envs = {f"web-{i}": {"transport": "local", "path": paths["odd" if i == 3 else "same"], "collectors": ["compose"]}
            for i in range(1, 7)}
    cfg = write_config(tmp_path / "environments.yaml", envs)
    text = cfg.read_text() + "groups:\n  web: [\"web-*\"]\n"
    cfg.write_text(text)
    run = driftctl("diff", "--group", "web", "--format", "json", cwd=tmp_path)
    assert run.code == 1, run.err
    doc = json.loads(run.out)
    assert doc["environments"] == [MAJORITY, "web-3"]
    row = next(r for r in doc["rows"] if r["component"] == "compose.services.web.image")
    assert row["values"] == {MAJORITY: "nginx:1.25 (5/6)", "web-3": "nginx:1.24"}
    table = driftctl("diff", "--group", "web", cwd=tmp_path)
    assert "web-3" in table.out and "web-1 " not in table.out
