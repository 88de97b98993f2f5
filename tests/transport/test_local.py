"""LocalTransport: argv through subprocess, results in order, failures as results (not exceptions)."""

from __future__ import annotations

import pytest

from driftctl.models import Command
from driftctl.transport.local import LocalTransport


@pytest.fixture
def local(tmp_path) -> LocalTransport:
    return LocalTransport("dev", root=str(tmp_path), command_timeout=10)


def test_results_keep_the_order_of_the_commands(local, tmp_path):
    cmds = [Command(("sh", "-c", f"sleep 0.{9 - i}; echo {i}")) for i in range(5)]
    assert [r.stdout for r in local.run_batch(cmds)] == [f"{i}\n".encode() for i in range(5)]


def test_argument_is_not_interpreted(local):
    arg = "$(id) `id` ; echo x | cat > /tmp/y \n'\""
    assert local.run(Command(("printf", "%s", arg))).stdout == arg.encode()


def test_missing_cwd(local):
    result = local.run(Command(("pwd",), cwd="/no/such dir"))
    assert (result.exit_status, result.stderr) == (2, b"cd: /no/such dir: No such file or directory\n")


def test_command_not_found_is_127(local):
    assert local.run(Command(("definitely-not-a-command-xyz",))).exit_status == 127


def test_timeout_is_a_result(local):
    result = local.run(Command(("sleep", "5")), timeout=0.2)
    assert result.exit_status == 124 and b"timed out" in result.stderr


def test_describe(local, tmp_path):
    assert local.describe() == f"local:{tmp_path}"
