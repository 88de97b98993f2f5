"""The pipeline's layering, checked on the imports themselves (top level, in functions, under TYPE_CHECKING).

The differ, rules, planner and render read snapshots as data: they never import transports, the
runner or collectors. The collectors' data types (driftctl.collected) are what both sides share, so
they import nothing of driftctl at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "driftctl"
PURE = ["differ", "planner", "render", "rules.py", "matrix.py", "snapshot.py"]
IO = ("driftctl.transport", "driftctl.collectors", "driftctl.runner")


def imports(path: Path, root: Path = PACKAGE.parent) -> set[str]:
    """Every module (and imported name) a file imports, relative imports made absolute."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            out |= {base} | {f"{base}.{a.name}" for a in node.names}
    return out


def files(*parts: str) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        p = PACKAGE / part
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return out


@pytest.mark.parametrize("path", files(*PURE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_stages_import_no_io(path: Path) -> None:
    assert sorted(m for m in imports(path) if m.startswith(IO)) == []


@pytest.mark.parametrize("path", files("collected"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_collector_data_types_import_nothing_of_driftctl(path: Path) -> None:
    assert sorted(m for m in imports(path) if m.startswith("driftctl")) == []


def test_the_import_reader_sees_imports_in_functions_and_relative_ones(tmp_path: Path) -> None:
    """Guards the tests above from passing on a reader that sees nothing."""
    differ = PACKAGE / "differ" / "__init__.py"
    assert "driftctl.differ.common.View" in imports(differ)
    assert "driftctl.errors.SnapshotError" in imports(differ)  # imported inside a function
    assert "driftctl.collected.git.GitData" in imports(PACKAGE / "differ" / "git.py")  # under TYPE_CHECKING
    fake = tmp_path / "driftctl" / "differ" / "x.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from . import common\nfrom ..collectors.git import parse_head\n")
    assert {"driftctl.differ.common", "driftctl.collectors.git.parse_head"} <= imports(fake, tmp_path)
