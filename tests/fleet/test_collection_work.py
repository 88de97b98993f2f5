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
