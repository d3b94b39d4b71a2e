"""Marking: every position at its symbol's last close and equity = balance + holdings, at every snapshot."""

from __future__ import annotations

from typing import Any

from tradewire.testkit.differential import Snapshot
from tradewire.testkit.differential.invariants import unmarked


def _candle(index: int, time: str, close: str) -> Snapshot:
    state = {"account": None, "positions": {}, "position": {}}
    return Snapshot(
        index,
        time,
        "on_candle",
        "before",
        {"kind": "candle", "bar": {"symbol": "AAPL", "close": close}},
        state,
    )


def _holding(index: int, time: str, price: str, balance: str, equity: str) -> Snapshot:
    state: dict[str, Any] = {
        "account": {"balance": balance, "equity": equity},
        "positions": {"AAPL": {"current_price": price}},
        "position": {"AAPL": "-2"},
    }
    return Snapshot(index, time, "on_order", "before", {"kind": "OrderEvent"}, state)


def test_a_position_marked_at_the_last_close_passes() -> None:
    snaps = [_candle(0, "t1", "10.00"), _holding(1, "t1", "10.00", "120", "100.00"), _candle(2, "t2", "11")]
    snaps.append(_holding(3, "t2", "11.00", "120", "98"))
    assert unmarked(snaps) is None


def test_a_stale_mark_is_named_with_the_instant() -> None:
    snaps = [_candle(0, "t1", "10.00"), _candle(1, "t2", "11.00"), _holding(2, "t2", "10.00", "120", "100")]
    found = unmarked(snaps)
    assert found is not None
    assert found.where.startswith("t2 (record 2: on_order")
    assert (found.field, found.left, found.right) == ("positions.AAPL.current_price", "10.00", "11.00")


def test_equity_that_misses_the_holdings_is_named() -> None:
    found = unmarked([_candle(0, "t1", "10"), _holding(1, "t1", "10", "120", "120")])
    assert found is not None and (found.field, found.left, found.right) == ("account.equity", "120", "100")
