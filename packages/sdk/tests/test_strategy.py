"""Pins the Strategy seam in-process: handler order, state-before-handlers, routing, async handlers, errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tradewire.protocol import messages as m
from tradewire.sdk import Candle, InsufficientFunds, Strategy, StrategyError, backtest, on


def _data(symbols: tuple[str, ...] = ("AAA",), bars: int = 50) -> list[Any]:
    from tradewire.engine import synthetic_bars

    return [synthetic_bars(s, bars, seed=3, timeframe="1m") for s in symbols]


class Recorder(Strategy):
    """Buys on the 3rd bar and records what it sees."""

    def on_start(self) -> None:
        self.seen: list[str] = []
        self.n = 0

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        self.seen.append(f"candle {self.n} pos={self.position(bar.symbol)}")
        if self.n == 3:
            handle = self.buy(bar.symbol, 5)
            assert handle.client_order_id and handle.id

    def on_order(self, event: m.OrderEvent) -> None:
        self.seen.append(f"order {event.event.name}")

    def on_trade(self, event: m.TradeEvent) -> None:
        self.seen.append(f"trade {event.trade.quantity}")

    def on_position(self, event: m.PositionEvent) -> None:
        self.seen.append(f"position {event.event.name} {event.position.quantity}")

    async def on_account(self, event: m.AccountEvent) -> None:  # async handlers are awaited
        self.seen.append(f"account {event.event.name}")

    def on_stop(self) -> None:
        self.seen.append("stop")


def test_events_arrive_in_wire_order_and_state_leads_handlers() -> None:
    s = Recorder()
    result = backtest(s, _data(bars=6))
    assert s.seen[:9] == [
        "candle 1 pos=0",
        "candle 2 pos=0",
        "candle 3 pos=0",
        "order ORDER_CREATED",
        # the fill at the 4th bar's open is in that instant's delivery: state first, then handlers
        "candle 4 pos=5",
        "order ORDER_FILLED",
        "trade 5",
        "position POSITION_OPENED 5",
        "account BALANCE_UPDATED",
    ]
    assert s.seen[-1] == "stop"
    assert result.entries == 1 and result.transport == "inprocess"
    assert s.position("AAA") == 5 and "AAA" in s.positions


class Routed(Strategy):
    symbols = ("AAA", "BBB")

    def on_start(self) -> None:
        self.all: list[str] = []
        self.b_only: list[str] = []

    def on_candle(self, bar: Candle) -> None:
        self.all.append(bar.symbol)

    @on.candle("BBB")
    def bbb(self, bar: Candle) -> None:
        self.b_only.append(bar.symbol)


def test_routing_by_symbol_and_strategy_symbols_filter() -> None:
    s = Routed()
    backtest(s, _data(("AAA", "BBB", "CCC"), bars=5))
    assert sorted(set(s.all)) == ["AAA", "BBB"] and len(s.all) == 10
    assert s.b_only == ["BBB"] * 5


class Greedy(Strategy):
    def on_candle(self, bar: Candle) -> None:
        self.error: Exception | None = None
        try:
            self.buy(bar.symbol, 10_000_000)
        except InsufficientFunds as e:
            self.error = e


def test_insufficient_funds_is_typed() -> None:
    """With strict=True a refusal is raised in the handler, as the SDK's most specific type."""
    s = Greedy()
    backtest(s, _data(bars=3), strict=True)
    assert isinstance(s.error, InsufficientFunds)


class Params(Strategy):
    fast = 10
    quantity = Decimal("1")


def test_parameters_override_class_attributes() -> None:
    assert Params(fast=5).fast == 5 and Params().fast == 10
    with pytest.raises(TypeError):
        Params(nope=1)
    with pytest.raises(RuntimeError):
        Params().buy("AAA", 1)  # orders only while running


def test_floats_are_refused_as_quantities() -> None:
    class FloatQty(Strategy):
        def on_candle(self, bar: Candle) -> None:
            self.buy(bar.symbol, 1.5)

    with pytest.raises(StrategyError) as failed:
        backtest(FloatQty(), _data(bars=2))
    assert isinstance(failed.value.error, TypeError)  # a programming error, never a refusal


def test_candle_values_and_exact_bar() -> None:
    got: list[Candle] = []

    class Keep(Strategy):
        def on_candle(self, bar: Candle) -> None:
            got.append(bar)

    backtest(Keep(), _data(bars=3))
    first = got[0]
    assert first.exact.close == format(first.decimal("close"), "f")
    assert float(first.exact.open) == first.open and first.low <= first.close <= first.high
    assert got[0].ts < got[1].ts  # a fresh object per bar, safe to keep


class Worker(Strategy):
    """Rests a limit order, moves it, cancels it; reads history; closes a position."""

    def on_start(self) -> None:
        self.n = 0
        self.events: list[str] = []
        self.history_len = -1

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        if self.n == 2:
            self.order_id = self.buy(bar.symbol, 1, limit="1.00").id
            self.history_len = len(self.history(bar.symbol, 10))
        elif self.n == 3:
            self.modify_order(self.order_id, limit_price="2.00")
        elif self.n == 4:
            self.cancel_order(self.order_id)
            self.buy(bar.symbol, 2)
        elif self.n == 6:
            self.close_position(bar.symbol)

    def on_order(self, event: m.OrderEvent) -> None:
        self.events.append(event.event.name)


def test_order_helpers_modify_cancel_close_and_history() -> None:
    s = Worker()
    result = backtest(s, _data(bars=10))
    assert s.events == [
        "ORDER_CREATED",
        "ORDER_MODIFIED",
        "ORDER_CANCELLED",
        "ORDER_CREATED",
        "ORDER_FILLED",
        "ORDER_CREATED",
        "ORDER_FILLED",
    ]
    assert s.history_len == 2  # the bars completed by now (this one included): never the future
    assert s.position("AAA") == 0 and result.entries == 1 and result.exits == 1


class EquityWatcher(Strategy):
    """Trades every 7th bar and records what its state says on every bar."""

    def on_start(self) -> None:
        self.n = 0
        self.seen: list[tuple[str, str, list[str]]] = []

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        account = self.account
        assert account is not None
        self.seen.append(
            (account.equity, account.balance, sorted(p.quantity for p in self.positions.values()))
        )
        if self.n % 7 == 0:
            if self.position(bar.symbol):
                self.sell(bar.symbol, self.position(bar.symbol))
            else:
                self.buy(bar.symbol, 3)


class EquityWatcherWithEvents(EquityWatcher):
    def on_trade(self, event: m.TradeEvent) -> None:  # any trading handler selects the general path
        pass


def test_fast_path_state_equals_event_built_state() -> None:
    fast, general = EquityWatcher(), EquityWatcherWithEvents()
    backtest(fast, _data(bars=60))
    backtest(general, _data(bars=60))
    assert fast.seen == general.seen
    assert len({s[0] for s in fast.seen}) > 2  # the account did change along the way


def test_orders_sized_by_notional_reach_the_engine_in_process() -> None:
    """The in-process transport passes `notional` through, by keywords and in a request alike."""

    class Notional(Strategy):
        def on_start(self) -> None:
            self.orders: list[m.Order] = []

        def on_candle(self, bar: Candle) -> None:
            if not self.orders and self.position(bar.symbol) == 0:
                self.submit_order(symbol=bar.symbol, side="BUY", order_type="MARKET", notional="500")
                request = m.SubmitOrderRequest(
                    symbol=bar.symbol, side=m.Side.BUY, order_type=m.OrderType.MARKET, notional="250"
                )
                self.submit_order(request)

        def on_order(self, event: m.OrderEvent) -> None:
            if event.event == m.OrderEventType.ORDER_FILLED:
                self.orders.append(event.order)

    s = Notional()
    backtest(s, _data(bars=5), strict=True)
    assert [o.notional for o in s.orders] == ["500.00", "250.00"]
    for o in s.orders:
        spent = Decimal(o.filled_quantity) * Decimal(o.average_fill_price or "0")
        assert Decimal(0) < spent <= Decimal(o.notional or "0")

    class FloatNotional(Strategy):
        def on_candle(self, bar: Candle) -> None:
            self.submit_order(symbol=bar.symbol, side="BUY", order_type="MARKET", notional=1.5)

    with pytest.raises(StrategyError) as failed:
        backtest(FloatNotional(), _data(bars=2))
    assert isinstance(failed.value.error, TypeError)
