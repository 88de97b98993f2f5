"""Work a fleet's collection does per host that it need not: what is checked here is that it is not
done (how much CPU that saves is measured by benchmarks/fleet.py, never here)."""

from __future__ import annotations

import logging

import pytest

from driftctl.collectors.base import CollectContext, CollectGen, Collector
from driftctl.config import EnvironmentSpec
from driftctl.models import Command, CommandResult
from driftctl.runner import drive

TOKEN_URL = "https://x:ghp_abcdefghijklmnopqrstuvwxyz0123456789@example.com/r.git"


class Cloner(Collector):
    name = "cloner"
    needs = ("shell",)

    def collect(self, ctx: CollectContext) -> CollectGen[dict]:
        (result,) = yield [Command(("git", "ls-remote", TOKEN_URL))]
        return {"exit": result.exit_status}


def _drive() -> dict:
    ctx = CollectContext("dev", EnvironmentSpec(transport="local", path="/srv"), "local", "/srv")
    return drive(ctx, [Cloner()], lambda commands: [CommandResult(c, 0) for c in commands], lambda _msg: None)


def test_the_round_debug_line_is_built_only_when_debug_is_logged(monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    shown: list[Command] = []
    real = Command.display
    monkeypatch.setattr(Command, "display", lambda self: shown.append(self) or real(self))

    with caplog.at_level(logging.INFO, logger="driftctl.runner"):
        outcomes = _drive()
    assert len(shown) == 1  # the snapshot's list of commands, not a debug line nobody logs
    assert outcomes["cloner"].commands == [real(Command(("git", "ls-remote", TOKEN_URL)))]

    shown.clear()
    with caplog.at_level(logging.DEBUG, logger="driftctl.runner"):
        _drive()
    assert len(shown) == 2
    [line] = [r.getMessage() for r in caplog.records if "round 1" in r.getMessage()]
    assert "git ls-remote https://x:fp:" in line and "ghp_" not in line


class Own(Collector):
    """Returns what the runner told it driftctl's own paths are."""

    name = "own"
    needs = ("shell",)

    def collect(self, ctx: CollectContext) -> CollectGen[list[str]]:
        (result,) = yield [Command(("true",))]
        return list(ctx.own)


def test_driftctl_s_own_paths_are_found_once_for_a_whole_fleet(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from driftctl import runner
    from driftctl.config import parse_config

    found: list[int] = []
    real = runner.own_paths
    monkeypatch.setattr(runner, "own_paths", lambda config: found.append(1) or real(config))
    names = [f"e{i}" for i in range(4)]
    config = parse_config({"version": 1, "environments": {n: {"transport": "local", "path": "."} for n in names}},
                          None, str(tmp_path / "environments.yaml"), str(tmp_path))
    snaps = runner.collect_all(config, names, collectors=[Own()], jobs=4)
    assert [s["collectors"]["own"]["data"] for s in snaps] == [["environments.schema.json", "environments.yaml", "reports"]] * 4
    assert found == [1]
