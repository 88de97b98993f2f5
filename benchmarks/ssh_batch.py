"""How much one batched channel saves over one channel (or one connection) per command.

Run from the repository root (starts a throwaway sshd on 127.0.0.1, like the test fixture):

    python benchmarks/ssh_batch.py [--commands 50] [--repeat 5]

It compares, for the same N small commands:
  batch      SSHTransport.run_batch: one `/bin/sh -s` channel on one connection (what driftctl does)
  exec       N x exec_command on the same connection (one channel per command)
  connect    N x (connect + exec_command + close): the naive "ssh host cmd" per fact
Loopback hides network latency: on a real link each channel costs at least one extra round trip, so
the gap grows with the RTT.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paramiko  # noqa: E402

from driftctl.config import EnvironmentSpec  # noqa: E402
from driftctl.models import Command  # noqa: E402
from driftctl.transport.ssh import SSHTransport  # noqa: E402
from tests.fixtures.sshd import SshServer, generate_key, start_sshd  # noqa: E402


def commands(n: int) -> list[Command]:
    kinds = [("echo", "hello world"), ("cat", "/etc/os-release"), ("uname", "-a"), ("id",), ("ls", "/")]
    return [Command(kinds[i % len(kinds)]) for i in range(n)]


def connect(server: SshServer) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.load_host_keys(server.known_hosts)
    client.connect(server.host, server.port, username=server.user, key_filename=server.identity_file,
                   allow_agent=False, look_for_keys=False)
    # Same TCP_NODELAY as SSHTransport, so the comparison is about channels, not Nagle.
    client.get_transport().sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client


def exec_one(client: paramiko.SSHClient, cmd: Command) -> tuple[int, bytes, bytes]:
    _stdin, stdout, stderr = client.exec_command(shlex.join(cmd.argv))
    out, err = stdout.read(), stderr.read()
    return stdout.channel.recv_exit_status(), out, err


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cmds = commands(args.commands)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_sshd(Path(tmp) / "sshd", generate_key(Path(tmp) / "id_ed25519"))
        try:
            spec = EnvironmentSpec(**server.env_spec(tmp))
            with SSHTransport("bench", spec) as transport:
                batch_s = timed(lambda: transport.run_batch(cmds), args.repeat)
                batch_results = transport.run_batch(cmds)
            client = connect(server)
            try:
                exec_s = timed(lambda: [exec_one(client, c) for c in cmds], args.repeat)
                exec_results = [exec_one(client, c) for c in cmds]
            finally:
                client.close()
            connect_s = timed(lambda: [_connect_and_run(server, c) for c in cmds], 1)
        finally:
            server.stop()
    same = [(r.exit_status, r.stdout, r.stderr) for r in batch_results] == exec_results
    n = args.commands
    print(f"{n} commands, median of {args.repeat} runs, loopback sshd (results identical: {same})")
    print(f"  batch   (1 channel):            {batch_s * 1000:8.1f} ms")
    print(f"  exec    ({n} channels, 1 conn): {exec_s * 1000:8.1f} ms  ({exec_s / batch_s:.1f}x)")
    print(f"  connect ({n} connections):      {connect_s * 1000:8.1f} ms  ({connect_s / batch_s:.1f}x)")


def _connect_and_run(server: SshServer, cmd: Command) -> tuple[int, bytes, bytes]:
    client = connect(server)
    try:
        return exec_one(client, cmd)
    finally:
        client.close()


if __name__ == "__main__":
    main()
