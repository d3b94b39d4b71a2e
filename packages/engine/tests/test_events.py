"""Pins the event stream the engine emits (spec events.md): types, order for one fill, event ids,
envelope timestamps, and the exact wire JSON of each event kind."""

from __future__ import annotations

import json

from tradewire.engine import Backtest
from tradewire.protocol import codec

ROWS = [
    ("180.10", "180.44", "180.02", "180.31", "51200"),
    ("180.30", "180.90", "180.20", "180.80", "40000"),
    ("180.80", "181.00", "180.50", "180.60", "30000"),
]


def log_of(data, strategy, **cfg):
    out = []
    Backtest(data, event_log=out.append, **cfg).run(strategy)
    return [json.loads(codec.encode(m)) for m in out]


def test_candle_matches_the_spec_example(bars):
    log = log_of(bars("AAPL", ROWS), None)
    assert log[0] == {
        "type": "candle",
        "bar": {
            "symbol": "AAPL",
            "provider": "backtest",
            "timeframe": "1m",
            "timestamp": "2024-03-01T14:30:00Z",
            "open": "180.10",
            "high": "180.44",
            "low": "180.02",
            "close": "180.31",
            "volume": "51200",
        },
        "timestamp": "2024-03-01T14:31:00Z",
        "event_id": "evt-1",
    }
    assert log[-1] == {
        "type": "backtest_complete",
        "broker": "backtest",
        "timestamp": "2024-03-01T14:33:00Z",
        "event_id": "evt-4",
    }


def test_one_fill_emits_order_trade_position_account_in_order(bars, script):
    s = script({0: lambda bt: bt.buy("AAPL", 10)})
    log = log_of(bars("AAPL", ROWS), s, cash="100000")
    types = [(e["type"], e.get("event")) for e in log]
    assert types == [
        ("candle", None),
        ("order", "ORDER_CREATED"),
        ("candle", None),
        ("order", "ORDER_FILLED"),
        ("trade", "TRADE_FILLED"),
        ("position", "POSITION_OPENED"),
        ("account", "BALANCE_UPDATED"),
        ("candle", None),
        ("backtest_complete", None),
    ]
    assert [e["event_id"] for e in log] == [f"evt-{i}" for i in range(1, 10)]
    created, filled, trade, pos, acct = log[1], log[3], log[4], log[5], log[6]
    assert created["timestamp"] == "2024-03-01T14:31:00Z"  # placed while step 1 was held
    assert created["order"]["status"] == "OPEN" and created["order"]["filled_quantity"] == "0"
    assert filled["timestamp"] == "2024-03-01T14:32:00Z"
    assert filled["order"] | {"correlation_id": "x"} == {
        "id": "ord-000001",
        "symbol": "AAPL",
        "side": "BUY",
        "order_type": "MARKET",
        "quantity": "10",
        "filled_quantity": "10",
        "remaining_quantity": "0",
        "average_fill_price": "180.30",
        "status": "FILLED",
        "time_in_force": "GTC",
        "correlation_id": "x",
        "created_at": "2024-03-01T14:31:00Z",
        "updated_at": "2024-03-01T14:32:00Z",
    }
    assert trade["trade"] == {
        "id": "trd-000001",
        "order_id": "ord-000001",
        "symbol": "AAPL",
        "side": "BUY",
        "quantity": "10",
        "price": "180.30",
        "commission": "0.00",
        "commission_currency": "USD",
        "is_maker": False,
        "timestamp": "2024-03-01T14:32:00Z",
    }
    assert pos["position"] == {
        "id": "pos-AAPL",
        "symbol": "AAPL",
        "side": "LONG",
        "quantity": "10",
        "average_entry_price": "180.30",
        "current_price": "180.80",
        "unrealized_pnl": "5.00",
        "realized_pnl": "0.00",
        "opened_at": "2024-03-01T14:32:00Z",
        "updated_at": "2024-03-01T14:32:00Z",
    }
    assert acct["account"] == {
        "balance": "98197.00",
        "equity": "100005.00",
        "margin_used": "1808.00",
        "margin_available": "98197.00",
        "unrealized_pnl": "5.00",
        "currency": "USD",
    }


def test_position_closed_reports_last_state_with_zero_quantity(bars, script):
    s = script({0: lambda bt: bt.buy("AAPL", 10), 1: lambda bt: bt.sell("AAPL", 10)})
    log = log_of(bars("AAPL", ROWS), s)
    closed = [e for e in log if e.get("event") == "POSITION_CLOSED"]
    assert len(closed) == 1
    p = closed[0]["position"]
    assert (p["side"], p["quantity"], p["average_entry_price"], p["realized_pnl"]) == (
        "LONG",
        "0",
        "180.30",
        "5.00",
    )


def test_event_ids_are_unique_and_increasing_across_steps(bars, script):
    s = script(
        {0: lambda bt: bt.buy("AAPL", 1), 1: lambda bt: bt.buy("AAPL", 1), 2: lambda bt: bt.sell("AAPL", 1)}
    )
    log = log_of(bars("AAPL", ROWS), s)
    ids = [int(e["event_id"][4:]) for e in log]
    assert ids == list(range(1, len(log) + 1))
    stamps = [e["timestamp"] for e in log]
    assert stamps == sorted(stamps)


def test_rejected_order_event_carries_the_reason(bars, script):
    s = script({0: lambda bt: bt.buy("AAPL", 1_000_000)})
    log = log_of(bars("AAPL", ROWS), s, cash="1000")
    rej = [e for e in log if e.get("event") == "ORDER_REJECTED"]
    assert len(rej) == 1
    assert (
        rej[0]["order"]["status"] == "REJECTED" and rej[0]["order"]["reject_reason"] == "INSUFFICIENT_MARGIN"
    )
    assert type(s.errors[0]).__name__ == "OrderRejected"
    assert s.errors[0].details["reject_code"] == "INSUFFICIENT_FUNDS"
