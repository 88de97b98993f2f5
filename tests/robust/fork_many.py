"""`python -m tests.robust.fork_many SPEC.json`: N `python -m driftctl ARGS` processes at once, forked
from one interpreter that imported driftctl first (as the fork server of tests/fixtures/forkrun.py does),
so a test of concurrent commands pays one interpreter start-up instead of N.

All children are forked before any starts: each waits on a pipe that the parent closes once the last
one exists, so they run together. Each child then becomes `python -m driftctl ARGS` exactly as forkrun's
children do (its own process, working directory, environment and standard streams).

SPEC: {"n": N, "args": [...], "cwd": DIR, "env": {...}, "folder": DIR for the children's output files}.
Prints a JSON list, one {"status", "stderr"} per child, in the order they were forked.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

from tests.fixtures import forkrun


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    for name in forkrun.PRELOAD:
        importlib.import_module(name)
    folder = Path(spec["folder"])
    gate_read, gate_write = os.pipe()
    pids = []
    for i in range(spec["n"]):
        request = {"args": spec["args"], "cwd": spec["cwd"], "env": spec["env"], "stdin": os.devnull,
                   "stdout": str(folder / f"{i}.out"), "stderr": str(folder / f"{i}.err")}
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(gate_write)
            os.read(gate_read, 1)  # returns (EOF) when the parent closes the write end: all start together
            forkrun._child(request, (gate_read,))  # never returns
        pids.append(pid)
    os.close(gate_write)
    results = []
    for i, pid in enumerate(pids):
        _, raw = os.waitpid(pid, 0)
        results.append({"status": os.waitstatus_to_exitcode(raw),
                        "stderr": (folder / f"{i}.err").read_text(errors="replace")})
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
