"""Every command is option parsing, ONE call into `driftctl.api` and rendering (after sqlite-utils).

The orchestration (gathering snapshots, writing plans, reading files through a transport) lives in
the library, where Python callers get it too; a command module that grows logic fails here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from driftctl.cli.app import commands, register_commands

MAX_LINES = 80


def _command_functions() -> dict[str, tuple[str, str]]:
    """`driftctl <command>` -> (module file, function name), from the app itself."""
    register_commands()
    out = {}
    for info in commands():
        func = info.callback  # wrapped by cli.options.with_globals, which keeps its module and name
        assert func is not None
        module = importlib.import_module(func.__module__)
        out[info.name or func.__name__] = (inspect.getsourcefile(module) or "", func.__name__)
    return out


COMMANDS = _command_functions()


def api_calls(source: str, function: str) -> list[str]:
    """The calls into driftctl.api inside `function` of a module: `api.x(...)` through `from driftctl
    import api` (or `import driftctl.api`), and `x(...)` through `from driftctl.api import x`."""
    tree = ast.parse(source)
    modules, names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "driftctl":
            modules |= {a.asname or a.name for a in node.names if a.name == "api"}
        elif isinstance(node, ast.ImportFrom) and node.module == "driftctl.api":
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import) and any(a.name == "driftctl.api" for a in node.names):
            modules.add("driftctl.api")
    (func,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    found = []
    for node in ast.walk(func):
        if not isinstance(node, ast.Call):
            continue
        target = ast.unparse(node.func)
        if (isinstance(node.func, ast.Name) and target in names) or target.rpartition(".")[0] in modules:
            found.append(target)
    return found


def test_the_commands_are_found() -> None:
    assert {"snapshot", "diff", "check", "plan", "apply", "rescue", "config"} <= set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_command_makes_exactly_one_api_call(command: str) -> None:
    path, function = COMMANDS[command]
    calls = api_calls(Path(path).read_text(encoding="utf-8"), function)
    assert len(calls) == 1, f"{command} ({path}:{function}) calls {calls or 'nothing'} in driftctl.api"


@pytest.mark.parametrize("path", sorted({p for p, _ in COMMANDS.values()}))
def test_a_command_module_is_small(path: str) -> None:
    lines = len(Path(path).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path} has {lines} lines; move the work into driftctl.api"


def test_the_counter_sees_both_import_styles() -> None:
    source = (
        "def a():\n    from driftctl import api\n    api.diff([]); api.check([])\n"
        "def b():\n    from driftctl.api import plan as p\n    p()\n    len([])\n"
        "def c():\n    from driftctl.checks import gather\n    gather(None, [])\n"
    )
    assert api_calls(source, "a") == ["api.diff", "api.check"]
    assert api_calls(source, "b") == ["p"]
    assert api_calls(source, "c") == []
