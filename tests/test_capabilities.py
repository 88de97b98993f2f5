"""Capabilities, not names: no module outside `driftctl/transport/` and the capability table
compares a transport kind by name (issue: adding a transport must not mean editing twenty modules)."""

from __future__ import annotations

import re
from pathlib import Path

from driftctl import capabilities
from driftctl.collectors import all_collectors

PACKAGE = Path(__file__).resolve().parents[1] / "driftctl"
ALLOWED = {PACKAGE / "capabilities.py"}
KIND = r"""["'](?:local|ssh|git)["']"""
COMPARISON = re.compile(
    rf"""(?:\b(?:kind|transport)\b(?:\([^)]*\))?\s*(?:==|!=|\bin\b|\bnot in\b)\s*[\(\[\{{]?\s*{KIND})"""
    rf"""|(?:{KIND}\s*(?:==|!=)\s*\w*\.?(?:kind|transport))"""
    rf"""|(?:\bkinds\s*=\s*frozenset)"""
)


def test_no_module_compares_a_transport_kind_by_name() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in ALLOWED or "transport" in path.relative_to(PACKAGE).parts[:1] or "template" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if COMPARISON.search(line):
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_pattern_catches_what_it_is_for() -> None:
    for line in ('if ctx.kind == "git":', "if spec.transport in ('local', 'ssh'):", 'x = self.kind(e) != "ssh"',
                 'kinds = frozenset({"local"})', 'if "ssh" == spec.transport:'):
        assert COMPARISON.search(line), line
    assert not COMPARISON.search('Command(("git", "show", ref))')


def test_every_config_kind_has_capabilities_and_collectors_ask_for_them() -> None:
    from typing import get_args

    assert set(get_args(capabilities.Kind)) == set(capabilities.TRANSPORTS)
    fields = set(capabilities.of("local").to_json())
    for collector in all_collectors():
        assert set(collector.needs) <= fields, collector.name
    revision = capabilities.of("git")
    applies = {c.name: c.applies(revision) for c in all_collectors()}
    # a git revision has files but no shell and no engine (a new collector may go either way)
    assert {name for name in ("git", "compose", "env", "files", "code_health", "host", "containers") if applies[name]} \
        == {"git", "compose", "env", "files", "code_health"}
    assert capabilities.of("nope").shell is False
