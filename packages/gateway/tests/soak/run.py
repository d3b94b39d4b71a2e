"""Soak and chaos against a mock gateway on loopback: what `nox -s soak` runs.

    python packages/gateway/tests/soak/run.py [--clients 50] [--seconds 30]

Starts `tradewire-gateway serve --platform mock` on a free loopback port, then, for a fixed time:
`--clients` traders submit, modify and cancel over REST (traders.py) while stream readers follow
the event stream; in the middle third, readers that never read, clients sending garbage frames and
endless request heads run beside them (abusers.py). Then SIGTERM arrives with the traders still
trading; they leave once /readyz says the gateway drains. While it drains, the invariants are
read back over REST (checks.py): every
accepted order exactly once, positions equal to the sum of fills, cash exact. Then: every stream
client closed with the right code, the process exited cleanly, and memory after the abuse is back
near the baseline taken before it. Prints the figures; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import abusers
import checks
import httpx
import traders

BIN = Path(sys.executable).parent
STARTING_CASH = Decimal("100000")
#: Memory the abuse may leave behind, beyond the baseline plus what the traders' orders add.
MEMORY_SLACK_MB = 64.0
#: Seconds the gateway keeps answering after SIGTERM (readyz 503) so the invariants can be read: reading
#: back tens of thousands of orders and fills takes a while on a loaded machine.
DRAIN_SECONDS = 30.0
#: The drain, then the goodbye to stream clients and uvicorn's own graceful wait.
EXIT_TIMEOUT = DRAIN_SECONDS + 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_gateway(port: int, key: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TRADEWIRE_API_KEY": key,
        "TRADEWIRE_MOCK__CANDLE_INTERVAL": "0.05",
        "TRADEWIRE_WS_QUEUE_SIZE": "256",
        "TRADEWIRE_DRAIN_SECONDS": str(DRAIN_SECONDS),
        "TRADEWIRE_LOG_LEVEL": "warning",
    }
    serve = [str(BIN / "tradewire-gateway"), "serve", "--platform", "mock", "--port", str(port)]
    process = subprocess.Popen(serve, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the gateway exited with status {process.returncode} before it was ready")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    sys.exit("the gateway was not ready within 30 s")


async def wait_draining(url: str) -> bool:
    """Whether /readyz turns 503 while the gateway still answers (the drain window)."""
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(100):
            try:
                if (await client.get(url + "/readyz")).status_code == 503:
                    return True
            except httpx.TransportError:
                return False
            await asyncio.sleep(0.05)
    return False


async def soak(args: argparse.Namespace, process: subprocess.Popen[bytes], url: str, key: str) -> int:
    port = int(url.rsplit(":", 1)[1])
    third = args.seconds / 3
    stop = asyncio.Event()
    people = [traders.Trader(url, key, f"t{i}", seed=i) for i in range(args.clients)]
    trading = [asyncio.create_task(t.run(stop)) for t in people]
    readers = [asyncio.create_task(abusers.reader(url, key)) for _ in range(3)]
    await asyncio.sleep(third)
    baseline = rss_mb(process.pid)

    garbage = [asyncio.create_task(abusers.reader(url, key, garbage=True)) for _ in range(3)]
    slow = [asyncio.to_thread(abusers.slow_reader, port, key, third) for _ in range(3)]
    floods = [asyncio.to_thread(abusers.header_flood, port, 5) for _ in range(2)]
    slow_outcomes = await asyncio.gather(*slow)
    flood_outcomes = await asyncio.gather(*floods)
    await asyncio.sleep(third)
    after = rss_mb(process.pid)

    process.send_signal(signal.SIGTERM)
    draining = await wait_draining(url)
    # The gateway still serves while it drains; the traders leave, as a load balancer's clients
    # would, so that the state read back next is final.
    stop.set()
    tallies = await asyncio.gather(*trading)
    accepted = {cid: oid for t in tallies for cid, oid in t.accepted.items()}
    failures: list[str] = []
    counts: dict[str, int] = {}
    if draining:
        try:
            started = time.perf_counter()
            failures, counts = checks.check(url, key, accepted, STARTING_CASH)
            counts["read_back_ms"] = int((time.perf_counter() - started) * 1000)
        except httpx.TransportError as e:
            failures.append(f"the gateway stopped answering within the drain window: {e}")
    else:
        failures.append("no drain window after SIGTERM: /readyz never answered 503, invariants unread")
    stream_outcomes = await asyncio.gather(*readers, *garbage)
    try:
        code = await asyncio.to_thread(process.wait, EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        failures.append(f"the gateway was still running {EXIT_TIMEOUT:.0f} s after SIGTERM")
        process.kill()
        code = process.wait()
    # uvicorn re-raises the signal it handled once shutdown is done: -SIGTERM is a clean exit too
    if code not in (0, -signal.SIGTERM):
        failures.append(f"the gateway exited with status {code}")

    for outcome in stream_outcomes:
        if outcome.close_code != 1001 or not outcome.saw_disconnecting:
            failures.append(
                f"{outcome.kind} client: close {outcome.close_code}, DISCONNECTING seen: "
                f"{outcome.saw_disconnecting} {outcome.error}".rstrip()
            )
    for outcome in slow_outcomes:
        if outcome.error == "still open 15 s after the stall" or (
            outcome.close_code not in (1008, None) or (outcome.close_code is None and not outcome.error)
        ):
            failures.append(f"slow reader: close {outcome.close_code} {outcome.error}".rstrip())
    # What the client managed to send says little (the kernel buffers megabytes on loopback before the
    # gateway's first read); the gateway must answer 431 or cut the connection, never keep reading.
    cut_off = ("HTTP/1.1 431", "EOF", "ConnectionResetError", "BrokenPipeError")
    for flood in flood_outcomes:
        endless = [answer for answer in flood.answers if not answer.startswith(cut_off)]
        if endless:
            failures.append(f"header flood: {endless[0]}")
    if after > baseline + MEMORY_SLACK_MB:
        failures.append(f"memory {after:.0f} MB after the abuse, baseline {baseline:.0f} MB")

    latencies = sorted(x for t in tallies for x in t.latencies)
    statuses: dict[int, int] = {}
    for t in tallies:
        for status, n in t.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    print(f"clients {args.clients}, {args.seconds:.0f} s; requests {len(latencies)}, statuses {statuses}")
    if latencies:
        p50 = statistics.median(latencies) * 1e3
        p99 = latencies[int(len(latencies) * 0.99)] * 1e3
        print(
            f"REST latency under load: p50 {p50:.1f} ms, p99 {p99:.1f} ms; retries {sum(t.retries for t in tallies)}"
        )
    print(f"orders: {counts}")
    print(f"memory: baseline {baseline:.0f} MB, after the abuse {after:.0f} MB")
    print(f"slow readers: {[(o.close_code, o.error) for o in slow_outcomes]}")
    print(
        f"header floods: {[sorted(set(f.answers)) for f in flood_outcomes]}, bytes {[max(f.bytes_sent) for f in flood_outcomes]}"
    )
    print(f"stream clients: {[(o.kind, o.close_code, o.messages) for o in stream_outcomes]}")
    for failure in failures:
        print("FAIL:", failure)
    print("soak: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    key = secrets.token_urlsafe(24)
    port = free_port()
    process = start_gateway(port, key)
    try:
        return asyncio.run(soak(args, process, f"http://127.0.0.1:{port}", key))
    finally:
        if process.poll() is None:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
