"""`--shard K/N`: disjoint, complete and stable splits; a diff of the shards' snapshots equals a diff
of one full collection; `--jobs` bounds the threads of a large collection."""

from __future__ import annotations

import json
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftctl.errors import UsageError
from driftctl.shard import parse_shard, select_shard, shard_of
from tests.fixtures.gitrepos import init_repo
from tests.helpers import driftctl, write_config

NAME = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True)


@given(st.lists(NAME, unique=True, max_size=60), st.integers(min_value=1, max_value=12))
def test_shards_are_disjoint_and_complete(names: list[str], total: int) -> None:
    parts = [select_shard(names, f"{k}/{total}") for k in range(1, total + 1)]
    assert sorted(n for p in parts for n in p) == sorted(names)
    assert sum(len(p) for p in parts) == len(names)


@given(st.lists(NAME, unique=True, min_size=1, max_size=40), NAME)
def test_a_new_environment_moves_no_other(names: list[str], extra: str) -> None:
    before = {n: shard_of(n, 4) for n in names}
    after = {n: shard_of(n, 4) for n in [*names, extra] if n in before}
    assert before == after


@pytest.mark.parametrize("spec", ["0/3", "4/3", "x", "1/0", "", "1/2/3", "-1/2"])
def test_bad_shard_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_shard(spec)


def test_diff_of_shards_equals_diff_of_one_collection(tmp_path) -> None:
    repos = []
    for name, value in (("a", "1"), ("b", "2")):
        repo = init_repo(tmp_path / name)
        repo.commit({"docker-compose.yml": "services:\n  app:\n    image: nginx:1.25\n    environment: [A]\n",
                     ".gitignore": ".env\n"}, "init")
        (repo.path / ".env").write_text(f"A={value}\n")
        repos.append(repo)
    envs = {f"env{i}": {"transport": "local", "path": str(repos[i % 2].path), "collectors": ["git", "compose", "env"]}
            for i in range(8)}
    cfg = write_config(tmp_path / "environments.yaml", envs)
    full_reports, shard_reports = tmp_path / "full", tmp_path / "shards"
    assert driftctl("snapshot", "-c", str(cfg), env={"DRIFTCTL_REPORTS_DIR": str(full_reports)}).code == 0
    seen: list[str] = []
    for k in (1, 2, 3):
        run = driftctl("snapshot", "-c", str(cfg), "--shard", f"{k}/3", "--jobs", "2", "--format", "json",
                       env={"DRIFTCTL_REPORTS_DIR": str(shard_reports)})
        assert run.code == 0, run.err
        seen += [d["environment"] for d in json.loads(run.out)]
    assert sorted(seen) == sorted(envs)

    def diff(root) -> dict:
        files = [str(root / "snapshots" / e / "latest.json") for e in sorted(envs)]
        run = driftctl("diff", *[a for f in files for a in ("--snapshot", f)], "--format", "json", cwd=tmp_path)
        doc = json.loads(run.out)
        return {"rows": [{k: r[k] for k in ("component", "values", "status", "severity")} for r in doc["rows"]],
                "summary": doc["summary"]}

    assert diff(full_reports) == diff(shard_reports)


def test_jobs_bounds_the_collection_threads(tmp_path) -> None:
    from driftctl.config import load_config
    from driftctl.runner import collect_all

    repo = init_repo(tmp_path / "repo")
    repo.commit({"docker-compose.yml": "services:\n  app:\n    image: nginx\n"}, "init")
    envs = {f"e{i}": {"transport": "local", "path": str(repo.path), "collectors": ["git", "compose"]} for i in range(24)}
    cfg = load_config(str(write_config(tmp_path / "environments.yaml", envs)))
    peak = {"threads": 0}
    baseline = threading.active_count()

    def progress(env: str, message: str) -> None:
        peak["threads"] = max(peak["threads"], threading.active_count() - baseline)

    snaps = collect_all(cfg, list(envs), jobs=3, progress=progress)
    assert len(snaps) == 24 and all(s["complete"] for s in snaps)
    from driftctl.transport.local import BATCH_WORKERS

    assert 1 <= peak["threads"] <= 3 * (1 + BATCH_WORKERS)  # each job: its worker and one local batch's pool
