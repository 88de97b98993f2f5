"""Code health at two levels on real git: the deployed commit and the work tree.

A committed module importing a module that exists only as an uncommitted file on a host works there
and nowhere else; the commit itself is broken. Names and layout differ from the seed on purpose."""

from __future__ import annotations

import pytest

from driftctl.checks import compare, gather
from driftctl.config import load_config
from tests.fixtures.gitrepos import clone
from tests.helpers import write_config

pytestmark = pytest.mark.integration
CALM = {"thresholds": {"memory_percent": 100, "disk_percent": 100}}
COMPOSE = "services:\n  billing:\n    build: ./svc/billing\n"
BASE = {
    "compose.yaml": COMPOSE,
    "svc/billing/Dockerfile": "FROM python:3.12-slim\n",
    "svc/billing/requirements.txt": "flask\n",
    "svc/billing/app.py": "import flask\nfrom ledger import post\n",
    "svc/billing/ledger.py": "def post(): ...\n",
}


def _rows(tmp_path, envs: dict) -> dict:
    cfg = load_config(str(write_config(tmp_path / "environments.yaml", envs, CALM)))
    doc = compare(gather(cfg, list(envs)), cfg.rules).to_json(show_in_sync=True)
    return {r["component"]: r for r in doc["rows"]}


def test_committed_import_of_an_untracked_module_breaks_the_commit(tmp_path, git_repo, bare_origin) -> None:
    origin = bare_origin()
    work = git_repo("work")
    work.commit(BASE, "billing")
    work.commit({"svc/billing/app.py": "import flask\n\n\nfrom ledger_hotpatch import post\n"}, "use the hotpatched ledger")
    work.git("push", "-q", str(origin), "main")
    prod = clone(origin, tmp_path / "prod")
    prod.write({"svc/billing/ledger_hotpatch.py": "def post(): ...\n"})  # copied by hand, never committed
    dev = clone(origin, tmp_path / "dev")
    dev.write({"svc/billing/ledger_hotpatch.py": "def post(): ...\n"})
    dev.commit(message="add the hotpatch")  # committed on dev only: dev's commit is fine
    rows = _rows(tmp_path, {"prod": {"transport": "local", "path": str(prod.path), "role": "deployment"},
                            "dev": {"transport": "local", "path": str(dev.path)}})
    row = rows["code_health.billing.commit"]
    assert row["status"] == "DRIFT" and row["severity"] == "critical", row
    assert row["values"]["dev"] == "ok"
    assert row["values"]["prod"] == "needs uncommitted svc/billing/ledger_hotpatch.py (svc/billing/app.py:4)"
    assert row["details"] == [
        f"prod: commit {prod.head()[:8]}: svc/billing/app.py:4 imports ledger_hotpatch, which only "
        "svc/billing/ledger_hotpatch.py provides (untracked or modified): the commit is broken without it"]
    assert rows["code_health.billing"]["status"] == "IN_SYNC"  # both work trees resolve


def test_negative_controls_untracked_and_modified_files_nobody_needs(tmp_path, git_repo, bare_origin) -> None:
    origin = bare_origin()
    work = git_repo("work")
    work.commit(BASE, "billing")
    work.git("push", "-q", str(origin), "main")
    prod = clone(origin, tmp_path / "prod")
    prod.write({"svc/billing/notes_scratch.py": "import ledger\n",  # untracked, imports a committed module
                "svc/billing/ledger.py": "def post(): return 1\n"})  # a committed module, modified
    rows = _rows(tmp_path, {"prod": {"transport": "local", "path": str(prod.path), "role": "deployment"}})
    assert rows["code_health.billing.commit"]["status"] == "IN_SYNC", rows["code_health.billing.commit"]
    assert rows["code_health.billing.commit"]["values"] == {"prod": "ok"}
