"""Transports declare what they are; nobody probes them (`getattr(transport, "commit", None)`).

A probe is a hidden interface: a new transport that spells an attribute differently, or lacks it,
silently changes what gets collected. What a transport offers is declared on `Transport` (its
`capabilities`, `url`/`ref`/`commit`, `stream_opener()`, `collect_context()`); this test fails when a
`getattr`/`hasattr` on a transport, or for one of its attribute names, comes back anywhere in the
package, or when a module asks which transport class it holds (`isinstance(t, SSHTransport)`).
"""

from __future__ import annotations

import ast
from pathlib import Path

from driftctl.transport.base import Transport
from driftctl.transport.git import GitTransport
from driftctl.transport.local import LocalTransport
from driftctl.transport.ssh import SSHTransport

PACKAGE = Path(__file__).resolve().parents[1] / "driftctl"
CLASSES = (Transport, LocalTransport, SSHTransport, GitTransport)
# Set in __init__ rather than on the class, so dir() does not list them.
INSTANCE_ATTRIBUTES = {"env_name", "root", "command_timeout", "spec", "accept_new_host_key"}
ATTRIBUTES = {n for c in CLASSES for n in dir(c) if not n.startswith("_")} | INSTANCE_ATTRIBUTES


def probes(source: str) -> list[str]:
    """`getattr`/`hasattr` calls aimed at a transport, and `isinstance` checks against a transport class."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 2):
            continue
        receiver, second = node.args[0], node.args[1]
        if node.func.id in ("getattr", "hasattr"):
            named = isinstance(second, ast.Constant) and second.value in ATTRIBUTES
            if named or "transport" in ast.unparse(receiver).lower():
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif node.func.id == "isinstance" and "Transport" in ast.unparse(second):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_probes_a_transport() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += [f"{path.relative_to(PACKAGE)}: {p}" for p in probes(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_check_sees_the_probes_it_is_for() -> None:
    source = (
        "ctx = CollectContext(commit=getattr(transport, 'commit', None), url=getattr(t, 'url', None))\n"
        "if hasattr(self.transport, 'open_unix_stream'):\n    pass\n"
        "if isinstance(t, SSHTransport):\n    pass\n"
    )
    assert len(probes(source)) == 4
    harmless = "x = getattr(exc, 'message', None) or getattr(module, 'COLLECTOR', None)\nall(getattr(caps, n) for n in needs)\n"
    assert probes(harmless) == []


def test_what_the_probes_read_is_declared_on_every_transport() -> None:
    for cls in CLASSES:
        for name in ("capabilities", "url", "ref", "commit", "stream_opener", "collect_context"):
            assert hasattr(cls, name), (cls.__name__, name)
