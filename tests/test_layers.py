"""The pipeline's layering, checked on the imports themselves (top level, in functions, under TYPE_CHECKING).

The rule: the differ, rules, planner and render read snapshots as data, so at run time they import no
transport, no runner and no collector. A collector's data types (its TypedDicts) live in the collector's
own module, and the pure stages may import those, and only those, under `if TYPE_CHECKING:` so that
mypy checks every read of the data: such an import never runs. Checked twice: on the source (every
import, with where it sits) and on a real interpreter (importing every pure module loads no collector).
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import get_origin

import pytest
from typing_extensions import is_typeddict

PACKAGE = Path(__file__).parents[1] / "driftctl"
PURE = ["differ", "planner", "render", "rules.py", "matrix.py", "snapshot.py"]
IO = ("driftctl.transport", "driftctl.collectors", "driftctl.runner")


@dataclass(frozen=True)
class Import:
    module: str  # absolute
    name: str | None  # `from module import name`; None for `import module`
    typing_only: bool  # under `if TYPE_CHECKING:`, so it never runs

    @property
    def target(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, typing_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node with whether it sits in the body of an `if TYPE_CHECKING:` (its `else:` runs)."""
    yield node, typing_only
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        yield from ((n, f) for child in node.body for n, f in _walk(child, True))
        yield from ((n, f) for child in node.orelse for n, f in _walk(child, typing_only))
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, typing_only)


def imports_of(path: Path, root: Path = PACKAGE.parent) -> list[Import]:
    """Every import of a file, relative imports made absolute."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: list[Import] = []
    for node, typing_only in _walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [Import(a.name, None, typing_only) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            out += [Import(base, a.name, typing_only) for a in node.names]
    return out


def files(*parts: str) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        p = PACKAGE / part
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return out


def is_collector_data_type(imp: Import) -> bool:
    """`from driftctl.collectors.<name> import X` where X is a TypedDict (or a type alias such as
    `ComposeService = dict[str, Any]`) defined for the data that collector stores."""
    if not imp.module.startswith("driftctl.collectors.") or imp.name is None:
        return False
    value = getattr(importlib.import_module(imp.module), imp.name, None)
    if is_typeddict(value):
        return bool(value.__module__ == imp.module)
    return get_origin(value) is not None


def problems(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    out = []
    for imp in imports_of(path, root):
        if not imp.module.startswith(IO):
            continue
        if not imp.typing_only:
            out.append(f"imports {imp.target} at run time")
        elif not is_collector_data_type(imp):
            out.append(f"imports {imp.target} under TYPE_CHECKING, which is not a collector's data type")
    return out


@pytest.mark.parametrize("path", files(*PURE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_stages_import_no_io_and_only_collector_data_types_for_type_checking(path: Path) -> None:
    assert problems(path) == []


def test_importing_every_pure_module_loads_no_collector_transport_or_runner() -> None:
    """The same rule on a real interpreter, so an import through a shared module (snapshot, config,
    capabilities) cannot slip a collector in: a fresh process imports every pure module."""
    modules = [".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
               for p in files(*PURE)]
    script = (f"import importlib, json, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
              f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({IO!r}))))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=PACKAGE.parent, check=True)
    assert len(modules) > 40 and json.loads(done.stdout) == []


def test_the_import_reader_sees_every_import_and_where_it_sits(tmp_path: Path) -> None:
    """Guards the tests above from passing on a reader that sees nothing or calls everything typing-only."""
    differ = {i.target: i.typing_only for i in imports_of(PACKAGE / "differ" / "__init__.py")}
    assert differ["driftctl.differ.common.View"] is False
    assert differ["driftctl.errors.SnapshotError"] is False  # imported inside a function
    git = {i.target: i.typing_only for i in imports_of(PACKAGE / "differ" / "git.py")}
    assert git["driftctl.collectors.git.GitData"] is True
    fake = tmp_path / "driftctl" / "differ" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from typing import TYPE_CHECKING\nfrom . import common\n"
                    "if TYPE_CHECKING:\n    from ..collectors.git import GitData, parse_head\n"
                    "    from driftctl.transport.base import Transport\n"
                    "else:\n    from driftctl.runner import collect_all\n"
                    "def f():\n    from driftctl.collectors.compose import ComposeService\n")
    seen = {i.target: i.typing_only for i in imports_of(fake, tmp_path)}
    assert seen["driftctl.differ.common"] is False
    assert seen["driftctl.collectors.git.GitData"] is True
    assert problems(fake, tmp_path) == [
        "imports driftctl.collectors.git.parse_head under TYPE_CHECKING, which is not a collector's data type",
        "imports driftctl.transport.base.Transport under TYPE_CHECKING, which is not a collector's data type",
        "imports driftctl.runner.collect_all at run time",
        "imports driftctl.collectors.compose.ComposeService at run time",
    ]
