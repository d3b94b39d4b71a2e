"""The comparison names the first instant that differs, the field and both values; equal runs pass."""

from __future__ import annotations

from typing import Any

from tradewire.sdk import Candle, Strategy
from tradewire.testkit.differential import (
    DataSet,
    Outcome,
    Snapshot,
    divergence,
    first_difference,
    first_divergence,
    run_inprocess,
)
from tradewire.testkit.differential.compare import ABSENT


def _snapshot(index: int, time: str, cash: str, positions: dict[str, Any] | None = None) -> Snapshot:
    state = {
        "cash": cash,
        "equity": cash,
        "account": None,
        "positions": positions or {},
        "position": {},
        "open_orders": {},
    }
    return Snapshot(index, time, "on_candle", "before", {"kind": "candle"}, state)


def test_first_difference_walks_in_order_and_is_exact_about_decimal_text() -> None:
    assert first_difference({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}) is None
    assert first_difference({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3]}) == ("b[1]", 2, 3)
    assert first_difference({"a": "1.0"}, {"a": "1.00"}) == ("a", "1.0", "1.00")
    assert first_difference({"a": 1}, {"a": 1, "z": 2}) == ("z", ABSENT, 2)
    assert first_difference([1], [1, 2]) == ("[1]", ABSENT, 2)
    assert first_difference({"a": 1}, {"a": True}) == ("a", 1, True)


def test_the_first_differing_instant_is_named_with_field_and_both_values() -> None:
    left = [
        _snapshot(0, "2024-01-01T00:00:00Z", "100"),
        _snapshot(1, "2024-01-01T00:01:00Z", "90", {"AAPL": {"current_price": "10.5"}}),
        _snapshot(2, "2024-01-01T00:02:00Z", "80"),
    ]
    right = [
        _snapshot(0, "2024-01-01T00:00:00Z", "100"),
        _snapshot(1, "2024-01-01T00:01:00Z", "90", {"AAPL": {"current_price": "10.6"}}),
        _snapshot(2, "2024-01-01T00:02:00Z", "70"),  # differs too, but later
    ]
    found = first_divergence(left, right)
    assert found is not None
    assert found.where.startswith("2024-01-01T00:01:00Z (record 1: on_candle")
    assert (found.field, found.left, found.right) == ("positions.AAPL.current_price", "10.5", "10.6")
    text = found.message("in-process", "wire")
    assert "differ first at 2024-01-01T00:01:00Z" in text and "'10.5'" in text and "'10.6'" in text
    assert first_divergence(left, left) is None


def test_a_run_that_stops_early_is_named_where_the_other_goes_on() -> None:
    longer = [_snapshot(0, "2024-01-01T00:00:00Z", "100"), _snapshot(1, "2024-01-01T00:01:00Z", "100")]
    found = first_divergence(longer[:1], longer)
    assert found is not None and found.where.startswith("2024-01-01T00:01:00Z (record 1")
    assert found.left is ABSENT and found.right == "on_candle before at 2024-01-01T00:01:00Z"


class _SecondInstanceBuysLater(Strategy):
    """Buys on its 5th candle, except the second instance made, which buys on its 6th (one class,
    one data set: the only way to make two runs differ on purpose without touching a transport)."""

    symbols = ("AAPL", "MSFT")
    made = 0

    def on_start(self) -> None:
        type(self).made += 1
        self.when = 10 if type(self).made == 1 else 12  # two symbols: two candles per instant
        self.n = 0

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        if self.n == self.when:
            self.buy("AAPL", 3)


def test_two_real_runs_that_part_are_named_at_the_first_instant_that_shows_it() -> None:
    # two in-process runs, so nothing but the strategy's own choice differs
    data = DataSet.synthetic(("AAPL", "MSFT"), 30, seed=3)
    _SecondInstanceBuysLater.made = 0
    first = run_inprocess(_SecondInstanceBuysLater(), data)
    second = run_inprocess(_SecondInstanceBuysLater(), data)
    found = divergence(first, second)
    assert found is not None
    # the first run bought on the 00:04 bar (delivered at 00:05); it fills at the next open and the
    # next delivery, 00:06, is the first state that differs: cash goes first in a snapshot
    assert found.where == "2024-01-01T00:06:00Z (record 22: on_candle bar AAPL, before the handler)"
    assert (found.field, found.left, found.right) == ("cash", "99700.99", "100000.00")
    assert divergence(first, run_inprocess_again(data)) is None  # the same choice: nothing to name


def run_inprocess_again(data: DataSet) -> Outcome:
    _SecondInstanceBuysLater.made = 0
    return run_inprocess(_SecondInstanceBuysLater(), data)
