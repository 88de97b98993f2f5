"""Runs hostile cases through the real CLI entry point in one process (started by test_hostile.py
under an address-space limit) and prints one JSON result per case: exit code, stderr, seconds, and
the process's peak resident memory so far.

Usage: python -m tests.robust.hostile_runner CASES.json  (a list of {"id", "cwd", "args", "env"})
"""

from __future__ import annotations

import json
import resource
import sys
import threading
from pathlib import Path

from tests.robust.harness import invoke


def main() -> None:
    # RLIMIT_AS counts address space reserved, not used: each thread reserves an 8 MiB stack and
    # glibc a malloc arena; smaller stacks keep the 300 MiB bound about memory actually used.
    threading.stack_size(1 << 20)
    cases = json.loads(Path(sys.argv[1]).read_text())
    results = []
    for case in cases:
        run = invoke(case["args"], Path(case["cwd"]), case.get("env") or {})
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results.append({"id": case["id"], "code": run.code, "err": run.err[-4000:], "out_tail": run.out[-200:],
                        "seconds": round(run.seconds, 3), "peak_mib": round(peak_kib / 1024, 1)})
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
