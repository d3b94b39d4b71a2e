"""LiveKernelVenue: the kernel on a random-walk clock — live batches, bar-path triggers, the walk's bars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tradewire.engine import BacktestConfig, LiveKernelVenue
from tradewire.protocol import codec
from tradewire.protocol import messages as m

START = dt.datetime(2026, 1, 5, 14, 30, tzinfo=dt.UTC)


def venue(**kw: object) -> LiveKernelVenue:
    return LiveKernelVenue(("AAPL", "BTC/USD"), seed=3, history_bars=50, start=START, **kw)  # type: ignore[arg-type]


def drain(v: LiveKernelVenue) -> list[dict]:
    out = []
    while not v._queue.empty():
        batch = v._queue.get_nowait()
        assert batch is not None and batch.step is None and batch.event_ids == []
        out.extend(codec.to_dict(msg) for msg in batch.messages)
    return out


async def test_a_tick_streams_candle_then_quote_per_symbol_without_event_ids():
    v = venue()
    v.tick()
    events = drain(v)
    body = {"candle": "bar", "quote": "quote"}
    assert [(e["type"], e[body[e["type"]]]["symbol"]) for e in events] == [
        ("candle", "AAPL"),
        ("quote", "AAPL"),
        ("candle", "BTC/USD"),
        ("quote", "BTC/USD"),
    ]
    assert all("event_id" not in e for e in events)
    candle, quote = events[0]["bar"], events[1]["quote"]
    assert candle["provider"] == quote["provider"] == "mock"
    assert quote["last"] == candle["close"] and Decimal(quote["bid"]) < Decimal(quote["ask"])
    assert events[0]["timestamp"] == "2026-01-05T14:31:00Z"  # the candle closes at the new minute


async def test_resting_limit_fills_at_its_limit_on_the_bar_that_reaches_it():
    v = venue()
    anchor = Decimal((await v.get_quote("AAPL")).last)
    limit = anchor - Decimal("0.40")
    h = await v.submit_order(
        m.SubmitOrderRequest(
            symbol="AAPL", side=m.Side.BUY, quantity="2", order_type=m.OrderType.LIMIT, limit_price=str(limit)
        )
    )
    assert h.status == m.OrderStatus.OPEN
    for _ in range(5000):
        v.tick()
        if (await v.get_order(h.id)).status == m.OrderStatus.FILLED:
            break
    order = await v.get_order(h.id)
    assert order.status == m.OrderStatus.FILLED
    bar = (await v.get_bars(m.GetBarsRequest(symbol="AAPL", timeframe=m.Timeframe.M1, limit=1)))[0]
    assert Decimal(bar.low) <= limit
    # a maker fill at the limit, or at the open when the bar gapped through it (as in a backtest)
    assert Decimal(order.average_fill_price) == min(limit, Decimal(bar.open))


async def test_capabilities_are_the_kernels_without_backtest_only_features():
    caps = await venue(config=BacktestConfig(account="cash")).capabilities()
    assert "backtest" not in caps.features and "market_control" not in caps.features
    assert m.OrderType.TRAILING_STOP not in caps.supported_order_types  # a cash account, as in a backtest
