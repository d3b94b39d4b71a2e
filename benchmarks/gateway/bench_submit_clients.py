"""`submit_order` round trip through the SDK, one HTTP client library per row, on one connection.

The gateway runs `serve --platform mock` in its own process on loopback; each row submits market
orders one at a time on one kept-alive connection (as a strategy does during a backtest over the
wire), so a sample is the whole call: build the request, send, wait, parse, decode the OrderHandle.
Every row builds the request and reads the answer with the SDK's own core (`_requests`, `_http`);
only the HTTP layer changes:

- the SDK's `Client` on httpx, and `Client(transport="keepalive")` (one kept-alive
  `http.client` connection, plus the SDK's stale-connection handling and read busy-poll) with its
  default busy-poll budget and with polling off;
- maintained clients bare, with only the SDK's request builder and answer decoding around them:
  `http.client.HTTPConnection` (stdlib), urllib3's `HTTPConnectionPool`, and aiohttp's
  `ClientSession` (async: the loop runs `await` per submit, as `AsyncClient` would);
- the SDK's `AsyncClient` (httpx) for the async reference.

"client CPU" is this process's CPU time per measured call (the gateway runs in another process);
a busy-polling row spends CPU while it waits, by design.

Rows run interleaved, `--rounds` times, because the shared machine's load drifts; urllib3 and aiohttp
rows are skipped when the library is not installed (neither is an SDK dependency).

    python benchmarks/gateway/bench_submit_clients.py [--n 3000] [--warmup 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

from _common import KEY, start, stop

from tradewire.sdk import AsyncClient, Client
from tradewire.sdk import _requests as r
from tradewire.sdk._http import Call, read_response
from tradewire.sdk.config import ClientConfig

SIDES = ("buy", "sell")
Submit = Callable[[int], Any]


def _call(i: int) -> Call:
    return r.submit_order(r.build_order(symbol="AAPL", side=SIDES[i % 2], quantity="1"))


def _headers(config: ClientConfig, call: Call) -> dict[str, str]:
    return {**config.headers(), **call.headers()}


def sdk_client(url: str, **options: Any) -> tuple[Submit, Callable[[], None]]:
    client = Client(url, KEY, **options)
    return (lambda i: client.submit_order(symbol="AAPL", side=SIDES[i % 2], quantity="1")), client.close


def stdlib_http_client(url: str) -> tuple[Submit, Callable[[], None]]:
    config = ClientConfig(base_url=url, api_key=KEY)
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=config.timeout)

    def submit(i: int) -> Any:
        call = _call(i)
        conn.request(call.method, call.path, call.body, _headers(config, call))
        response = conn.getresponse()
        content = response.read()
        return read_response(call, response.status, response.headers, content)

    return submit, conn.close


def urllib3_pool(url: str) -> tuple[Submit, Callable[[], None]]:
    import urllib3

    config = ClientConfig(base_url=url, api_key=KEY)
    host, port = url.removeprefix("http://").split(":")
    pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=1, timeout=config.timeout, retries=False)

    def submit(i: int) -> Any:
        call = _call(i)
        response = pool.request(call.method, call.path, body=call.body, headers=_headers(config, call))
        return read_response(call, response.status, response.headers, response.data)

    return submit, pool.close


class Samples(list[float]):
    """Latencies in µs of the measured calls, and this process's CPU seconds over them."""

    cpu_s = 0.0


def measure(make: Callable[[], tuple[Submit, Callable[[], None]]], n: int, warmup: int) -> Samples:
    submit, close = make()
    samples = Samples()
    clock = time.perf_counter
    try:
        for i in range(warmup + n):
            if i == warmup:
                cpu0 = time.process_time()
            t0 = clock()
            submit(i)
            elapsed = clock() - t0
            if i >= warmup:
                samples.append(elapsed * 1e6)
        samples.cpu_s = time.process_time() - cpu0
    finally:
        close()
    return samples


def measure_async(kind: str, url: str, n: int, warmup: int) -> Samples:
    async def run() -> Samples:
        samples = Samples()
        clock = time.perf_counter
        if kind == "aiohttp":
            import aiohttp

            config = ClientConfig(base_url=url, api_key=KEY)
            connector = aiohttp.TCPConnector(limit=1)
            async with aiohttp.ClientSession(url, connector=connector) as session:
                for i in range(warmup + n):
                    if i == warmup:
                        cpu0 = time.process_time()
                    t0 = clock()
                    call = _call(i)
                    async with session.request(
                        call.method, call.path, data=call.body, headers=_headers(config, call)
                    ) as response:
                        content = await response.read()
                        read_response(call, response.status, response.headers, content)
                    if i >= warmup:
                        samples.append((clock() - t0) * 1e6)
        else:
            async with AsyncClient(url, KEY) as client:
                for i in range(warmup + n):
                    if i == warmup:
                        cpu0 = time.process_time()
                    t0 = clock()
                    await client.submit_order(symbol="AAPL", side=SIDES[i % 2], quantity="1")
                    if i >= warmup:
                        samples.append((clock() - t0) * 1e6)
        samples.cpu_s = time.process_time() - cpu0
        return samples

    return asyncio.run(run())


def timed(label: str, run: Callable[[], Samples]) -> tuple[float, float]:
    """Run one row; print its percentiles and the client's CPU per call (this process only)."""
    samples = run()
    cpu_us = samples.cpu_s / len(samples) * 1e6
    q = statistics.quantiles(samples, n=100)
    print(
        f"  {label:<32} p50 {q[49]:5.0f} µs  p90 {q[89]:5.0f} µs  p99 {q[98]:5.0f} µs"
        f"  client CPU {cpu_us:4.0f} µs/call",
        flush=True,
    )
    return q[49], q[98]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=1, help="repeat the set, interleaved")
    args = parser.parse_args()
    print(f"submit_order (market, AAPL) on the mock platform, one connection, n={args.n}")
    proc, port = start(
        ["-m", "tradewire.gateway.cli", "serve", "--platform", "mock", "--candle-interval", "3600"]
    )
    url = f"http://127.0.0.1:{port}"
    n, warmup = args.n, args.warmup
    rows: list[tuple[str, Callable[[], Samples]]] = [
        ("SDK Client, httpx", lambda: measure(lambda: sdk_client(url), n, warmup)),
        (
            "SDK keepalive (busy-poll 1 ms)",
            lambda: measure(lambda: sdk_client(url, transport="keepalive"), n, warmup),
        ),
        (
            "SDK keepalive (no busy-poll)",
            lambda: measure(lambda: sdk_client(url, transport="keepalive", busy_poll_s=0), n, warmup),
        ),
        ("http.client.HTTPConnection", lambda: measure(lambda: stdlib_http_client(url), n, warmup)),
    ]
    if importlib.util.find_spec("urllib3") is not None:
        rows.append(("urllib3 HTTPConnectionPool", lambda: measure(lambda: urllib3_pool(url), n, warmup)))
    if importlib.util.find_spec("aiohttp") is not None:
        rows.append(("aiohttp ClientSession", lambda: measure_async("aiohttp", url, n, warmup)))
    rows.append(("SDK AsyncClient, httpx", lambda: measure_async("httpx", url, n, warmup)))
    p50s: dict[str, list[float]] = {label: [] for label, _ in rows}
    p99s: dict[str, list[float]] = {label: [] for label, _ in rows}
    try:
        for round_ in range(args.rounds):
            print(f"round {round_ + 1}")
            # rotate the order each round so no row always runs first (a cold server) or last
            shift = round_ % len(rows)
            for label, run in rows[shift:] + rows[:shift]:
                p50, p99 = timed(label, run)
                p50s[label].append(p50)
                p99s[label].append(p99)
    finally:
        stop(proc)
    ours = statistics.median(p50s["SDK keepalive (busy-poll 1 ms)"])
    print("medians over the rounds; p50 as a multiple of the SDK keepalive transport's (busy-poll 1 ms):")
    for label in p50s:
        mid = statistics.median(p50s[label])
        print(
            f"  {label:<32} p50 {mid:5.0f} µs  p99 {statistics.median(p99s[label]):5.0f} µs  x{mid / ours:4.2f}"
        )


if __name__ == "__main__":
    main()
