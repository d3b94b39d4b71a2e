"""A placed order counts as working from the next delivery on, even when its events lag behind the
market data (a live stream can): a strategy that checks `open_orders` never places it twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk import Candle, Strategy
from tradewire.sdk.router import Router
from tradewire.sdk.transports.wire import placed_order

T0 = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)


def _candle(minute: int) -> m.CandleEvent:
    t = T0 + dt.timedelta(minutes=minute)
    bar = m.Bar(
        symbol="BTC/USD", provider="alpaca", timeframe=codec.parse_enum(m.Timeframe, "1m"), timestamp=t,
        open="100", high="101", low="99", close="100", volume="3",
    )  # fmt: skip
    return m.CandleEvent(bar=bar, timestamp=t)


def _request() -> m.SubmitOrderRequest:
    return m.SubmitOrderRequest(
        symbol="BTC/USD", side=m.Side.BUY, quantity="0.5", order_type=m.OrderType.LIMIT,
        limit_price="99.50", client_order_id="tw-1",
    )  # fmt: skip


def _event(order: m.Order, kind: m.OrderEventType, status: m.OrderStatus, filled: str) -> m.OrderEvent:
    now = order.quantity if status == m.OrderStatus.FILLED else filled
    updated = m.Order().from_dict(order.to_dict())
    updated.status, updated.filled_quantity = status, now
    updated.remaining_quantity = str(Decimal(order.quantity) - Decimal(now))
    return m.OrderEvent(event=kind, order=updated, timestamp=T0)


class Watcher(Strategy):
    symbols = ("BTC/USD",)

    def on_start(self) -> None:
        self.seen: list[list[str]] = []

    def on_candle(self, bar: Candle) -> None:
        self.seen.append(sorted(self.open_orders))


def _placed(strategy: Strategy) -> m.Order:
    handle = m.OrderHandle(id="ord-1", client_order_id="tw-1", status=m.OrderStatus.PENDING)
    order = placed_order(_request(), handle, T0)
    strategy.state.submitted(order)
    return order


def test_a_placed_order_is_working_at_the_next_candle_before_its_events() -> None:
    strategy, deliveries = Watcher(), []
    strategy.on_start()
    router = Router(strategy)
    router.deliver([_candle(0)])
    order = _placed(strategy)
    assert strategy.open_orders == {}  # not under the handler that placed it, as in a backtest
    router.deliver([_candle(1)])  # the stream lags: no event about the order yet
    deliveries.append(strategy.open_orders["ord-1"].status)
    router.deliver([_event(order, m.OrderEventType.ORDER_CREATED, m.OrderStatus.OPEN, "0"), _candle(2)])
    deliveries.append(strategy.open_orders["ord-1"].status)
    router.deliver([_event(order, m.OrderEventType.ORDER_FILLED, m.OrderStatus.FILLED, "0.5")])
    router.deliver([_candle(3)])
    assert strategy.seen == [[], ["ord-1"], ["ord-1"], []]  # type: ignore[attr-defined]
    assert deliveries == [m.OrderStatus.PENDING, m.OrderStatus.OPEN]
    placed: Any = order
    assert (placed.limit_price, placed.time_in_force, placed.remaining_quantity) == (
        "99.50",
        m.TimeInForce.GTC,
        "0.5",
    )


def test_events_in_the_next_delivery_decide_as_usual() -> None:
    strategy = Watcher()
    strategy.on_start()
    router = Router(strategy)
    order = _placed(strategy)
    router.deliver([_event(order, m.OrderEventType.ORDER_FILLED, m.OrderStatus.FILLED, "0.5"), _candle(0)])
    assert strategy.seen == [[]]  # type: ignore[attr-defined]  # filled: never left working
    router.deliver([_candle(1)])
    assert strategy.open_orders == {}


def test_a_snapshot_replaces_what_was_placed() -> None:
    strategy = Watcher()
    strategy.on_start()
    _placed(strategy)
    strategy.state.load(None, [], [])  # a reconnect's snapshot: the venue lists no such order
    Router(strategy).deliver([_candle(0)])
    assert strategy.seen == [[]]  # type: ignore[attr-defined]


def test_a_delivery_without_market_data_leaves_it_placed_not_working() -> None:
    """As in a backtest, where a command's own events are the next delivery: nothing shows early."""
    strategy = Watcher()
    strategy.on_start()
    router = Router(strategy)
    _placed(strategy)
    account = m.AccountEvent(event=m.AccountEventType.BALANCE_UPDATED, account=m.Account(), timestamp=T0)
    router.deliver([account])
    assert strategy.open_orders == {}
    router.deliver([_candle(0)])
    assert strategy.seen == [["ord-1"]]  # type: ignore[attr-defined]
