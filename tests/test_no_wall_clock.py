"""Timing belongs in benchmarks/: a test that reads the clock fails on a busy machine without a bug.

Fixtures may bound their waits for a server to start or stop (a deadline, not an assertion). The
hostile-input and interrupt suites (tests/robust) are the exception the robustness issue asks for:
their acceptance is "within the configured timeouts" and "exits 130 within 2 s", so they measure
elapsed time against those bounds, with margins far above what a busy machine adds.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent
CLOCK = re.compile(r"\btime\.(monotonic|perf_counter|time|process_time)(_ns)?\s*\(")
SKIP = (("fixtures",), ("compose", "conformance"), ("robust",))  # server waits; vendored runner; timeout bounds


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
