"""Pins the fill model (core.matching + kernel): which bar or quote an order trades on, at what price,
and how TIF, participation and triggers behave. Prices are exact decimals."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from tradewire.engine import from_arrays

ROWS = [
    ("100.00", "101.00", "99.00", "100.50"),
    ("100.80", "102.00", "100.20", "101.50"),
    ("101.00", "101.20", "98.00", "98.50"),
    ("97.00", "99.00", "96.50", "98.00"),
]


def fills(res):
    return [(f.side, f.quantity, f.price) for f in res.fills]


def test_market_order_fills_at_next_bar_open(bars, run):
    _, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 10)})
    assert fills(res) == [("BUY", Decimal(10), Decimal("100.80"))]
    # reported at the step that revealed the open: the end of bar 1
    assert res.fills[0].time_ns == np.datetime64("2024-03-01T14:32:00", "ns").astype(int)


def test_market_order_fills_at_close_when_configured(bars, run):
    _, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 10)}, fill_at="close")
    assert fills(res) == [("BUY", Decimal(10), Decimal("100.50"))]


def test_buy_limit_waits_for_the_low_and_fills_at_the_limit(bars, run):
    _, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 5, "LIMIT", limit_price="100.00")})
    assert fills(res) == [("BUY", Decimal(5), Decimal("100.00"))]
    assert res.fills[0].is_maker is True


def test_buy_limit_gapped_through_fills_at_the_open(bars, run):
    _, res = run(bars("AAPL", ROWS), {1: lambda bt: bt.buy("AAPL", 5, "limit", limit_price="101.50")})
    assert fills(res) == [("BUY", Decimal(5), Decimal("101.00"))]
    assert res.fills[0].is_maker is False


def test_buy_stop_triggers_on_the_high(bars, run):
    _, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 1, "STOP", stop_price="101.50")})
    assert fills(res) == [("BUY", Decimal(1), Decimal("101.50"))]


def test_sell_stop_gap_fills_at_the_open(bars, run):
    _, res = run(bars("AAPL", ROWS), {2: lambda bt: bt.sell("AAPL", 1, "STOP", stop_price="98.00")})
    assert fills(res) == [("SELL", Decimal(1), Decimal("97.00"))]


def test_stop_limit_triggers_then_respects_the_limit(bars, run):
    _, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: bt.buy("AAPL", 1, "STOP_LIMIT", stop_price="101.50", limit_price="101.60"),
            1: lambda bt: bt.sell("AAPL", 1, "STOP_LIMIT", stop_price="99.00", limit_price="98.80"),
        },
    )
    assert fills(res) == [("BUY", Decimal(1), Decimal("101.50")), ("SELL", Decimal(1), Decimal("99.00"))]


def test_stop_limit_triggered_but_limit_unreachable_keeps_working(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {
            2: lambda bt: bt.sell("AAPL", 1, "STOP_LIMIT", stop_price="98.00", limit_price="99.50"),
        },
    )
    assert fills(res) == []  # bar 3 gaps to 97 (trigger) but never trades back to 99.50
    assert s.kinds() == ["order:ORDER_CREATED", "backtest_complete"]


def test_trailing_stop_absolute_follows_the_high(bars, run):
    _, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: (
                bt.buy("AAPL", 100),
                bt.sell("AAPL", 100, "TRAILING_STOP", trailing_distance="1.00", trailing_type="ABSOLUTE"),
            )
        },
    )
    # anchor 100.50 (last close) -> bar 1 high 102.00 moves the stop to 101.00 -> bar 2 opens at 101.00
    assert fills(res) == [("BUY", Decimal(100), Decimal("100.80")), ("SELL", Decimal(100), Decimal("101.00"))]


def test_trailing_stop_percent(bars, run):
    _, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: (
                bt.buy("AAPL", 100),
                bt.sell("AAPL", 100, "TRAILING_STOP", trailing_distance="1", trailing_type="percent"),
            )
        },
    )
    # 1 % below the 102.00 high is 100.98 (rounded to the tick, away from the trader)
    assert fills(res)[1] == ("SELL", Decimal(100), Decimal("100.98"))


def test_quotes_buy_at_ask_sell_at_bid_immediately(run):
    ts = np.datetime64("2024-03-01T14:30:00", "ns") + np.arange(3) * np.timedelta64(1, "s")
    q = from_arrays(
        "EUR/USD",
        ts,
        bid=np.array([1.1000, 1.1002, 1.1004]),
        ask=np.array([1.1002, 1.1004, 1.1006]),
        bid_size=np.array([5e5, 5e5, 5e5]),
        ask_size=np.array([5e5, 5e5, 5e5]),
        price_decimals=4,
    )
    _, res = run(q, {0: lambda bt: bt.buy("EUR/USD", 1000), 2: lambda bt: bt.sell("EUR/USD", 1000)})
    assert fills(res) == [
        ("BUY", Decimal(1000), Decimal("1.1002")),
        ("SELL", Decimal(1000), Decimal("1.1004")),
    ]
    assert res.round_trips[0].pnl == Decimal("0.20")


def test_participation_splits_fills_over_bars(bars, run, script):
    s, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 250)}, participation="0.1")
    assert fills(res) == [
        ("BUY", Decimal(100), Decimal("100.80")),
        ("BUY", Decimal(100), Decimal("101.00")),
        ("BUY", Decimal(50), Decimal("97.00")),
    ]
    order_events = [e["event"] for e in s.payloads("order")]
    assert order_events == [
        "ORDER_CREATED",
        "ORDER_PARTIALLY_FILLED",
        "ORDER_PARTIALLY_FILLED",
        "ORDER_FILLED",
    ]
    assert s.payloads("order")[1]["order"]["remaining_quantity"] == "150"


def test_ioc_unfilled_expires_and_fok_refuses_partial(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: bt.buy("AAPL", 1, "LIMIT", limit_price="90.00", time_in_force="ioc"),
            1: lambda bt: bt.buy("AAPL", 500, "MARKET", time_in_force="FOK"),
        },
        participation="0.1",
    )
    assert fills(res) == []
    assert [e["event"] for e in s.payloads("order")] == [
        "ORDER_CREATED",
        "ORDER_EXPIRED",
        "ORDER_CREATED",
        "ORDER_EXPIRED",
    ]


def test_day_order_expires_at_the_next_utc_date(bars, run):
    rows = [("10.00", "10.10", "9.90", "10.00")] * 3
    data = bars("X", rows, timeframe="12h", start=np.datetime64("2024-03-01T00:00:00", "ns"), step_s=43_200)
    s, _ = run(data, {0: lambda bt: bt.buy("X", 1, "LIMIT", limit_price="5.00", time_in_force="DAY")})
    expired = [e for e in s.payloads("order") if e["event"] == "ORDER_EXPIRED"]
    assert len(expired) == 1 and expired[0]["timestamp"] == "2024-03-02T12:00:00Z"


@pytest.mark.parametrize("tif", ["GTC", "gtc"])
def test_gtc_limit_keeps_working_to_the_end(bars, run, tif):
    s, _ = run(
        bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 1, "LIMIT", limit_price="50.00", time_in_force=tif)}
    )
    assert [e["event"] for e in s.payloads("order")] == ["ORDER_CREATED"]


def test_bars_and_quotes_of_one_symbol_share_an_instrument(bars, run):
    b = bars("AAPL", [("100.00", "101.00", "99.00", "100.50")] * 2)
    qt = np.datetime64("2024-03-01T14:31:30", "ns")
    q = from_arrays("AAPL", np.array([qt]), bid=np.array([100.40]), ask=np.array([100.60]), price_decimals=2)
    _, res = run([b, q], {1: lambda bt: bt.buy("AAPL", 1)})
    # step 1 = bar 0 end (14:31), step 2 = the quote (14:31:30): a market buy there takes the ask at once
    assert [(f.price, f.time_ns) for f in res.fills] == [(Decimal("100.60"), int(qt.astype(np.int64)))]


def test_day_order_on_quotes_expires_at_the_next_utc_date(run):
    ts = np.array(
        ["2024-03-01T23:59:00", "2024-03-01T23:59:30", "2024-03-02T00:00:10"], dtype="datetime64[ns]"
    )
    q = from_arrays(
        "X", ts, bid=np.array([10.00, 10.00, 9.00]), ask=np.array([10.02, 10.02, 9.02]), price_decimals=2
    )
    s, res = run(q, {0: lambda bt: bt.buy("X", 1, "LIMIT", limit_price="9.50", time_in_force="DAY")})
    assert res.fills == []  # the 9.02 ask comes on the next day, after the DAY order expired
    assert [e["event"] for e in s.payloads("order")] == ["ORDER_CREATED", "ORDER_EXPIRED"]
