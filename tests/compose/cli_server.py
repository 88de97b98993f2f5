"""`driftctl ARGS` run one after another in one long-lived process: for the 311 conformance vectors.

A forked child per command (tests/fixtures/forkrun.py) spares the interpreter's start-up, but each
child still pays about 30 ms of CPU: the page faults of copying its parent's memory on write, and
typer building the app again. The vectors only need what the command prints and its exit status, so
here one server process (started once, driftctl imported once) runs `driftctl.cli.main.main(ARGS)`
for each request, as `python -m driftctl ARGS` would: in the request's working directory, with
exactly the request's environment, an empty stdin, stdout and stderr captured as bytes, and the
exit status the interpreter would give (SystemExit's code; 1 and the traceback for an uncaught
exception). A command past its timeout is interrupted by SIGALRM and reported as a timeout; a server
that stops answering is killed (by its PID) and the next request starts a new one.

    server = CliServer()
    proc = server.run(["compose", "config", "-f", "compose.yml"], cwd=folder, env=env, timeout=60)

The protocol is forkrun's (length-prefixed JSON on the server's stdin/stdout).
"""

from __future__ import annotations

import base64
import io
import os
import select
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fixtures.forkrun import REPO_ROOT, _exit_status, _receive, _send, stop_server

_GRACE_S = 30.0  # past the command's own timeout, how long the client waits for the server's answer


class CliServer:
    """The client: one server process, started on first use, one command at a time."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.served = 0

    def _server(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            path = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.compose.cli_server"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": path})
        return self.proc

    def run(self, args: Sequence[str], *, cwd: str | os.PathLike[str], env: Mapping[str, str],
            timeout: float) -> subprocess.CompletedProcess[bytes]:
        """What `subprocess.run([driftctl, *args], cwd=, env=, capture_output=True, timeout=)` gives (bytes)."""
        proc = self._server()
        assert proc.stdin is not None and proc.stdout is not None
        argv = ["driftctl", *args]
        _send(proc.stdin, {"args": list(args), "cwd": os.fspath(cwd), "env": dict(env), "timeout": timeout})
        ready, _, _ = select.select([proc.stdout], [], [], timeout + _GRACE_S)
        reply = _receive(proc.stdout) if ready else None
        if reply is None:  # hung past its own alarm, or gone: never reuse it
            self.close()
            raise subprocess.TimeoutExpired(argv, timeout)
        self.served += 1
        out, err = (base64.b64decode(reply[k]) for k in ("stdout", "stderr"))
        if reply.get("timeout"):
            raise subprocess.TimeoutExpired(argv, timeout, output=out, stderr=err)
        return subprocess.CompletedProcess(argv, reply["status"], out, err)

    def close(self) -> None:
        if self.proc is not None:
            stop_server(self.proc, _GRACE_S)
        self.proc = None


# ---------------------------------------------------------------------------------------------- server


class _Timeout(BaseException):
    """Raised by SIGALRM in the command; a BaseException, so no `except Exception` of driftctl's swallows it."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _run_one(request: dict[str, Any]) -> dict[str, Any]:
    from driftctl.cli.main import main

    out, err = io.BytesIO(), io.BytesIO()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", line_buffering=True)
    reply: dict[str, Any] = {"status": 0}
    signal.setitimer(signal.ITIMER_REAL, float(request["timeout"]))
    try:
        main(list(request["args"]))
    except SystemExit as exc:
        reply["status"] = _exit_status(exc.code)
    except _Timeout:
        reply["timeout"] = True
    except BaseException:  # what the interpreter does with an uncaught exception: the traceback and status 1
        sys.excepthook(*sys.exc_info())
        reply["status"] = 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    sys.stdout.flush()
    sys.stderr.flush()
    reply["stdout"] = base64.b64encode(out.getvalue()).decode()
    reply["stderr"] = base64.b64encode(err.getvalue()).decode()
    return reply


def serve() -> int:
    import driftctl.cli.main  # noqa: F401  # imported once, before the first command

    signal.signal(signal.SIGALRM, _alarm)
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)  # whatever writes to fd 1 directly cannot corrupt the replies
    os.close(null)
    with os.fdopen(rfd, "rb") as requests, os.fdopen(wfd, "wb") as replies:
        while (request := _receive(requests)) is not None:
            _send(replies, _run_one(request))
    return 0


if __name__ == "__main__":
    sys.exit(serve())
