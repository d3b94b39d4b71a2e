"""A refused order is an event, a warning and a REJECTED handle, and the run goes on: in-process and over the wire."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk import Candle, OrderRejected, Strategy, SymbolNotFound, backtest, run
from tradewire.sdk.failures import StrategyError
from tradewire.testkit.differential.ids import without_run


class Refused(Strategy):
    """Places an order far beyond its cash, one in an unknown symbol, a valid one, and notes what it sees."""

    symbols = ("AAPL",)
    timeframe = "1d"

    def on_start(self) -> None:
        self.n = 0
        self.handles: list[tuple[str, str]] = []
        self.events: list[tuple[str, str, str, str, str]] = []

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        handle = None
        if self.n == 3:
            handle = self.buy("AAPL", 10_000_000)
        elif self.n == 4:
            handle = self.buy("NOPE", 1)
        elif self.n == 5:
            handle = self.buy("AAPL", 0, limit="-1")
        elif self.n == 6:
            handle = self.buy("AAPL", 10)
        if handle is not None:
            self.handles.append((codec.enum_spelling(handle.status), handle.id and "id"))

    def on_order(self, event: m.OrderEvent) -> None:
        o = event.order
        assert o is not None and event.timestamp is not None
        reason = codec.enum_spelling(o.reject_reason) if o.reject_reason is not None else ""
        self.events.append(
            (
                codec.enum_spelling(event.event),
                o.symbol,
                reason,
                o.id and "id",
                codec.timestamp_text(event.timestamp),
            )
        )


class RefusedFast(Refused):
    """No event handler: the in-process run takes its fast path; refusals must not end it either."""

    on_order = Strategy.on_order  # type: ignore[assignment]


EXPECTED_HANDLES = [("REJECTED", "id"), ("REJECTED", ""), ("REJECTED", ""), ("PENDING", "id")]


def _rejections(events: list[tuple[str, str, str, str, str]]) -> list[tuple[str, str, str, str, str]]:
    return [e for e in events if e[0] == "ORDER_REJECTED"]


def test_a_refused_order_is_an_event_and_the_run_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    strategy = Refused()
    with caplog.at_level(logging.WARNING, logger="tradewire.strategy"):
        result = backtest(strategy, sample=True)
    assert [h[0] for h in strategy.handles[:3]] == ["REJECTED"] * 3
    assert strategy.handles[3][0] != "REJECTED"
    assert [h[1] for h in strategy.handles] == ["id", "", "", "id"]
    rejected = _rejections(strategy.events)
    assert [(e[1], e[2], e[3]) for e in rejected] == [
        ("AAPL", "INSUFFICIENT_MARGIN", "id"),
        ("NOPE", "SYMBOL_NOT_TRADEABLE", ""),
        ("AAPL", "INVALID_QUANTITY", ""),
    ]
    assert len(result.trade_dicts()) == 1  # the valid order filled: the run went on
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert warnings[0].startswith(rejected[0][4] + " order refused: BUY 10000000 AAPL MARKET")
    assert "Symbol not found: NOPE" in warnings[1]


def test_the_fast_path_goes_on_too() -> None:
    strategy = RefusedFast()
    result = backtest(strategy, sample=True)
    assert [h[0] for h in strategy.handles[:3]] == ["REJECTED"] * 3
    assert len(result.trade_dicts()) == 1


def test_refusals_over_the_wire_are_the_same_events_and_handles(gateway: Any) -> None:
    local = Refused()
    local_result = backtest(local, sample=True)
    remote = Refused()
    with gateway("--platform", "backtest") as url:
        remote_result = run(remote, platform="backtest", gateway=url)
    assert remote.handles == local.handles
    assert remote.events == local.events
    assert without_run(remote_result.trade_dicts(), remote_result.run_id) == local_result.trade_dicts()


def test_strict_raises_the_venues_error(gateway: Any) -> None:
    """Strict: the venue's error is raised in the handler, so the run ends as on any handler error."""
    with pytest.raises(StrategyError) as failed:
        backtest(Refused(), sample=True, strict=True)
    assert isinstance(failed.value.error, OrderRejected)
    assert failed.value.result is not None and failed.value.result.partial
    with pytest.raises(StrategyError) as failed:
        backtest(RefusedFast(), sample=True, strict=True)
    assert isinstance(failed.value.error, OrderRejected)

    class UnknownFirst(Refused):
        def on_start(self) -> None:
            super().on_start()
            self.n = 3

    with pytest.raises(StrategyError) as failed:
        backtest(UnknownFirst(), sample=True, strict=True)
    assert isinstance(failed.value.error, SymbolNotFound)
    with gateway("--platform", "backtest") as url, pytest.raises(StrategyError) as failed:
        run(Refused(), platform="backtest", gateway=url, strict=True)
    assert isinstance(failed.value.error, OrderRejected)


class OrdersAtStart(Strategy):
    """Orders placed in on_start: one the venue will refuse at its fill, one it fills."""

    symbols = ("AAPL",)
    timeframe = "1d"

    def on_start(self) -> None:
        self.seen: list[tuple[str, str, str]] = []
        self.buy("AAPL", 10_000_000)
        self.buy("AAPL", 5)

    def on_order(self, event: m.OrderEvent) -> None:
        assert event.order is not None and event.timestamp is not None
        self.seen.append(
            (codec.enum_spelling(event.event), event.order.quantity, codec.timestamp_text(event.timestamp))
        )

    def on_candle(self, bar: Candle) -> None:
        if len(self.seen) < 8:
            self.seen.append(("candle", bar.symbol, codec.timestamp_text(bar.time)))


def test_orders_placed_in_on_start_are_delivered_before_the_first_instant(gateway: Any) -> None:
    local, remote = OrdersAtStart(), OrdersAtStart()
    backtest(local, sample=True)
    with gateway("--platform", "backtest") as url:
        run(remote, platform="backtest", gateway=url)
    assert [e[0] for e in local.seen[:3]] == ["ORDER_CREATED", "ORDER_CREATED", "candle"]
    assert local.seen == remote.seen
