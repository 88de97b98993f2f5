"""Runs hostile cases through the real CLI entry point in one process (started by test_hostile.py
under an address-space limit) and prints one JSON result per case: exit code, stderr, seconds, and
the process's peak resident memory so far.

Usage: python -m tests.robust.hostile_runner CASES.json  (a list of {"id", "cwd", "args", "env"})

   or: python -m tests.robust.hostile_runner --serve
       One family after another, each in a child forked from this process once it has imported the
       CLI's common libraries (typer, click, rich, pydantic, yaml, the config model): ten families pay
       those imports once instead of ten times. Each child is what the one-shot form is: it sets the
       address-space limit on itself before running any case, takes the request's environment, and
       leaves its results in a file. Requests are JSON lines on stdin ({"spec", "out", "err", "env",
       "limit"}); each reply is a JSON line on stdout: {"status": the child's exit status}.
       The preload stays small on purpose: what a family imports beyond it counts against its own
       limit, as in the one-shot form (deepdiff, for one, reserves a GiB of address space for numpy).
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import threading
from pathlib import Path

# Modules every family imports first; all of them fit in a few tens of MiB of address space.
PRELOAD = ("driftctl.cli.main", "driftctl.config", "driftctl.checks", "driftctl.api", "typer", "click",
           "rich.console", "rich.table", "yaml", "pydantic")


def run_cases(spec: Path) -> list[dict]:
    from tests.robust.harness import invoke

    # RLIMIT_AS counts address space reserved, not used: each thread reserves an 8 MiB stack and
    # glibc a malloc arena; smaller stacks keep the 300 MiB bound about memory actually used.
    threading.stack_size(1 << 20)
    cases = json.loads(spec.read_text())
    results = []
    for case in cases:
        run = invoke(case["args"], Path(case["cwd"]), case.get("env") or {})
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results.append({"id": case["id"], "code": run.code, "err": run.err[-4000:], "out_tail": run.out[-200:],
                        "seconds": round(run.seconds, 3), "peak_mib": round(peak_kib / 1024, 1)})
    return results


def _family(request: dict) -> None:
    """In the forked child: limit, become the request's environment, run the family, never return."""
    status = 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (request["limit"], request["limit"]))
        err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(err, 2)
        os.close(err)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)  # the protocol's pipe is the server's; a stray write here must not corrupt it
        os.close(null)
        sys.stderr = open(2, "w", closefd=False, errors="backslashreplace", buffering=1)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(request["env"])
        import tempfile

        tempfile.tempdir = None  # chosen afresh from the request's TMPDIR, as a new interpreter would
        results = run_cases(Path(request["spec"]))
        Path(request["out"]).write_text(json.dumps(results))
        status = 0
    except BaseException:  # noqa: BLE001 - the traceback goes to the family's stderr file, the status to the test
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(status)


def serve() -> int:
    for name in PRELOAD:
        importlib.import_module(name)
    replies = os.fdopen(os.dup(1), "w")
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _family(request)  # never returns
        _, raw = os.waitpid(pid, 0)
        replies.write(json.dumps({"status": os.waitstatus_to_exitcode(raw)}) + "\n")
        replies.flush()
    return 0


def main() -> None:
    if sys.argv[1] == "--serve":
        sys.exit(serve())
    sys.stdout.write(json.dumps(run_cases(Path(sys.argv[1]))))


if __name__ == "__main__":
    main()
