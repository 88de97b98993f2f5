"""What a whole snapshot costs over SSH: connections, round trips (batches), commands, wall time.

Run from the repository root (starts a throwaway sshd on 127.0.0.1, like the test fixture):

    python benchmarks/snapshot_rounds.py [--repeat 3]

It snapshots this repository twice, side by side in one run: as a `local` environment and as an `ssh`
environment pointing at the same directory through the loopback sshd, with every collector. The
runner sends one batch per round, so the number of round trips is the depth of the deepest collector,
not the number of facts. The figures are printed and written to benchmarks/results/snapshot_rounds.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from driftctl.collectors import all_collectors  # noqa: E402
from driftctl.config import parse_config  # noqa: E402
from driftctl.runner import collect_environment  # noqa: E402
from driftctl.transport import ssh as ssh_module  # noqa: E402
from tests.fixtures.sshd import generate_key, start_sshd  # noqa: E402


class Counting:
    """Wraps SSHTransport.run_batch and paramiko connects to count round trips and connections."""

    batches = 0
    commands = 0

    @classmethod
    def install(cls) -> None:
        original = ssh_module.SSHTransport.run_batch

        def run_batch(self, commands, timeout=None):
            cls.batches += 1
            cls.commands += len(commands)
            return original(self, commands, timeout)

        ssh_module.SSHTransport.run_batch = run_batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        user_key = generate_key(work / "user_key")
        server = start_sshd(work / "sshd", user_key)
        try:
            doc = {"version": 1, "environments": {
                "local": {"transport": "local", "path": str(ROOT)},
                "remote": {"transport": "ssh", "host": server.host, "port": server.port, "user": server.user,
                           "identity_file": str(server.identity_file), "known_hosts": str(server.known_hosts),
                           "path": str(ROOT)},
            }}
            cfg = parse_config(doc, None, "bench.yaml", str(ROOT))
            Counting.install()
            results: dict[str, dict] = {}
            for name in ("local", "remote"):
                times = []
                for _ in range(args.repeat):
                    Counting.batches = Counting.commands = 0
                    logins = server.accepted_logins()
                    start = time.perf_counter()
                    snap = collect_environment(cfg, name, all_collectors())
                    times.append(time.perf_counter() - start)
                    assert snap["error"] is None, snap["error"]
                results[name] = {
                    "median_s": round(statistics.median(times), 3),
                    "collectors": {k: v["status"] for k, v in snap["collectors"].items()},
                }
                if name == "remote":
                    results[name].update(round_trips=Counting.batches, commands=Counting.commands,
                                         ssh_connections=server.accepted_logins() - logins)
        finally:
            server.stop()
    results["ratio_remote_over_local"] = round(results["remote"]["median_s"] / results["local"]["median_s"], 2)
    print(json.dumps(results, indent=2))
    out = ROOT / "benchmarks" / "results" / "snapshot_rounds.json"
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
