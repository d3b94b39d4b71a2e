"""REST submit-order round trip on the mock platform, one keep-alive client on loopback.

Target (issue #6): p50 <= 400 µs, p99 <= 1 ms, judged with a generic httpx client and with the
SDK's `Client(transport="keepalive")` (the blocking client a wire run uses for plain http; the whole
`submit_order` call, decoding included). The server runs in its own process (as deployed). Two
reference rows separate the parts: the same requests from a minimal raw-socket HTTP/1.1 client
(what the gateway itself costs), and a bare Litestar + uvicorn endpoint that does nothing,
measured with httpx (the floor of that client on this stack and machine).

    python benchmarks/gateway/bench_rest.py [--n 5000]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
from collections.abc import Callable

import httpx
from _common import AUTH, HERE, KEY, start, stop

BODIES = [
    b'{"symbol":"AAPL","side":"buy","quantity":"1","order_type":"market"}',
    b'{"symbol":"AAPL","side":"sell","quantity":"1","order_type":"market"}',
]


def httpx_caller(port: int) -> tuple[Callable[[int], int], Callable[[], None]]:
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={**AUTH, "Content-Type": "application/json"}
    )
    return (lambda i: client.post("/v1/orders", content=BODIES[i % 2]).status_code), client.close


def raw_caller(port: int) -> tuple[Callable[[int], int], Callable[[], None]]:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    requests = [
        (
            f"POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(b)}\r\n\r\n"
        ).encode()
        + b
        for b in BODIES
    ]

    def call(i: int) -> int:
        sock.sendall(requests[i % 2])
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        while len(rest) < length:
            rest += sock.recv(65536)
        return int(head.split(b" ", 2)[1])

    return call, sock.close


def sdk_caller(port: int) -> tuple[Callable[[int], int], Callable[[], None]]:
    """The SDK's own blocking client for plain http (what a wire run uses): the whole `submit_order`."""
    from tradewire.sdk import Client

    client = Client(f"http://127.0.0.1:{port}", KEY, transport="keepalive")
    sides = ("buy", "sell")

    def call(i: int) -> int:
        client.submit_order(symbol="AAPL", side=sides[i % 2], quantity="1")
        return 201  # anything else raised

    return call, client.close


def measure(
    label: str,
    port: int,
    make: Callable[[int], tuple[Callable[[int], int], Callable[[], None]]],
    n: int,
    warmup: int,
) -> float:
    call, close = make(port)
    samples: list[float] = []
    try:
        for i in range(warmup + n):
            t0 = time.perf_counter()
            status = call(i)
            elapsed = time.perf_counter() - t0
            if status != 201:
                sys.exit(f"unexpected {status}")
            if i >= warmup:
                samples.append(elapsed * 1e6)
    finally:
        close()
    samples.sort()
    q = statistics.quantiles(samples, n=100)
    print(f"  {label:<44} p50 {q[49]:5.0f} µs   p90 {q[89]:5.0f} µs   p99 {q[98]:5.0f} µs")
    return q[49], q[98]  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=1000)
    args = parser.parse_args()
    print(f"POST /v1/orders, market order, one keep-alive client, n={args.n}")
    proc, port = start(
        ["-m", "tradewire.gateway.cli", "serve", "--platform", "mock", "--candle-interval", "3600"]
    )
    try:
        p50, p99 = measure("gateway (mock), httpx client", port, httpx_caller, args.n, args.warmup)
        sdk50, sdk99 = measure(
            "gateway (mock), SDK keepalive transport", port, sdk_caller, args.n, args.warmup
        )
        measure("gateway (mock), raw-socket client", port, raw_caller, args.n, args.warmup)
    finally:
        stop(proc)
    proc, port = start([str(HERE / "bare_server.py")])
    try:
        measure("reference: bare Litestar+uvicorn, httpx", port, httpx_caller, args.n, args.warmup)
    finally:
        stop(proc)
    for label, a, b in (("httpx", p50, p99), ("SDK keepalive transport", sdk50, sdk99)):
        print(
            f"  target with {label}: p50 <= 400 µs {'ok' if a <= 400 else 'MISSED'};"
            f"  p99 <= 1000 µs {'ok' if b <= 1000 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
