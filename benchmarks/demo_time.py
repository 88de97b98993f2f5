"""Wall time of `driftctl demo`, as a user runs it (a fresh `python -m driftctl` process each time).

Run from the repository root:

    python benchmarks/demo_time.py [--runs 5] [--no-ssh] [--json benchmarks/results/demo_time.json]

Each run: `python -m driftctl demo --format json --dir TMP` (the sandbox is removed, the reports go to
a temp dir), then the same with `--ssh` (a loopback sshd is started and stopped by the demo). Prints
the median, min and max wall time per mode, and the demo's own breakdown (sandbox, collect,
diff_and_plan, reports) of the median run. The target is < 15 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 15.0


def one_run(extra: list[str]) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        env = dict(os.environ, PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "driftctl", "demo", "--format", "json", "--dir", tmp, *extra],
                              cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
        elapsed = time.perf_counter() - start
    if proc.returncode != 1:
        raise SystemExit(f"driftctl demo {' '.join(extra)} exited {proc.returncode}:\n{proc.stderr}")
    return elapsed, json.loads(proc.stdout)["seconds"]


def measure(label: str, extra: list[str], runs: int) -> dict:
    samples = [one_run(extra) for _ in range(runs)]
    times = sorted(s[0] for s in samples)
    median = statistics.median(times)
    breakdown = min(samples, key=lambda s: abs(s[0] - median))[1]
    print(f"{label:12s} median {median:6.2f}s  min {times[0]:6.2f}s  max {times[-1]:6.2f}s  "
          f"({runs} runs; {', '.join(f'{k} {v:.2f}s' for k, v in breakdown.items())})")
    return {"mode": label, "runs": runs, "median_s": round(median, 3), "min_s": round(times[0], 3),
            "max_s": round(times[-1], 3), "median_breakdown_s": breakdown}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-ssh", action="store_true", help="skip the --ssh mode")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    print(f"driftctl demo wall time, {os.cpu_count()} CPU(s), Python {platform.python_version()}, target < {TARGET_S:g}s")
    results = [measure("demo", [], args.runs)]
    if not args.no_ssh:
        results.append(measure("demo --ssh", ["--ssh"], args.runs))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"cpus": os.cpu_count(), "python": platform.python_version(),
                                         "results": results}, indent=2) + "\n")
    return 0 if all(r["median_s"] < TARGET_S for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
