"""Refused orders (no funds for the size, unknown symbol) are events both ways, and the run goes on.

Issue 14, defect 3: before the SDK's refusal handling, the first refusal raised and ended the run.
"""

from __future__ import annotations

from typing import Any

import pytest

from tradewire.protocol import messages as m
from tradewire.sdk import Candle, Strategy
from tradewire.testkit.differential import DataSet, check


class Overreach(Strategy):
    """Orders far beyond its cash, then for a symbol the venue does not list, then a sane one."""

    symbols: Any = ("AAPL",)

    def on_start(self) -> None:
        self.n = 0
        self.handles: list[tuple[str, str]] = []

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        handle = None
        if self.n == 3:
            handle = self.buy(bar.symbol, 10_000_000)
        elif self.n == 5:
            handle = self.buy("NOPE", 1)
        elif self.n == 7:
            handle = self.buy(bar.symbol, 5)
        if handle is not None:
            self.handles.append((handle.id, handle.status.name))


class OverreachWithEvents(Overreach):
    """The same, with an order handler (the event-by-event path in-process)."""

    def on_order(self, event: m.OrderEvent) -> None:
        self.handles.append(("event", event.event.name))


def _handles(strategy: Strategy) -> list[tuple[str, str]]:
    assert isinstance(strategy, Overreach)
    return strategy.handles


@pytest.mark.parametrize("cls", [Overreach, OverreachWithEvents], ids=["candles-only", "order-events"])
@pytest.mark.parametrize("symbols", [("AAPL",), ("AAPL", "MSFT")], ids=["1-symbol", "2-symbols"])
def test_refusals_are_the_same_both_ways_and_the_run_goes_on(
    cls: type[Overreach], symbols: tuple[str, ...]
) -> None:
    data = DataSet.synthetic(symbols, 20, seed=5)
    local, remote = check(cls, data, extra=_handles, symbols=symbols)
    assert local.error is None and remote.error is None
    statuses = [status for ident, status in _handles(local.strategy) if ident != "event"]
    assert statuses[:2] == ["REJECTED", "REJECTED"] and statuses[2] != "REJECTED"
    assert local.result is not None and local.result.trades  # the sane order filled after two refusals
    if cls is OverreachWithEvents:
        assert ("event", "ORDER_REJECTED") in _handles(local.strategy)
