"""Timing belongs in benchmarks/: a test that reads the clock fails on a busy machine without a bug.

Fixtures may bound their waits for a server to start or stop (a deadline, not an assertion).
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
CLOCK = re.compile(r"\btime\.(monotonic|perf_counter|time|process_time)(_ns)?\s*\(")
SKIP = (("fixtures",), ("compose", "conformance"))  # bounded waits for servers; the vendored conformance runner


def test_no_test_reads_the_clock() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        rel = path.relative_to(TESTS)
        if any(rel.parts[: len(prefix)] == prefix for prefix in SKIP):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CLOCK.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "wall-clock reads in tests (measure in benchmarks/ instead):\n" + "\n".join(offenders)
