"""How `driftctl diff` scales: 2,000 compose services of about 50 values each, and 10 environments.

Why: large compose projects, many environments and fleets all end in the differ. A purpose-built
differ must be an order of magnitude faster than a generic one (DeepDiff) on the same data, and a
whole `driftctl diff` of two saved snapshots must stay well under a second and 100 MB resident.

Command (from the repository root)::

    python benchmarks/diff_scale.py                       # 2,000 x 50, 10 envs x 500, results saved
    python benchmarks/diff_scale.py --services 500 --repeat 3 --no-save
    python benchmarks/diff_scale.py --code /tmp/old-checkout --output /tmp/before.json   # another version

What it does, in one run:
  1. a child process writes two saved snapshots (`a.json`, `b.json`) of 2,000 services (49 values
     each: build, image, command, ports, volumes with absolute paths under each checkout's own root,
     labels, healthcheck, depends_on, 38 environment variables) with 61 planted differences;
  2. runs `python -m driftctl diff --snapshot a.json --snapshot b.json --format json` as a child
     process: wall time, CPU time and peak RSS from `os.wait4` (this process is still small then:
     a child's peak RSS includes its parent's at exec time), best of --repeat;
  3. times the matrix build alone (`driftctl.differ.build_matrix` on the loaded snapshots) against
     plain `DeepDiff` on the same two service maps, best of --repeat, and prints the ratio;
  4. builds 2, 5 and 10 environments of 500 services (and 10 x 250) and prints the matrix build time
     per environment x leaf, which stays flat when the build is linear.
Results go to benchmarks/results/diff_scale.json (unless --no-save). Exit status 1 when a goal is missed
(whole process <= 0.5 s wall and <= 100 MB, matrix build >= 10x faster than DeepDiff). On a shared,
loaded machine the wall time measures the queue for the CPU; the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "diff_scale.json"

ENV_VARS = 38  # + presence row + 10 keys = 49 rows per service


def service(i: int, root: str) -> dict[str, Any]:
    """One resolved service (`docker compose config --format json` shape) under checkout `root`."""
    return {
        "build": {"context": f"{root}/services/svc{i}", "dockerfile": "Dockerfile"},
        "image": f"registry.example.com/team/svc{i}:1.{i % 17}.0",
        "command": ["python", "-m", f"svc{i}", "--workers", str(2 + i % 3)],
        "ports": [{"mode": "ingress", "target": 8000 + i % 1000, "published": str(18000 + i), "protocol": "tcp"}],
        "volumes": [{"type": "bind", "source": f"{root}/data/svc{i}", "target": "/data", "bind": {}}],
        "networks": {"default": None},
        "restart": "unless-stopped",
        "labels": {"com.example.team": f"team{i % 7}", "com.example.tier": "backend"},
        "healthcheck": {"test": ["CMD", "curl", "-f", f"http://localhost:{8000 + i % 1000}/health"],
                        "interval": "30s", "timeout": "5s", "retries": 3},
        "depends_on": {f"svc{(i + 1) % 2000}": {"condition": "service_started", "required": True}},
        "environment": {f"VAR_{v}": f"value-{i}-{v}" if v % 3 else str(v * i) for v in range(ENV_VARS)},
    }


def compose_data(n: int, root: str, project: str) -> dict[str, Any]:
    return {
        "found": True,
        "files": [{"path": "docker-compose.yml", "exists": True, "sha256": "0" * 64, "lines": 40 * n}],
        "project": project,
        "services": {f"svc{i}": service(i, root) for i in range(n)},
        "networks": {"default": {"name": f"{project}_default"}},
        "volumes": {},
    }


def snapshot(env: str, data: dict[str, Any], target: str) -> dict[str, Any]:
    return {
        "schema_version": 1, "environment": env, "transport": "local", "target": target,
        "collected_at": "2026-01-01T00:00:00Z", "driftctl_version": "0.1.0", "complete": True, "error": None,
        "collectors": {"compose": {"status": "ok", "data": data}},
    }


def plant(data: dict[str, Any], n: int, salt: int = 0) -> int:
    """61 real differences among n services (fewer services, fewer differences); returns the count."""
    services = data["services"]
    planted = 0
    for k in range(61):
        i = (k * 997 + salt * 131) % n
        svc = services[f"svc{i}"]
        kind = k % 6
        if kind == 0:
            svc["image"] = svc["image"].replace(":1.", ":9.")
        elif kind == 1:
            svc["environment"][f"VAR_{k % ENV_VARS}"] = f"changed-{k}"
        elif kind == 2:
            svc["environment"][f"EXTRA_{k}"] = "only here"
        elif kind == 3:
            svc["command"] = [*svc["command"], "--debug"]
        elif kind == 4:
            svc["healthcheck"] = {**svc["healthcheck"], "retries": 5}
        else:
            svc["ports"] = [{**svc["ports"][0], "published": str(28000 + i)}]
        planted += 1
    return planted


def build_pair(n: int, folder: Path) -> tuple[Path, Path, dict, dict, int]:
    a = snapshot("a", compose_data(n, "/srv/a/project", "project"), "local:/srv/a/project")
    data_b = compose_data(n, "/home/deploy/project", "project")
    planted = plant(data_b, n)
    b = snapshot("b", data_b, "local:/home/deploy/project")
    pa, pb = folder / "a.json", folder / "b.json"
    pa.write_text(json.dumps(a, indent=2) + "\n")
    pb.write_text(json.dumps(b, indent=2) + "\n")
    return pa, pb, a, b, planted


def run_cli(pa: Path, pb: Path, code: Path) -> tuple[float, float, float, int, dict]:
    """Wall seconds, CPU seconds, peak RSS (MB) and exit status of one `driftctl diff` process, and its
    document. Run from a small parent: a child's peak RSS includes its parent's at exec time."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    argv = [sys.executable, "-m", "driftctl", "diff", "--snapshot", str(pa), "--snapshot", str(pb), "--format", "json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=pa.parent)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read()
        if proc.returncode not in (0, 1):
            raise SystemExit(f"driftctl diff failed ({proc.returncode}): {err.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, json.loads(text)


def best(fn, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def linearity(repeat: int) -> list[dict[str, Any]]:
    """Matrix build time for several environments x services; seconds per environment x leaf."""
    from driftctl.differ import build_matrix

    out = []
    for envs, n in ((2, 500), (5, 500), (10, 500), (10, 250)):
        snaps = []
        for e in range(envs):
            data = compose_data(n, f"/srv/env{e}/project", "project")
            if e:
                plant(data, n, salt=e)
            snaps.append(snapshot(f"env{e}", data, f"local:/srv/env{e}/project"))
        seconds, matrix = best(lambda snaps=snaps: build_matrix(snaps), repeat)
        leaves = envs * n * (1 + 10 + ENV_VARS)
        out.append({"environments": envs, "services": n, "build_s": round(seconds, 4),
                    "findings": len(matrix.findings()), "us_per_env_leaf": round(seconds / leaves * 1e6, 3)})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--label", default="", help="a note stored with the results (e.g. 'before')")
    parser.add_argument("--code", type=Path, default=REPO, help="the driftctl checkout to measure (default: this one)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # internal: write the snapshots there
    args = parser.parse_args()
    if args.write:
        print(build_pair(args.services, args.write)[4])
        return 0
    sys.path.insert(0, str(args.code))

    with tempfile.TemporaryDirectory(prefix="driftctl-scale-") as tmp:
        folder = Path(tmp)
        # The snapshots are built in a child, so this process is still small when it starts driftctl.
        planted = int(subprocess.run([sys.executable, __file__, "--write", tmp, "--services", str(args.services)],
                                     check=True, capture_output=True, text=True).stdout)
        pa, pb = folder / "a.json", folder / "b.json"
        size_mb = (pa.stat().st_size + pb.stat().st_size) / 1e6
        runs = [run_cli(pa, pb, args.code) for _ in range(args.repeat)]
        wall, cpu, rss = (min(r[i] for r in runs) for i in range(3))
        code, doc = runs[0][3], runs[0][4]
        a, b = json.loads(pa.read_text()), json.loads(pb.read_text())

    from deepdiff import DeepDiff

    from driftctl.differ import build_matrix

    build_s, matrix = best(lambda: build_matrix([a, b]), args.repeat)
    services_a, services_b = a["collectors"]["compose"]["data"]["services"], b["collectors"]["compose"]["data"]["services"]
    deepdiff_s, dd = best(lambda: DeepDiff(services_a, services_b), args.repeat)
    summary = matrix.summary()
    result = {
        "label": args.label,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_1m": round(os.getloadavg()[0], 2)},
        "services": args.services, "values_per_service": 1 + 10 + ENV_VARS, "planted_differences": planted,
        "snapshots_mb": round(size_mb, 1),
        "cli": {"command": "driftctl diff --snapshot a.json --snapshot b.json --format json",
                "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_rss_mb": round(rss, 1), "exit_code": code,
                "rows_shown": len(doc["rows"]), "summary": doc["summary"]},
        "matrix_build_s": round(build_s, 4),
        "deepdiff_s": round(deepdiff_s, 4), "deepdiff_changes": sum(len(v) for v in dd.values()),
        "deepdiff_over_driftctl": round(deepdiff_s / build_s, 1),
        "findings": len(matrix.findings()), "in_sync": summary["in_sync"],
        "linearity": linearity(args.repeat),
    }
    print(f"{args.services} services x {result['values_per_service']} values, {planted} planted differences, "
          f"snapshots {size_mb:.1f} MB, load average {result['machine']['load_average_1m']}")
    print(f"driftctl diff (whole process): {wall:.3f} s wall, {cpu:.3f} s CPU, {rss:.1f} MB peak RSS, exit {code}, "
          f"{len(doc['rows'])} rows shown, summary {doc['summary']}")
    print(f"matrix build alone: {build_s:.4f} s   DeepDiff on the service maps: {deepdiff_s:.4f} s   "
          f"ratio {result['deepdiff_over_driftctl']}x")
    for item in result["linearity"]:
        print(f"  {item['environments']:>2} envs x {item['services']} services: {item['build_s']:.4f} s, "
              f"{item['us_per_env_leaf']} us per environment x leaf, {item['findings']} findings")
    goals = {"whole process <= 0.5 s": wall <= 0.5, "peak RSS <= 100 MB": rss <= 100,
             "matrix build >= 10x faster than DeepDiff": deepdiff_s / build_s >= 10}
    result["goals"] = goals
    for goal, ok in goals.items():
        print(f"  {'met' if ok else 'MISSED'}: {goal}")
    if not args.no_save:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.output}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
