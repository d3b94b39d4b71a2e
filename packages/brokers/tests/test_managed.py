"""The managed-exit core without sockets: actions for each order state and price, persisted in the store
so a second manager on the same file (a restart) resumes the rules and never fires an exit twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tradewire.brokers._live.managed import Cancel, Emit, ExitManager, Place
from tradewire.brokers._live.store import Store
from tradewire.protocol.messages import (
    Order,
    OrderEvent,
    OrderEventType,
    OrderStatus,
    OrderType,
    Position,
    PositionEvent,
    PositionEventType,
    PositionSide,
    ServerMessage,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    Trade,
    TradeEvent,
)

T0 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "s.sqlite3")


def state(oid: str, cid: str, qty: str, filled: str, status: OrderStatus, **kw: object) -> Order:
    fields: dict[str, object] = {
        "id": oid, "client_order_id": cid, "symbol": "BTC/USD", "side": Side.BUY,
        "order_type": OrderType.MARKET, "quantity": qty, "filled_quantity": filled,
        "remaining_quantity": str(Decimal(qty) - Decimal(filled)), "status": status,
        "time_in_force": TimeInForce.GTC, "created_at": T0, "updated_at": T0,
    }  # fmt: skip
    return Order(**{**fields, **kw})  # type: ignore[arg-type]


def entry_request(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {"symbol": "BTC/USD", "side": Side.BUY, "quantity": "1",
                               "order_type": OrderType.MARKET, "stop_loss": "90", "take_profit": "120"}  # fmt: skip
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


def emitted(actions: list[object]) -> list[tuple[str, str, str]]:
    out = []
    for a in actions:
        if isinstance(a, Emit) and a.message.order is not None and a.message.order.order is not None:
            order = a.message.order.order
            out.append((a.message.order.event.name, order.id, order.quantity))
    return out


def filled_bracket(store: Store) -> ExitManager:
    manager = ExitManager(store)
    manager.add_bracket("g", "e", entry_request())
    actions = manager.on_order(state("E1", "e", "1", "1", OrderStatus.FILLED))
    [place, created] = actions
    assert isinstance(place, Place) and place.leg_id == "g-tp"
    assert (place.request.order_type, place.request.limit_price, place.request.quantity) == (
        OrderType.LIMIT, "120", "1",
    )  # fmt: skip
    assert place.request.side == Side.SELL and place.request.client_order_id == "g-tp"
    assert emitted([created]) == [("ORDER_CREATED", "g-sl", "1")]
    assert isinstance(created, Emit) and created.message.order is not None
    assert created.message.order.parent_order_id == "E1"
    manager.placed("g-tp", state("TP1", "g-tp", "1", "0", OrderStatus.OPEN, side=Side.SELL))
    return manager


def test_exits_wait_for_the_entry_to_end_and_take_its_filled_quantity(store: Store) -> None:
    manager = ExitManager(store)
    manager.add_bracket("g", "e", entry_request())
    assert manager.on_order(state("E1", "e", "1", "0.4", OrderStatus.PARTIALLY_FILLED)) == []
    actions = manager.on_order(state("E1", "e", "1", "0.4", OrderStatus.CANCELLED))
    assert [a.request.quantity for a in actions if isinstance(a, Place)] == ["0.4"]
    assert emitted(actions) == [("ORDER_CREATED", "g-sl", "0.4")]


def test_an_entry_ending_unfilled_drops_the_rule(store: Store) -> None:
    manager = ExitManager(store)
    manager.add_bracket("g", "e", entry_request())
    assert manager.on_order(state("E1", "e", "1", "0", OrderStatus.CANCELLED)) == []
    assert manager.trigger_symbols() == [] and manager.orders() == []
    assert ExitManager(store).to_refresh() == []


def test_take_profit_partial_fill_reduces_the_stop_and_its_fill_cancels_it(store: Store) -> None:
    manager = filled_bracket(store)
    partial = manager.on_order(state("TP1", "g-tp", "1", "0.3", OrderStatus.PARTIALLY_FILLED, side=Side.SELL))
    assert emitted(partial) == [("ORDER_MODIFIED", "g-sl", "0.7")]
    done = manager.on_order(state("TP1", "g-tp", "1", "1", OrderStatus.FILLED, side=Side.SELL))
    assert emitted(done) == [("ORDER_CANCELLED", "g-sl", "0.7")]
    assert manager.on_price("BTC/USD", Decimal(80), Decimal(81)) == []


def test_stop_fires_once_cancels_the_take_profit_then_sends_the_rest(store: Store) -> None:
    manager = filled_bracket(store)
    assert manager.on_price("BTC/USD", Decimal("90.01"), Decimal(91)) == []
    assert manager.on_price("BTC/USD", Decimal(90), Decimal(91)) == [Cancel("TP1")]
    assert manager.on_price("BTC/USD", Decimal(80), Decimal(81)) == []  # fired already
    # A restart now (same file): the stop is not armed again, and resuming re-asks the cancel only.
    again = ExitManager(store)
    assert again.on_price("BTC/USD", Decimal(80), Decimal(81)) == []
    assert again.resume() == [Cancel("TP1")]
    [send] = again.on_order(state("TP1", "g-tp", "1", "0.2", OrderStatus.CANCELLED, side=Side.SELL))[-1:]
    assert isinstance(send, Place) and send.leg_id == "g-sl"
    assert (send.request.order_type, send.request.quantity) == (OrderType.MARKET, "0.8")
    # A restart before the broker answered sends it again under the same id: the broker adopts, never doubles.
    assert ExitManager(store).resume() == [send]


def test_fired_stop_is_reported_under_its_own_id(store: Store) -> None:
    manager = filled_bracket(store)
    manager.on_price("BTC/USD", Decimal(89), Decimal(90))
    manager.on_order(state("TP1", "g-tp", "1", "0", OrderStatus.CANCELLED, side=Side.SELL))
    broker = state("SL1", "g-sl", "1", "1", OrderStatus.FILLED, side=Side.SELL)
    trade = Trade(id="x", order_id="SL1", symbol="BTC/USD", side=Side.SELL, quantity="1", price="89",
                  commission="0", commission_currency="USD", timestamp=T0)  # fmt: skip
    batch = [
        ServerMessage(trade=TradeEvent(trade=trade)),
        ServerMessage(order=OrderEvent(event=OrderEventType.ORDER_FILLED, order=broker)),
    ]
    labelled = manager.label(batch)
    assert labelled[0].trade is not None and labelled[0].trade.trade is not None
    assert labelled[0].trade.trade.order_id == "g-sl"
    event = labelled[1].order
    assert event is not None and event.order is not None
    assert (event.order.id, event.order.order_type, event.order.stop_price) == ("g-sl", OrderType.STOP, "90")
    assert event.parent_order_id == "E1" and event.order.reduce_only
    assert manager.watch(batch) == []
    assert manager.trade_order_id("SL1") == "g-sl"


def position_event(kind: PositionEventType, quantity: str) -> ServerMessage:
    position = Position(id="BTCUSD", symbol="BTC/USD", side=PositionSide.LONG, quantity=quantity,
                        average_entry_price="100", current_price="100", unrealized_pnl="0", realized_pnl="0",
                        opened_at=T0, updated_at=T0)  # fmt: skip
    return ServerMessage(position=PositionEvent(event=kind, position=position))


def test_closed_position_cancels_the_brackets_working_exits(store: Store) -> None:
    manager = filled_bracket(store)
    # A CLOSED read before this entry filled (it arrives late) leaves the new exits alone.
    assert manager.watch([position_event(PositionEventType.POSITION_CLOSED, "0")]) == []
    assert manager.watch([position_event(PositionEventType.POSITION_OPENED, "1")]) == []
    actions = manager.watch([position_event(PositionEventType.POSITION_CLOSED, "0")])
    assert Cancel("TP1") in actions
    assert emitted(actions) == [("ORDER_CANCELLED", "g-sl", "1")]


def test_oco_trigger_member_is_created_cancelled_by_the_client_and_never_sent(store: Store) -> None:
    manager = ExitManager(store)
    stop = SubmitOrderRequest(symbol="BTC/USD", side=Side.SELL, quantity="1", order_type=OrderType.STOP,
                              stop_price="90", oco_group_id="grp")  # fmt: skip
    assert emitted(manager.add_oco_member("m1", stop)) == [("ORDER_CREATED", "m1", "1")]
    held = manager.order("m1")
    assert held is not None and held.oco_group_id == "grp" and not held.reduce_only
    assert emitted(manager.cancel("m1") or []) == [("ORDER_CANCELLED", "m1", "1")]
    assert manager.on_price("BTC/USD", Decimal(1), Decimal(2)) == []
    assert manager.cancel("not-managed") is None


def test_restart_asks_again_to_cancel_a_resting_member_a_fill_cancelled(store: Store) -> None:
    manager = ExitManager(store)
    for cid, price in (("a", "110"), ("b", "120")):
        limit = SubmitOrderRequest(symbol="BTC/USD", side=Side.SELL, quantity="1", order_type=OrderType.LIMIT,
                                   limit_price=price, oco_group_id="grp")  # fmt: skip
        assert manager.add_oco_member(cid, limit) == []
        manager.sent(cid, cid.upper())
    partial = manager.on_order(state("A", "a", "1", "0.5", OrderStatus.PARTIALLY_FILLED, side=Side.SELL))
    assert partial == [Cancel("B")]
    assert ExitManager(store).resume() == [Cancel("B")]  # stopped before Alpaca confirmed the cancel


def test_a_trigger_handed_over_to_the_broker_is_never_fired_by_the_gateway(store: Store) -> None:
    """An adapter placed an OCO group's held stop natively (Binance's OCO list): the broker's order is
    the truth from then on, still reported under the trigger's id, and no price fires it again."""
    manager = ExitManager(store)
    stop = SubmitOrderRequest(symbol="BTC/USD", side=Side.SELL, quantity="1", order_type=OrderType.STOP,
                              stop_price="90", oco_group_id="g")  # fmt: skip
    manager.add_oco_member("s", stop)
    assert manager.trigger_symbols() == ["BTC/USD"]
    native = state("S1", "s", "1", "0", OrderStatus.OPEN, side=Side.SELL, order_type=OrderType.STOP)
    assert manager.hand_over("s", native) == []
    assert manager.trigger_symbols() == [] and manager.on_price("BTC/USD", Decimal(80), Decimal(81)) == []
    assert manager.order("s") is None and manager.broker_id("s") == "S1"
    assert manager.decorate(native).id == "s"
    assert ExitManager(store).broker_id("s") == "S1"  # persisted: a restart follows the broker's order
