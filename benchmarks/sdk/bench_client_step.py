"""The SDK client's CPU per backtest step over the wire, without sockets: parse → router → strategy → ack.

  python benchmarks/sdk/bench_client_step.py                   # 1 and 100 symbols per frame
  python benchmarks/sdk/bench_client_step.py --symbols 1 --steps 20000 --profile client.prof

The frames are recorded first: an in-process backtest (the engine, SMA(10)/SMA(30) crossover on a
synthetic random walk) writes every batch as its wire JSON, the same bytes a backtest gateway sends
(tests/test_wire.py pins that). Then each frame text goes through what `run_wire` does per delivery,
with a transport that only counts orders (REST excluded). The order, trade, position and account
events in the frames still update the strategy's state, as they would over the wire.

Prints µs per step for each phase and in total (best of --repeat passes), one line per symbol count.
The end-to-end figure, sockets and gateway included, is `peers/bench_tradewire.py --mode wire`.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import tradewire.engine as te
from tradewire.sdk import _frames, backtest
from tradewire.sdk.router import Router

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "peers"))
from bench_tradewire import MultiSmaCross  # the peer rule as the wire run uses it

MINUTE_NS = 60_000_000_000
START_NS = 1_577_836_800_000_000_000  # 2020-01-01T00:00:00Z


class _CountingTransport:
    """Accepts orders without sending them: the frames already hold their fills."""

    platform = "backtest"

    def __init__(self) -> None:
        self.orders = 0

    def submit(self, request: Any, fields: dict[str, Any]) -> Any:
        self.orders += 1
        return None


def record_frames(symbols: int, steps: int, seed: int = 42) -> list[str]:
    """Batch frame texts of an in-process backtest, as a gateway would send them."""
    rng = np.random.default_rng(seed)
    series = []
    for i in range(symbols):
        close = np.round(100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0005, steps))), 6)
        open_ = np.concatenate(([100.0], close[:-1]))
        ts = START_NS + np.arange(steps, dtype=np.int64) * MINUTE_NS
        series.append(
            te.from_arrays(
                f"SYN{i:03d}",
                ts,
                open=open_,
                high=np.maximum(open_, close),
                low=np.minimum(open_, close),
                close=close,
                volume=rng.integers(100, 10_000, steps).astype(np.float64),
                timeframe="1m",
                price_decimals=6,
            )
        )
    log = io.BytesIO()
    backtest(MultiSmaCross(), series, cash=str(1_000_000 * symbols), quantity_decimals=0, events_log=log)
    return [line.decode() for line in log.getvalue().splitlines()]


def _drive(coro: Any) -> None:
    # adeliver never awaits anything real with plain handlers: run it without an event loop
    try:
        coro.send(None)
    except StopIteration:
        return
    raise RuntimeError("a handler awaited something: this bench takes plain handlers only")


def _parser(candles: bool) -> Callable[[str], Any]:
    """The frame decoder of the stream `run_wire` reads (candles as Candles when the SDK has that)."""
    if candles:
        return functools.partial(_frames.parse_frame, candles=True)
    return _frames.parse_frame


def one_pass(frames: list[str], candles: bool = True) -> dict[str, float]:
    """Seconds spent per phase over all frames, for a fresh strategy."""
    parse = _parser(candles)
    ack_frame = _frames.ack_frame
    strategy = MultiSmaCross()
    transport = _CountingTransport()
    strategy._transport = transport  # type: ignore[assignment]
    router = Router(strategy)
    strategy.on_start()
    clock = time.perf_counter
    t_parse = t_route = t_ack = 0.0
    bars = 0
    for raw in frames:
        t0 = clock()
        delivery = parse(raw)
        t1 = clock()
        events = delivery.events
        bars += len(events)
        _drive(router.adeliver(events))
        t2 = clock()
        ack_frame(delivery)
        t3 = clock()
        t_parse += t1 - t0
        t_route += t2 - t1
        t_ack += t3 - t2
    return {"parse": t_parse, "route": t_route, "ack": t_ack, "orders": transport.orders, "events": bars}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--symbols", type=int, nargs="+", default=[1, 100])
    ap.add_argument("--steps", type=int, default=0, help="steps recorded (default 20000 / symbols, min 500)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--protocol-events",
        action="store_true",
        help="decode candles into protocol CandleEvents (the stream's default) instead of Candles",
    )
    ap.add_argument("--profile", default=None, help="write a cProfile of one pass here")
    a = ap.parse_args()
    for n in a.symbols:
        steps = a.steps or max(500, 20_000 // n)
        frames = record_frames(n, steps)
        candles = not a.protocol_events
        one_pass(frames, candles)  # warm caches and compiled codecs
        best: dict[str, float] = {}
        for _ in range(a.repeat):
            run = one_pass(frames, candles)
            for k in ("parse", "route", "ack"):
                best[k] = min(best.get(k, run[k]), run[k])
        if a.profile:
            import cProfile

            cProfile.runctx(
                "one_pass(frames, candles)",
                globals(),
                {"frames": frames, "candles": candles},
                f"{a.profile}.{n}",
            )
        per = {k: v / len(frames) * 1e6 for k, v in best.items()}
        total = sum(per.values())
        print(
            json.dumps(
                {
                    "symbols": n,
                    "candles_as": "Candle" if candles else "CandleEvent",
                    "frames": len(frames),
                    "events_per_frame": round(run["events"] / len(frames), 2),
                    "orders": run["orders"],
                    "us_per_step": round(total, 2),
                    "us_parse": round(per["parse"], 2),
                    "us_route": round(per["route"], 2),
                    "us_ack": round(per["ack"], 2),
                    "steps_per_s_cpu": round(1e6 / total),
                }
            )
        )


if __name__ == "__main__":
    main()
