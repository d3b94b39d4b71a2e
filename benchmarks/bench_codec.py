"""Codec benchmark: Candle (Bar) and CandleEvent encode+decode per second, ours beside betterproto2's to_json/from_json."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable

from tradewire.protocol import codec
from tradewire.protocol import messages as m


def sample_bar() -> m.Bar:
    return m.Bar(
        symbol="AAPL",
        provider="backtest",
        timeframe=m.Timeframe.M1,
        timestamp=dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC),
        open="180.10",
        high="180.44",
        low="180.02",
        close="180.31",
        volume="51200",
    )


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Operations per second of fn, measured in blocks until `seconds` have passed."""
    n, block, start = 0, 2000, time.perf_counter()
    while True:
        for _ in range(block):
            fn()
        n += block
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def measure(name: str, fn: Callable[[], object], runs: int, seconds: float) -> dict[str, float | str]:
    rates = [rate(fn, seconds) for _ in range(runs)]
    return {
        "case": name,
        "median_per_s": statistics.median(rates),
        "min_per_s": min(rates),
        "max_per_s": max(rates),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5)
    args = parser.parse_args()
    bar = sample_bar()
    event = m.CandleEvent(
        bar=bar, timestamp=dt.datetime(2024, 3, 1, 14, 31, tzinfo=dt.UTC), event_id="evt-412"
    )
    wrapped = codec.server_message(event)
    bar_wire, frame_wire = codec.encode(bar), codec.encode(event)
    bp2_bar, bp2_event = bar.to_json(), wrapped.to_json()
    assert codec.decode(m.Bar, bar_wire) == bar and m.Bar.from_json(bp2_bar) == bar

    # A real stream has a new bar time every step: cycle through more distinct instants than the
    # codec's timestamp memo holds, so the figure is not flattered by cache hits.
    start = bar.timestamp
    distinct = [
        m.Bar(
            symbol="AAPL",
            provider="backtest",
            timeframe=m.Timeframe.M1,
            timestamp=start + dt.timedelta(minutes=i),
            open="180.10",
            high="180.44",
            low="180.02",
            close="180.31",
            volume="51200",
        )
        for i in range(20_000)
    ]
    cursor = iter(())

    def next_bar() -> m.Bar:
        nonlocal cursor
        for b in cursor:
            return b
        cursor = iter(distinct)
        return next(cursor)

    cases = [
        ("tradewire Candle encode+decode", lambda: codec.decode(m.Bar, codec.encode(next_bar()))),
        ("tradewire Candle encode+decode, same instant", lambda: codec.decode(m.Bar, codec.encode(bar))),
        ("betterproto2 Candle to_json+from_json", lambda: m.Bar.from_json(bar.to_json())),
        ("tradewire CandleEvent frame encode+decode", lambda: codec.decode_frame(codec.encode(event))),
        ("betterproto2 CandleEvent to_json+from_json", lambda: m.ServerMessage.from_json(wrapped.to_json())),
        ("tradewire Candle encode", lambda: codec.encode(bar)),
        ("tradewire Candle decode", lambda: codec.decode(m.Bar, bar_wire)),
    ]
    results = [measure(name, fn, args.runs, args.seconds) for name, fn in cases]
    by = {r["case"]: float(r["median_per_s"]) for r in results}
    print(f"{'case':48} {'median/s':>12} {'min/s':>12} {'max/s':>12}")
    for r in results:
        print(f"{r['case']:48} {r['median_per_s']:>12,.0f} {r['min_per_s']:>12,.0f} {r['max_per_s']:>12,.0f}")
    ratio = by["tradewire Candle encode+decode"] / by["betterproto2 Candle to_json+from_json"]
    ratio_ev = (
        by["tradewire CandleEvent frame encode+decode"] / by["betterproto2 CandleEvent to_json+from_json"]
    )
    print(f"ratio Candle: {ratio:.1f}x betterproto2; CandleEvent frame: {ratio_ev:.1f}x")
    print(
        f"bytes: tradewire Candle {len(bar_wire)}, event frame {len(frame_wire)}; betterproto2 {len(bp2_bar)}, {len(bp2_event)}"
    )
    print("RESULT:" + json.dumps({"results": results, "ratio_candle": ratio, "ratio_event": ratio_ev}))
    target = 250_000
    if by["tradewire Candle encode+decode"] < target:
        print(
            f"below target: Candle encode+decode {by['tradewire Candle encode+decode']:,.0f}/s < {target:,}/s"
        )


if __name__ == "__main__":
    main()
