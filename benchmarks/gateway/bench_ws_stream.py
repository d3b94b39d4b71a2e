"""WS stream throughput to one client: a backtest of `steps` × `batch` candles, acked per batch frame
(`framing=batch`, the SDK's mode) and, for reference, event by event (compatible clients).

Target (issue #6): >= 100,000 events/s with batched frames.

    python benchmarks/gateway/bench_ws_stream.py [--steps 300] [--batch 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import orjson
import websockets
from _common import AUTH, HERE, start, stop


async def drive(port: int, batched: bool) -> tuple[int, float]:
    url = f"ws://127.0.0.1:{port}/v1/ws" + ("?framing=batch" if batched else "")
    events = 0
    async with websockets.connect(url, additional_headers=AUTH, compression=None, max_size=None) as ws:
        t0 = None
        try:
            while True:
                frame = orjson.loads(await ws.recv())
                if t0 is None:
                    t0 = time.perf_counter()
                if batched:
                    if frame["type"] != "batch":
                        continue  # a JSON ping
                    events += sum(1 for e in frame["events"] if "event_id" in e)
                    await ws.send(
                        orjson.dumps(
                            {"type": "event_ack", "batch_id": frame["batch_id"], "events_processed": []}
                        ).decode()
                    )
                elif "event_id" in frame:
                    events += 1
                    await ws.send(
                        orjson.dumps(
                            {
                                "type": "event_ack",
                                "correlation_id": "c",
                                "events_processed": [frame["event_id"]],
                                "timestamp": 0,
                            }
                        ).decode()
                    )
        except websockets.ConnectionClosedOK:
            pass
    assert t0 is not None
    return events, time.perf_counter() - t0


def run(steps: int, batch: int, batched: bool) -> float:
    proc, port = start([str(HERE / "stream_server.py"), "--steps", str(steps), "--batch", str(batch)])
    try:
        events, seconds = asyncio.run(drive(port, batched))
    finally:
        stop(proc)
    rate = events / seconds
    mode = "batch frames, 1 ack/batch" if batched else "1 frame + 1 ack per event"
    print(f"  {mode:<28} batch={batch:<5} events={events:<8} {seconds:6.2f} s  {rate:>10,.0f} events/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    print("WS stream to one client (server in its own process, loopback, no compression)")
    rates = [run(args.steps, args.batch, True) for _ in range(3)]
    best = sorted(rates)[1]
    run(args.steps, 100, True)
    run(max(1, args.steps // 20), args.batch, False)
    print(
        f"  median batched: {best:,.0f} events/s; target >= 100,000: {'ok' if best >= 100_000 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
