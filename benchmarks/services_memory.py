"""Resident memory of the bundled services under a bounded load, on loopback only.

Why: production is a t3.micro that was at 72 % memory during the incident, and
docker-compose.aws.yml caps market-data at 192 MiB and the bot at 256 MiB. This
measures what the processes actually use so those limits are evidence-based.

Command (from the repository root; needs the ``test`` extra installed)::

    python benchmarks/services_memory.py                       # defaults below
    python benchmarks/services_memory.py --requests 3000 --concurrency 30 --bot-updates 200

What it does: starts stub Gate.io/Bitget/Binance APIs (tests/services/stub_exchanges.py)
on 127.0.0.1, starts ``services/market-data/market_data_server.py`` as its own process
pointed at them, sends ``--requests`` requests (``/multi_oi``, ``/price``, ``/ls_ratio``
in turn) with ``--concurrency`` in flight, then starts ``services/telegram-bot/main.py``
against a stub Bot API that hands it ``--bot-updates`` ``/oi BTC-USDT`` commands and waits
for every reply. VmRSS (idle and after load) and VmHWM (peak) come from /proc/<pid>/status.
Results go to benchmarks/results/services_memory.json. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MARKET_DIR = REPO / "services" / "market-data"
BOT_DIR = REPO / "services" / "telegram-bot"
RESULTS = REPO / "benchmarks" / "results" / "services_memory.json"
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402

from tests.services.stub_exchanges import StubExchanges  # noqa: E402
from tests.services.stub_telegram import StubTelegram, command_update  # noqa: E402

TOKEN = "700001:BENCHMARK-token"
LIMITS_MIB = {"market-data": 192, "telegram-bot": 256}  # docker-compose.aws.yml


def proc_memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of ``pid`` in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    drop = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
    return {k: v for k, v in os.environ.items() if k not in drop} | {"NO_PROXY": "127.0.0.1"} | extra


async def wait_healthy(url: str, process: asyncio.subprocess.Process, attempts: int = 200) -> None:
    """Poll /health until it answers; bounded, and fails fast if the process died."""
    async with aiohttp.ClientSession() as session:
        for _ in range(attempts):
            if process.returncode is not None:
                raise RuntimeError(f"market-data exited with {process.returncode}")
            try:
                async with session.get(f"{url}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("market-data did not become healthy")


async def load(url: str, total: int, concurrency: int) -> dict[str, Any]:
    requests = [("POST", "/multi_oi", {"symbol": "BTC-USDT"}), ("GET", "/price/BTC-USDT", None), ("GET", "/ls_ratio/BTC-USDT", None)]
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(total):
        queue.put_nowait(index)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            method, path, body = requests[queue.get_nowait() % len(requests)]
            started = time.perf_counter()
            async with session.request(method, url + path, json=body) as response:
                await response.read()
                failures += response.status != 200
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": total,
        "concurrency": concurrency,
        "non_200": failures,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(total / elapsed, 1),
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 2),
        "latency_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
    }


def summarise(name: str, idle: dict[str, int], loaded: dict[str, int]) -> dict[str, Any]:
    peak_mib = loaded["VmHWM"] / 1024
    return {
        "rss_idle_mib": round(idle["VmRSS"] / 1024, 1),
        "rss_after_load_mib": round(loaded["VmRSS"] / 1024, 1),
        "rss_peak_mib": round(peak_mib, 1),
        "aws_mem_limit_mib": LIMITS_MIB[name],
        "peak_share_of_limit": round(peak_mib / LIMITS_MIB[name], 3),
    }


async def measure_market_data(stub: StubExchanges, requests: int, concurrency: int) -> tuple[str, dict[str, Any], asyncio.subprocess.Process]:
    port = free_port()
    env = child_env(**stub.env, EXCHANGE_ENV="testnet", HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="WARNING")
    process = await asyncio.create_subprocess_exec(sys.executable, "market_data_server.py", cwd=MARKET_DIR, env=env)
    url = f"http://127.0.0.1:{port}"
    await wait_healthy(url, process)
    idle = proc_memory_kib(process.pid)
    stats = await load(url, requests, concurrency)
    result = summarise("market-data", idle, proc_memory_kib(process.pid)) | {"load": stats}
    return url, result, process


async def measure_bot(market_url: str, updates: int) -> dict[str, Any]:
    commands = [command_update(i + 1, "/oi BTC-USDT") for i in range(updates)]
    async with StubTelegram(TOKEN, []) as telegram:
        env = child_env(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=telegram.base_url, MARKET_DATA_URL=market_url,
                        BOT_MODE="polling", LOG_LEVEL="WARNING")
        process = await asyncio.create_subprocess_exec(sys.executable, "main.py", cwd=BOT_DIR, env=env)
        try:
            await asyncio.wait_for(_until_called(telegram, "getUpdates"), 30)  # the bot is up and polling
            idle = proc_memory_kib(process.pid)
            started = time.perf_counter()
            telegram.updates.extend(commands)
            while True:
                telegram.message_sent.clear()
                if len(telegram.sent) >= updates:
                    break
                await asyncio.wait_for(telegram.message_sent.wait(), 30)
            elapsed = time.perf_counter() - started
            loaded = proc_memory_kib(process.pid)
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 15)
    return summarise("telegram-bot", idle, loaded) | {"load": {"oi_commands": updates, "seconds_incl_first_long_poll": round(elapsed, 2)}}


async def _until_called(telegram: StubTelegram, method: str) -> None:
    """Wait (via the stub's request log) until the bot has called ``method`` at least once."""
    while method not in telegram.calls:
        await asyncio.sleep(0.02)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    async with StubExchanges() as stub:
        url, market, process = await measure_market_data(stub, args.requests, args.concurrency)
        try:
            bot = await measure_bot(url, args.bot_updates)
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 15)
    return {
        "command": " ".join(["python", "benchmarks/services_memory.py", *sys.argv[1:]]),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "note": "host processes (not containers); exchanges and Bot API are loopback stubs",
        "market-data": market,
        "telegram-bot": bot,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--bot-updates", type=int, default=200)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
