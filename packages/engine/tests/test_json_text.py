"""Pins `BacktestVenue.next_wire` to the codec: the same run gives the same batches, byte for byte,
as `next_batch` followed by `codec.encode`, for candles, quotes and order events alike."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.engine import BacktestVenue, from_arrays
from tradewire.engine.json_text import ns_text
from tradewire.protocol import codec
from tradewire.protocol import messages as m


def _bar_series(
    symbol: str, start_ns: int, step_ns: int, prices: list[int], decimals: int, volumes: list[float]
) -> Any:
    n = len(prices)
    ts = np.array([start_ns + i * step_ns for i in range(n)], dtype="datetime64[ns]")
    unit = 10**decimals
    close = np.array([p / unit for p in prices])
    high = close + 2 / unit
    low = close - 1 / unit
    return from_arrays(
        symbol,
        ts,
        open=close,
        high=high,
        low=low,
        close=close,
        volume=np.array(volumes),
        timeframe="1m",
        price_decimals=decimals,
    )


def _quote_series(symbol: str, start_ns: int, step_ns: int, bids: list[int], sizes: bool) -> Any:
    n = len(bids)
    ts = np.array([start_ns + i * step_ns for i in range(n)], dtype="datetime64[ns]")
    bid = np.array([b / 100 for b in bids])
    ask = bid + 0.03
    extra = {"bid_size": np.full(n, 300.0), "ask_size": np.full(n, 0.0)} if sizes else {}
    return from_arrays(symbol, ts, bid=bid, ask=ask, price_decimals=2, **extra)


def _drive(venue: BacktestVenue, wire: bool) -> list[tuple[int, list[str], list[str | None]]]:
    """Every batch of the run as (step, texts, ids); a market buy at the second batch."""

    async def run() -> list[tuple[int, list[str], list[str | None]]]:
        out: list[tuple[int, list[str], list[str | None]]] = []
        while True:
            if wire:
                wb = venue.next_wire()
                got = None if wb is None else (wb.step, wb.texts, list(wb.event_ids))
            else:
                b = venue.next_batch()
                got = None if b is None else (b.step, [codec.encode(x).decode() for x in b.messages], None)
            if got is None:
                if venue.finished:
                    return out
                await asyncio.sleep(0)
                continue
            out.append(got)
            if len(out) == 2:
                await venue.submit_order(
                    m.SubmitOrderRequest(
                        symbol="AAA", side=m.Side.BUY, quantity="3", order_type=m.OrderType.MARKET
                    )
                )
            ids = [i for i in (got[2] or _ids(got[1])) if i is not None]
            await venue.ack(ids)

    return asyncio.run(run())


def _ids(texts: list[str]) -> list[str | None]:
    return [codec.to_dict(codec.decode_frame(t)).get("event_id") for t in texts]


@settings(max_examples=40, deadline=None)
@given(
    start_ns=st.integers(min_value=-(10**17), max_value=4 * 10**18).map(lambda n: n - n % 1000),
    step_ns=st.sampled_from([60 * 10**9, 1_000_123_000, 1_500_000, 7_000]),
    decimals=st.integers(min_value=0, max_value=6),
    prices=st.lists(st.integers(min_value=2, max_value=10**8), min_size=3, max_size=6),
    fractional_volume=st.booleans(),
    quote_sizes=st.booleans(),
)
def test_next_wire_writes_what_the_codec_writes(
    start_ns: int,
    step_ns: int,
    decimals: int,
    prices: list[int],
    fractional_volume: bool,
    quote_sizes: bool,
) -> None:
    volumes = [1000.25 if fractional_volume else 1000.0] * len(prices)

    def venue() -> BacktestVenue:
        return BacktestVenue(
            [
                _bar_series("AAA", start_ns, step_ns, prices, decimals, volumes),
                _quote_series("QQQ", start_ns + 1000, step_ns, [p % 10**6 + 1 for p in prices], quote_sizes),
            ],
            cash="1000000000000",
        )

    plain = _drive(venue(), wire=False)
    fast = _drive(venue(), wire=True)
    assert [(s, t) for s, t, _ in fast] == [(s, t) for s, t, _ in plain]
    assert [ids for _, _, ids in fast] == [_ids(t) for _, t, _ in plain]
    kinds = {codec.to_dict(codec.decode_frame(t))["type"] for _, texts, _ in fast for t in texts}
    assert {"candle", "quote", "order", "trade", "backtest_complete"} <= kinds


@given(st.integers(min_value=-(10**18), max_value=4 * 10**18))
def test_ns_text_is_the_codec_timestamp(ns: int) -> None:
    ns -= ns % 1000  # the simulation's instants are whole microseconds on the wire
    from tradewire.engine.core.timestamps import ns_to_dt

    assert ns_text(ns) == codec.timestamp_text(ns_to_dt(ns))
