"""Output in pipes and on terminals, through the real entry point on a real checkout and a bare remote.

Off a terminal (`| cat`, `> file`) at COLUMNS=80: every component id is printed whole, one matrix row
per line, and no plan command is split across lines; `--format plain` is TSV. On a terminal (a
pseudo-terminal from the pty module) the table fits the window.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest

from tests.fixtures.forkrun import run_driftctl
from tests.fixtures.gitrepos import clone
from tests.helpers import write_config

LONG_SERVICE = "market-data-aggregation-service-with-a-long-name"
LONG_VAR = "EXCHANGE_WEBSOCKET_ENDPOINT_URL_FOR_THE_PRIMARY_REGION"
COMPOSE = f"""\
services:
  {LONG_SERVICE}:
    image: crypto/market-data:1.4
    environment:
      {LONG_VAR}: wss://stream.example.invalid/v1/primary/region/endpoint
"""


def run_piped(*args: str, cwd, columns: int = 80) -> subprocess.CompletedProcess:
    """stdout and stderr are pipes, as in `driftctl ... | cat` (a process forked from a pre-imported
    driftctl: tests/fixtures/forkrun.py)."""
    env = dict(os.environ, COLUMNS=str(columns))
    return run_driftctl(args, cwd=cwd, env=env, timeout=120, pipes=True)


@pytest.fixture
def project(tmp_path, bare_origin, git_repo):
    """A checkout whose compose file differs from what was pushed, with a local commit on top."""
    origin = bare_origin()
    seed = git_repo("seed")
    seed.commit({"docker-compose.yml": COMPOSE, "app/main.py": "print('hi')\n"}, "initial")
    seed.git("remote", "add", "origin", str(origin))
    seed.git("push", "-q", "origin", "main")
    work = clone(origin, tmp_path / "work")
    work.commit({"docker-compose.yml": COMPOSE.replace("v1/primary", "v2/primary"),
                 "app/main.py": "print('hello')\n"}, "local change, not pushed")
    (work.path / ".gitignore").write_text("reports/\nenvironments.yaml\n")
    write_config(work.path / "environments.yaml", {
        "local": {"transport": "local", "path": "."},
        "github": {"transport": "git", "url": str(origin), "ref": "main"},
    })
    return work


def long_ids(doc: dict) -> list[str]:
    ids = [r["component"] for r in doc["rows"]]
    assert any(len(i) > 80 for i in ids), ids  # the case this test is about
    return ids


def test_table_in_a_pipe_keeps_ids_whole_one_row_per_line(project) -> None:
    doc = json.loads(run_piped("diff", "local", "github", "--format", "json", cwd=project.path).stdout)
    run = run_piped("diff", "local", "github", cwd=project.path)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    for row in doc["rows"]:
        holding = [line for line in lines if row["component"] in line]
        assert len(holding) == 1, (row["component"], holding)
        assert row["status"] in holding[0] and row["severity"] in holding[0]
    assert "…" not in run.stdout
    assert max(len(line) for line in lines) > 80  # it did not squeeze into the 80 columns


def test_plain_format_is_tsv(project) -> None:
    doc = json.loads(run_piped("diff", "local", "github", "--format", "json", cwd=project.path).stdout)
    run = run_piped("diff", "local", "github", "--format", "plain", cwd=project.path)
    rows = [line.split("\t") for line in run.stdout.splitlines()]
    assert rows[0] == ["component", "local", "github", "status", "severity", "title"]
    assert [r[0] for r in rows[1:]] == long_ids(doc)
    assert all(len(r) == 6 for r in rows)


def test_plan_commands_are_never_split_in_a_pipe(project) -> None:
    run = run_piped("plan", "local", "github", "--option", "quick-fix", cwd=project.path)
    assert run.returncode == 0, run.stderr
    saved = re.search(r"saved (\S+)\.md and \.json", run.stderr)
    assert saved, run.stderr
    plan = json.loads(open(saved.group(1) + ".json").read())
    commands = [c for phase in plan["phases"] for step in phase["steps"] for c in step["display"]]
    assert any(len(c) > 80 for c in commands), commands
    out_lines = run.stdout.splitlines()
    for command in commands:
        assert any(line.rstrip().endswith("$ " + command) for line in out_lines), command
    assert len([line for line in run.stderr.splitlines() if "driftctl apply" in line]) == 1


def _visible(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", text)


def test_table_on_a_terminal_fits_the_window(project) -> None:
    """stdout is a pseudo-terminal 80 columns wide: the table wraps inside it, with colours."""
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="80", LINES="50", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "driftctl", "diff", "local", "github"], cwd=project.path,
                            stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 1, proc.stderr.read() if proc.stderr else ""
    raw = b"".join(chunks).decode("utf-8", errors="replace")
    assert "\x1b[" in raw  # a terminal gets colours
    lines = _visible(raw).replace("\r\n", "\n").splitlines()
    assert "environment comparison" in lines[0]
    assert max(len(line) for line in lines) <= 80
    assert any("Current Branch" in line or "Commits" in line or "Files" in line for line in lines)


def test_every_command_prints_json_on_stdout_and_messages_on_stderr(project, tmp_path) -> None:
    (project.path / "notes.txt").write_text("an untracked note\n")
    cwd = project.path

    def data(*args: str, codes=(0, 1)) -> object:
        run = run_piped(*args, "--format", "json", cwd=cwd)
        assert run.returncode in codes, (args, run.stderr)
        return json.loads(run.stdout)

    assert set(data("envs")) == {"local", "github"}
    assert [s["environment"] for s in data("snapshot")] == ["local", "github"]
    assert data("diff", "local", "github")["schema"] == "driftctl.diff/v1"
    assert data("check", "--cached")["schema"] == "driftctl.diff/v1"
    plan = data("plan", "--cached", "--option", "quick-fix")
    assert plan["option"] == "quick-fix"
    plan_file = cwd / "reports" / "plans" / f"{plan['id']}.json"
    applied = data("apply", str(plan_file), "--dry-run")
    assert applied["schema"] == "driftctl.apply/v1" and applied["dry_run"] is True and applied["plan"] == plan["id"]
    rescued = data("rescue", "local", "--branch", "rescue/notes")
    assert rescued["branch"] == "rescue/notes" and {"path": "notes.txt", "change": "untracked"} in rescued["files"]
    assert data("schema")["title"] == "driftctl environments.yaml"
    assert LONG_SERVICE in data("compose", "config")["services"]
    demo = data("demo", codes=(1,))
    assert demo["exit_code"] == 1
    assert "schema" in data("history")
    assert data("watch", "local", "github", "--once")["schema"] == "driftctl.watch/v1"
    assert data("gc", "--keep", "30d")["schema"] == "driftctl.gc/v1"
