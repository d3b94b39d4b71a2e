"""Memory cost of idle WebSocket clients: RSS of the gateway before and after 50 connect (mock platform).

Target (issue #6): 50 idle clients add < 50 MB RSS.

    python benchmarks/gateway/bench_idle_clients.py [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio

import websockets
from _common import AUTH, rss_mb, start, stop


async def hold(port: int, n: int, pid: int) -> tuple[float, float]:
    url = f"ws://127.0.0.1:{port}/v1/ws"
    await asyncio.sleep(1.0)
    before = rss_mb(pid)
    clients = [await websockets.connect(url, additional_headers=AUTH, compression=None) for _ in range(n)]
    for ws in clients:
        await ws.recv()  # CONNECTED
    await asyncio.sleep(2.0)
    after = rss_mb(pid)
    for ws in clients:
        await ws.close()
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    # Idle clients: a slow market clock, so no data flows while memory is measured.
    proc, port = start(
        ["-m", "tradewire.gateway.cli", "serve", "--platform", "mock", "--candle-interval", "3600"]
    )
    try:
        before, after = asyncio.run(hold(port, args.clients, proc.pid))
    finally:
        stop(proc)
    delta = after - before
    print(
        f"{args.clients} idle WS clients: RSS {before:.1f} MB -> {after:.1f} MB (+{delta:.1f} MB, {delta * 1024 / args.clients:.0f} KB/client)"
    )
    print(f"  target < 50 MB: {'ok' if delta < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
