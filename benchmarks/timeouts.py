"""How promptly driftctl and the bundled services give up: time to the error against the timeout set.

Why: these used to be wall-clock asserts in unit tests, where a busy machine turns them red without
a bug; the tests now check what happens (the error, its wording, the connection surviving) and the
timing is measured here, side by side with the budget it must meet.

Command (from the repository root; starts a throwaway sshd on 127.0.0.1, like the test fixture)::

    python benchmarks/timeouts.py [--repeat 3]

Measured (median of --repeat runs), each with its budget = the configured timeout + a margin:
  ssh refused        SSHTransport.open() against a closed port, connect_timeout 2      (budget 2 + 5 s)
  ssh silent         a listener that accepts TCP and never speaks, connect_timeout 1   (budget 1 + 2 s)
  ssh unknown host   `no-such-host.invalid`, connect_timeout 3                          (budget 3 + 2 s)
  ssh batch timeout  `sleep 30` in a batch with timeout 1, then the connection is reused (budget 3 s)
  ssh big output     12 MiB on stdout and on stderr in one batch                         (budget 60 s)
  snapshot unreachable  `driftctl snapshot` of a local and an unreachable ssh environment (budget 2 + 5 s)
  aggregator hold    market-data's aggregator with one failing and one hanging exchange,
                     provider timeout 0.3 s                                                (budget 2 s)
Exit status 1 when a median exceeds its budget.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "services" / "market-data")]

from driftctl.config import EnvironmentSpec  # noqa: E402
from driftctl.errors import TransportError  # noqa: E402
from driftctl.models import Command  # noqa: E402
from driftctl.transport.ssh import SSHTransport  # noqa: E402
from tests.fixtures.sshd import SshServer, generate_key, start_sshd  # noqa: E402
from tests.helpers import driftctl, write_config  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spec(server: SshServer, tmp: str, **changes: object) -> EnvironmentSpec:
    return EnvironmentSpec(**{**server.env_spec(tmp), **changes})


def expect_error(fn: Callable[[], object]) -> None:
    try:
        fn()
    except TransportError:
        return
    raise SystemExit("expected a TransportError")


def refused(server: SshServer, tmp: str) -> None:
    expect_error(lambda: SSHTransport("bench", spec(server, tmp, port=free_port(), connect_timeout=2)).open())


def silent(server: SshServer, tmp: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        expect_error(lambda: SSHTransport("bench", spec(server, tmp, port=port, connect_timeout=1)).open())


def unknown_host(server: SshServer, tmp: str) -> None:
    expect_error(lambda: SSHTransport("bench", spec(server, tmp, host="no-such-host.invalid", connect_timeout=3)).open())


def batch_timeout(transport: SSHTransport) -> None:
    expect_error(lambda: transport.run_batch([Command(("echo", "x")), Command(("sleep", "30"))], timeout=1))
    assert transport.run(Command(("echo", "still"))).stdout == b"still\n"


def big_output(transport: SSHTransport) -> None:
    size = 12 * 1024 * 1024
    [result] = transport.run_batch([Command(("sh", "-c", f"head -c {size} /dev/zero; head -c {size} /dev/zero >&2"))],
                                   timeout=60)
    assert len(result.stdout) == size and len(result.stderr) == size


def snapshot_unreachable(tmp: str) -> None:
    project = Path(tempfile.mkdtemp(dir=tmp))
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    write_config(project / "environments.yaml", {
        "local": {"transport": "local", "path": "."},
        "aws": {"transport": "ssh", "host": "127.0.0.1", "port": free_port(), "user": "nobody", "path": "/srv/app",
                "connect_timeout": 2},
    })
    run = driftctl("snapshot", cwd=project)
    assert run.code == 3, run.err


def aggregator_hold() -> None:
    import aiohttp
    from symbols import parse_symbol
    from unified_oi_aggregator import UnifiedOIAggregator, build_providers

    from tests.services.stub_exchanges import StubExchanges, wait_for

    async def run() -> dict:
        async with StubExchanges() as stub, aiohttp.ClientSession() as session:
            stub.modes.update({"gateio": "fail", "bitget": "hold"})
            result = await UnifiedOIAggregator(build_providers(session, stub.base_urls, 0.3)).open_interest(
                parse_symbol("BTC-USDT"))
            await wait_for(stub.held)
            return result

    assert asyncio.run(run())["status"] == "partial"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # the silent server's banner error is the point
    results: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = start_sshd(Path(tmp) / "sshd", generate_key(Path(tmp) / "id_ed25519"))
        try:
            results.append(("ssh refused", median_time(lambda: refused(server, tmp), args.repeat), 2 + 5))
            results.append(("ssh silent", median_time(lambda: silent(server, tmp), args.repeat), 1 + 2))
            results.append(("ssh unknown host", median_time(lambda: unknown_host(server, tmp), args.repeat), 3 + 2))
            with SSHTransport("bench", spec(server, tmp)) as transport:
                results.append(("ssh batch timeout", median_time(lambda: batch_timeout(transport), args.repeat), 3))
                results.append(("ssh big output", median_time(lambda: big_output(transport), args.repeat), 60))
        finally:
            server.stop()
        results.append(("snapshot unreachable", median_time(lambda: snapshot_unreachable(tmp), args.repeat), 2 + 5))
    results.append(("aggregator hold", median_time(aggregator_hold, args.repeat), 2.0))
    for name, seconds, budget in results:
        print(f"{name:<22} {seconds:7.3f} s   budget {budget:g} s   {'ok' if seconds <= budget else 'OVER BUDGET'}")
    return 0 if all(seconds <= budget for _, seconds, budget in results) else 1


if __name__ == "__main__":
    sys.exit(main())
