"""The gateway's CPU per backtest step, in-process: hub, session and route reader, no sockets.

  python benchmarks/gateway/bench_backtest_step.py --bars 20000
  python benchmarks/gateway/bench_backtest_step.py --bars 2000 --symbols 100
  python benchmarks/gateway/bench_backtest_step.py --bars 5000 --orders 25 --digest

A fake client stands in for the WebSocket: its `send` keeps the frames' batch ids and its `receive`
answers each `batch` frame at once with the `event_ack` (by batch id) the SDK sends. The gateway side
is the real code: `Hub` pumping a `BacktestVenue`, the `Session`'s direct writes, the route's ack
reader. So the figure is the gateway's own work per step, what a socket round trip adds on top of.

`--orders N` submits a 1-unit market order (alternately buy and sell) every N steps before the ack,
as a strategy's REST call would. `--digest` prints a SHA-256 over every frame sent, to check that a
change keeps the wire output byte for byte (compare the digest before and after). `--profile` prints
the top of a cProfile of the run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import pstats
import time
from typing import Any

import orjson

import tradewire.engine as te
from tradewire.gateway.settings import GatewaySettings
from tradewire.gateway.stream.hub import Hub
from tradewire.gateway.stream.route import _read
from tradewire.gateway.stream.session import Session
from tradewire.protocol.messages import OrderType, Side, SubmitOrderRequest


class FakeClient:
    """Both ends of one WebSocket as the ASGI app sees them, acking every batch frame at once."""

    def __init__(self, digest: bool) -> None:
        self.batches: list[tuple[str, bool]] = []  # (batch id, opens a step) sent and not yet acked
        self.frames = 0
        self.bytes = 0
        self.closed = False
        self._more = asyncio.Event()
        self._hash = hashlib.sha256() if digest else None
        self.on_ack: Any = None  # called before acking a step's market data (orders)

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] != "websocket.send":
            self.closed = True
            self._more.set()
            return
        text: str = message["text"]
        self.frames += 1
        self.bytes += len(text)
        if self._hash is not None and '"event_id"' in text:  # not the wall-clocked notices
            self._hash.update(text.encode())
            self._hash.update(b"\n")
        if text.startswith('{"type":"batch","batch_id":"'):
            end = text.index('"', 28)
            # orders go in on a step's market data only: acking their own batch must not place more
            opens_step = text.find('"events":[{"type":"candle"', end, end + 200) >= 0
            self.batches.append((text[28:end], opens_step))
            self._more.set()

    async def receive(self) -> dict[str, Any]:
        while not self.batches:
            if self.closed:
                return {"type": "websocket.disconnect", "code": 1000}
            self._more.clear()
            await self._more.wait()
        batch_id, opens_step = self.batches.pop(0)
        if opens_step and self.on_ack is not None:
            await self.on_ack()
        ack = {
            "type": "event_ack",
            "correlation_id": "00000000-0000-0000-0000-000000000000",
            "events_processed": [],
            "timestamp": 0,
            "batch_id": batch_id,
        }
        return {"type": "websocket.receive", "bytes": orjson.dumps(ack)}

    @property
    def digest(self) -> str | None:
        return None if self._hash is None else self._hash.hexdigest()


def _venue(bars: int, symbols: int) -> te.BacktestVenue:
    names = ["SYN"] if symbols == 1 else [f"SYN{i:03d}" for i in range(symbols)]
    series = [te.synthetic_bars(name, bars, seed=42 + i, timeframe="1m") for i, name in enumerate(names)]
    return te.BacktestVenue(series, cash=str(1_000_000 * symbols), quantity_decimals=0)


async def _run(a: argparse.Namespace) -> dict[str, Any]:
    venue = _venue(a.bars, a.symbols)
    settings = GatewaySettings(platform="backtest")
    client = FakeClient(a.digest)
    if a.orders:
        symbol = venue.kernel.instruments[0].symbol
        calls = 0

        async def order() -> None:
            nonlocal calls
            calls += 1
            if calls % a.orders == 0:
                side = Side.BUY if (calls // a.orders) % 2 else Side.SELL
                request = SubmitOrderRequest(
                    symbol=symbol, side=side, quantity="1", order_type=OrderType.MARKET
                )
                await venue.submit_order(request)

        client.on_ack = order
    hub = Hub(venue, settings)
    session = Session(client.send, batched=True, paced=True, queue_limit=1024, ping_interval=30.0)
    hub.join(session)
    writer = asyncio.create_task(session.run_writer())
    hub.start()
    socket: Any = client  # `_read` only calls `receive`
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await _read(socket, session, hub)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    await asyncio.wait_for(writer, 5)
    hub.leave(session)
    await hub.stop()
    steps = client.frames - 1  # the CONNECTED notice is one frame
    events = venue.kernel.evt
    return {
        "bench": "backtest_step",
        "symbols": a.symbols,
        "bars": a.bars,
        "orders_every": a.orders,
        "frames": client.frames,
        "events": events,
        "cpu_s": round(cpu, 4),
        "wall_s": round(wall, 4),
        "us_per_frame": round(cpu / steps * 1e6, 2),
        "us_per_event": round(cpu / events * 1e6, 2),
        "frames_per_s": round(steps / wall),
        "events_per_s": round(events / wall),
        "bytes": client.bytes,
        "digest": client.digest,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars", type=int, default=20_000, help="bars per symbol (default 20000)")
    ap.add_argument("--symbols", type=int, default=1, help="symbols per instant (default 1)")
    ap.add_argument("--orders", type=int, default=0, help="a market order every N steps (default none)")
    ap.add_argument("--repeat", type=int, default=1, help="runs; the best is printed last")
    ap.add_argument("--digest", action="store_true", help="print a SHA-256 of every frame sent")
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of one run")
    a = ap.parse_args()
    if a.profile:
        prof = cProfile.Profile()
        prof.enable()
        result = asyncio.run(_run(a))
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        print(json.dumps(result))
        return
    best: dict[str, Any] | None = None
    for _ in range(a.repeat):
        result = asyncio.run(_run(a))
        print(json.dumps(result))
        if best is None or result["cpu_s"] < best["cpu_s"]:
            best = result
    if a.repeat > 1:
        print("best:", json.dumps(best))


if __name__ == "__main__":
    main()
