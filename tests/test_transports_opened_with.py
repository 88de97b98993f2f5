"""Transports are opened with `with` (or entered into an ExitStack), never opened and closed by hand.

A hand-written `open()` ... `close()` pair leaks a connection on the first early return or exception
between them. Only `driftctl/transport/` (which implements the protocol) and `runner.py` (which must
close a transport from another thread on Ctrl-C) may call them directly.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "driftctl"
EXEMPT = ("transport/", "runner.py")
MAKERS = ("make_transport",)  # and any `...Transport(...)` constructor


def _makes_transport(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = ast.unparse(node.func).rpartition(".")[2]
    return name in MAKERS or name.endswith("Transport")


def problems(source: str) -> list[str]:
    """`open()`/`close()` on a transport, and transports made but not entered with `with`."""
    tree = ast.parse(source)
    entered: set[int] = set()  # ids of the expressions used as a with item or an enter_context argument
    bound: dict[str, list[ast.AST]] = {}  # name -> the transports assigned to it
    for node in ast.walk(tree):
        if isinstance(node, ast.With):
            entered |= {id(item.context_expr) for item in node.items}
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("enter_context"):
            entered |= {id(a) for a in node.args}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _makes_transport(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                bound.setdefault(ast.unparse(t), []).append(node.value)
        elif isinstance(node, ast.For) and "transport" in ast.unparse(node.iter).lower():
            bound.setdefault(ast.unparse(node.target), [])  # `for t in self.transports.values()`
    names_entered = {ast.unparse(n) for n in ast.walk(tree) if id(n) in entered}
    found = []
    for node in ast.walk(tree):
        if _makes_transport(node) and id(node) not in entered:
            holder = next((name for name, made in bound.items() if any(m is node for m in made)), None)
            if holder is None or holder not in names_entered:
                found.append(f"line {node.lineno}: {ast.unparse(node)[:60]} is not opened with `with`")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("open", "close"):
            receiver = ast.unparse(node.func.value)
            if "transport" in receiver.lower() or receiver in bound:
                found.append(f"line {node.lineno}: {ast.unparse(node)} by hand")
    return found


def test_every_transport_outside_the_transport_package_is_opened_with_with() -> None:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith(EXEMPT):
            found.update({f"{rel}: {p}": 1 for p in problems(path.read_text(encoding="utf-8"))})
    assert not found, "\n".join(found)


def test_the_check_sees_hand_opened_transports() -> None:
    by_hand = (
        "def f(config):\n"
        "    transport = make_transport(config, 'aws')\n"
        "    try:\n        transport.open()\n    finally:\n        transport.close()\n"
    )
    assert len(problems(by_hand)) == 3
    with_block = "def f(config):\n    with make_transport(config, 'aws') as transport:\n        transport.run(x)\n"
    assert problems(with_block) == []
    stacked = "def f(self):\n    t = LocalTransport('here')\n    return self._open.enter_context(t)\n"
    assert problems(stacked) == []
    loop = "def close(self):\n    for t in self.transports.values():\n        t.close()\n"
    assert problems(loop) == ["line 3: t.close() by hand"]
