"""Recording changes nothing the strategy or the runtime sees: same class, same routes, same results."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from differential_scripts import EVERY_ACTION

from tradewire.sdk import Candle, Strategy, backtest, on
from tradewire.sdk.loader import load_strategy_class
from tradewire.sdk.router import Router
from tradewire.testkit.differential import DataSet, record
from tradewire.testkit.differential.scripted import strategy_class

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _routed_rotation() -> type[Strategy]:
    """The rotation example with its rebalancing on an `@on.candle` route of its own."""
    rotation: Any = load_strategy_class(EXAMPLES / "multi_symbol_rotation.py")

    class RoutedRotation(rotation):  # type: ignore[misc]
        def on_candle(self, bar: Candle) -> None:
            self.closes[bar.symbol].append(bar.close)
            self.last_price[bar.symbol] = bar.decimal("close")

        @on.candle("AAPL")
        def rebalance_on_aapl(self, bar: Candle) -> None:
            self.rebalance()

    return RoutedRotation


def test_recording_leaves_routes_class_and_results_unchanged() -> None:
    cls = _routed_rotation()
    plain = backtest(cls(), sample=True)
    recorded = cls()
    recording = record(recorded)
    assert type(recorded) is cls
    result = backtest(recorded, sample=True)
    assert result.trade_dicts() == plain.trade_dicts() and result.account == plain.account
    handlers = {s.handler for s in recording.snapshots}
    assert {"on_start", "on_candle", "rebalance_on_aapl", "on_stop"} <= handlers  # @on.candle routes too
    assert [s.phase for s in recording.snapshots[:2]] == ["before", "after"]


def test_recording_a_one_symbol_candle_strategy_changes_no_fill() -> None:
    # the in-process fast path: chosen from the class, which recording must not change
    cls = strategy_class("helper", False)
    params = {"symbols": ("AAPL",), "script": EVERY_ACTION}
    data = DataSet.synthetic(("AAPL",), 120, seed=7)
    with data.files() as files:
        plain = backtest(cls(**params), files[0])
        recorded = cls(**params)
        recording = record(recorded)
        result = backtest(recorded, files[0])
    assert plain.trade_dicts() and result.trade_dicts() == plain.trade_dicts()
    assert len(recording) == 2 * (120 + 2)  # before and after every candle, on_start and on_stop


def test_async_handlers_stay_async() -> None:
    class Async(Strategy):
        async def on_candle(self, bar: Candle) -> None:
            await asyncio.sleep(0)

    strategy = Async()
    record(strategy)
    assert Router(strategy).has_async and Router(strategy).simple_candle is None
    plain = Async()
    record_free = Router(plain)
    assert record_free.has_async and record_free.simple_candle is None
