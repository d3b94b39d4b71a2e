"""`submit_order` round trip through the SDK's blocking clients: httpx `Client` vs `KeepAliveClient`.

The gateway runs `serve --platform mock` in its own process on loopback; each client submits market
orders one at a time on one connection (as a strategy does during a backtest over the wire), so a
sample is the whole SDK call: build the request, send, wait, parse, decode the OrderHandle.
`KeepAliveClient` is measured with its default busy-poll budget and with polling off (block at once).

    python benchmarks/gateway/bench_submit_clients.py [--n 5000] [--warmup 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from _common import KEY, start, stop

from tradewire.sdk import Client
from tradewire.sdk.client_keepalive import KeepAliveClient


def measure(label: str, client: Any, n: int, warmup: int) -> tuple[float, float]:
    sides = ("buy", "sell")
    samples: list[float] = []
    clock = time.perf_counter
    with client:
        for i in range(warmup + n):
            t0 = clock()
            client.submit_order(symbol="AAPL", side=sides[i % 2], quantity="1")
            elapsed = clock() - t0
            if i >= warmup:
                samples.append(elapsed * 1e6)
    q = statistics.quantiles(samples, n=100)
    print(f"  {label:<40} p50 {q[49]:6.0f} µs   p90 {q[89]:6.0f} µs   p99 {q[98]:6.0f} µs")
    return q[49], q[98]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1, help="repeat the set, interleaved")
    args = parser.parse_args()
    print(f"submit_order (market, AAPL) on the mock platform, one connection, n={args.n}")
    proc, port = start(
        ["-m", "tradewire.gateway.cli", "serve", "--platform", "mock", "--candle-interval", "3600"]
    )
    url = f"http://127.0.0.1:{port}"
    clients: list[tuple[str, Callable[[], Any]]] = [
        ("httpx Client", lambda: Client(url, KEY)),
        ("KeepAliveClient (busy-poll 1 ms)", lambda: KeepAliveClient(url, KEY)),
        ("KeepAliveClient (no busy-poll)", lambda: KeepAliveClient(url, KEY, busy_poll_s=0)),
    ]
    try:
        for _ in range(args.rounds):
            for label, make in clients:
                measure(label, make(), args.n, args.warmup)
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
