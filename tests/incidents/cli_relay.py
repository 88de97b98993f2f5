"""`driftctl` on PATH for the command lines a plan runs (`driftctl rescue ...`, `driftctl scan-secrets ...`),
served by pre-imported fork servers (tests/fixtures/forkrun.py) instead of a new interpreter each time.

An apply runs several such lines through `sh -c`; each started Python and imported driftctl again (about
0.4 s of CPU), most of an incident test's cost. `CliRelay` listens on a unix socket in the test process;
the `driftctl` it installs in a bin folder is a small script (`python -IS`: no site, no imports beyond
the standard library) that sends its argv, working directory, environment and stdin there and replays
the reply: stdout, stderr and exit status. The command itself runs as `python -m driftctl ARGS` in a
forked child of a server that imported driftctl once, with exactly that cwd and environment (a real
interpreter start when the environment needs one, see ForkRunner.run). Without the relay (its socket
gone or refusing), the script runs `python -m driftctl` itself.
"""

from __future__ import annotations

import binascii
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from tests.fixtures.forkrun import ForkRunner

SOCKET_VAR = "DRIFTCTL_TEST_RELAY"
_HEADER = struct.Struct("!I")

# The client: stdlib only, started with -IS (about 15 ms); `exec` of a full interpreter as fallback.
CLIENT = r'''
import binascii, json, os, socket, stat, struct, sys

H = struct.Struct("!I")


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    path = os.environ.get("DRIFTCTL_TEST_RELAY", "")
    # stdin: a file is passed on; a pipe, a terminal or /dev/null gives nothing (no plan line pipes into
    # driftctl, and a pipe inherited from the test process, e.g. an xdist worker's, must not be drained)
    try:
        data = sys.stdin.buffer.read() if stat.S_ISREG(os.fstat(0).st_mode) else b""
    except OSError:
        data = b""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
    except OSError:
        s = None
    if s is None:
        if data:
            raise SystemExit("driftctl relay unavailable and stdin already read")
        os.execv(sys.executable, [sys.executable, "-m", "driftctl", *sys.argv[1:]])
    body = json.dumps({"args": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ),
                       "stdin": binascii.b2a_base64(data).decode()}).encode()
    s.sendall(H.pack(len(body)) + body)
    head = recv_exact(s, H.size)
    reply = json.loads(recv_exact(s, H.unpack(head)[0])) if head else None
    if reply is None:
        raise SystemExit("driftctl relay: no reply")
    sys.stdout.buffer.write(binascii.a2b_base64(reply["stdout"]))
    sys.stdout.flush()
    sys.stderr.buffer.write(binascii.a2b_base64(reply["stderr"]))
    sys.stderr.flush()
    sys.exit(reply["status"])


main()
'''


class CliRelay:
    """Serves the `driftctl` script in `bin_dir` (put it first on PATH) until `close()`."""

    def __init__(self, timeout: float = 600) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="driftctl-relay-", dir="/tmp"))  # a short unix socket path
        self.socket_path = self.dir / "relay.sock"
        self.bin_dir = self.dir / "bin"
        self.bin_dir.mkdir()
        script = self.bin_dir / "driftctl"
        script.write_text(f"#!{sys.executable} -IS\n{CLIENT}")  # one shebang argument
        script.chmod(0o755)
        self.timeout = timeout
        self.runner = ForkRunner(size=2)  # its own servers: a command may run while the test's own is busy
        self.served = 0
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(self.socket_path))
        self._sock.listen(16)
        self._thread = threading.Thread(target=self._accept, name="driftctl-relay", daemon=True)
        self._thread.start()

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """What to add to a command's environment so that `driftctl` there is the relayed one."""
        return {"PATH": os.pathsep.join([str(self.bin_dir), base.get("PATH", os.defpath)]),
                SOCKET_VAR: str(self.socket_path)}

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = _receive(conn)
            if request is None:
                return
            try:
                proc = self.runner.run(request["args"], cwd=request["cwd"], env=request["env"],
                                       input=binascii.a2b_base64(request["stdin"]), timeout=self.timeout, text=False)
                status, out, err = proc.returncode, proc.stdout, proc.stderr
            except subprocess.TimeoutExpired as exc:  # killed, as `timeout` would: status 124
                status, out, err = 124, exc.output or b"", (exc.stderr or b"") + b"driftctl relay: timed out\n"
            self.served += 1
            reply: dict[str, Any] = {"status": status, "stdout": binascii.b2a_base64(out).decode(),
                                     "stderr": binascii.b2a_base64(err).decode()}
            body = json.dumps(reply).encode()
            try:
                conn.sendall(_HEADER.pack(len(body)) + body)
            except OSError:  # the client was killed (a step's timeout): nothing to answer
                pass

    def close(self) -> None:
        self._sock.close()
        self.runner.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _receive(conn: socket.socket) -> dict[str, Any] | None:
    head = _exact(conn, _HEADER.size)
    if head is None:
        return None
    body = _exact(conn, _HEADER.unpack(head)[0])
    return None if body is None else json.loads(body)


def _exact(conn: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data
