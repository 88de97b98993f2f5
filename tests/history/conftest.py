"""Two real checkouts of one repository (`dev` and `prod`) whose `.env` files the tests edit
between snapshots, with an environments.yaml that reads only git and env facts (fast, and no
machine-dependent host or container facts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.fixtures.gitrepos import clone, init_repo
from tests.helpers import driftctl

ENV = "LOG_LEVEL=info\nAPI_TOKEN=tok-{token}-0123456789abcdef\n"
SECRET_MARK = "tok-"


@dataclass
class Project:
    root: Path
    dev: Path
    prod: Path

    def set_env(self, where: str, log_level: str = "info", token: str = "same") -> None:
        text = ENV.format(token=token).replace("LOG_LEVEL=info", f"LOG_LEVEL={log_level}")
        (self.root / where / ".env").write_text(text)

    def configure(self, notify: list[dict] | None = None) -> None:
        doc: dict = {"version": 1, "environments": {
            name: {"transport": "local", "path": name, "collectors": ["git", "env"]} for name in ("dev", "prod")}}
        if notify:
            doc["notify"] = notify
        (self.root / "environments.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))

    def snapshot(self) -> str:
        """Collect both environments; returns the round's time as history shows it: its latest collection
        (the two environments are collected concurrently, so either may finish last)."""
        run = driftctl("snapshot", "--format", "json", cwd=self.root)
        assert run.code in (0, 3), run.err
        docs = json.loads(run.out)
        return max(d["collected_at"] for d in docs)


def make_project(root: Path) -> Project:
    dev = init_repo(root / "dev")
    dev.commit({"app.py": "print('hi')\n", ".gitignore": ".env\n"}, "app")
    clone(dev.path, root / "prod")
    p = Project(root, root / "dev", root / "prod")
    p.set_env("dev")
    p.set_env("prod")
    p.configure()
    return p


@pytest.fixture
def project(tmp_path) -> Project:
    return make_project(tmp_path)
