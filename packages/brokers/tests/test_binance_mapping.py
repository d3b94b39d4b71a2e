"""Protocol ↔ Binance per mapping.md: symbols, order parameters, refusals, order lists, reports, events."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from tradewire.brokers.binance import mapping
from tradewire.brokers.binance.filters import SymbolRules
from tradewire.protocol.errors import UnsupportedOperation
from tradewire.protocol.messages import (
    OrderEventType,
    OrderStatus,
    OrderType,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    TrailingType,
)


@pytest.fixture
def rules(btcusdt: dict[str, Any]) -> SymbolRules:
    return SymbolRules.from_broker(btcusdt)


def order(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "BTCUSDT",
        "side": Side.BUY,
        "quantity": "0.5",
        "order_type": OrderType.MARKET,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


def test_symbols_and_ids() -> None:
    assert mapping.venue_symbol("BTC/USDT") == mapping.venue_symbol("btcusdt") == "BTCUSDT"
    assert mapping.order_id("BTCUSDT", 28) == "BTCUSDT-28"
    assert mapping.parse_order_id("BTCUSDT-28") == ("BTCUSDT", 28)
    assert mapping.parse_order_id("28") is None and mapping.parse_order_id("x/y-1") is None


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (order(), [("type", "MARKET"), ("quantity", "0.5")]),
        (order(order_type=OrderType.LIMIT, limit_price="50000.10", time_in_force=TimeInForce.IOC),
         [("type", "LIMIT"), ("timeInForce", "IOC"), ("quantity", "0.5"), ("price", "50000.1")]),
        (order(order_type=OrderType.LIMIT, limit_price="50000", post_only=True),
         [("type", "LIMIT_MAKER"), ("quantity", "0.5"), ("price", "50000")]),
        (order(order_type=OrderType.STOP, stop_price="60000"),
         [("type", "STOP_LOSS"), ("quantity", "0.5"), ("stopPrice", "60000")]),
        (order(order_type=OrderType.STOP_LIMIT, stop_price="60000", limit_price="60100"),
         [("type", "STOP_LOSS_LIMIT"), ("timeInForce", "GTC"), ("quantity", "0.5"), ("price", "60100"),
          ("stopPrice", "60000")]),
        (order(order_type=OrderType.TRAILING_STOP, side=Side.SELL, trailing_distance="1.5",
               trailing_type=TrailingType.PERCENT),
         [("type", "STOP_LOSS"), ("quantity", "0.5"), ("trailingDelta", "150")]),
        (order(order_type=OrderType.LIMIT, limit_price="50000", quantity="1", display_quantity="0.1"),
         [("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"), ("price", "50000"),
          ("icebergQty", "0.1")]),
    ],
)  # fmt: skip
def test_order_params_per_type(request_: SubmitOrderRequest, expected: list[tuple[str, str]]) -> None:
    params = mapping.order_params(request_, "tw-1-1", "BTCUSDT")
    assert params[:2] == [("symbol", "BTCUSDT"), ("side", "BUY" if request_.side == Side.BUY else "SELL")]
    assert params[2:-2] == expected
    assert params[-2:] == [("newClientOrderId", "tw-1-1"), ("newOrderRespType", "FULL")]


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (order(time_in_force=TimeInForce.DAY), "time_in_force"),
        (order(time_in_force=TimeInForce.FOK), "time_in_force"),
        (order(order_type=OrderType.TRAILING_STOP, trailing_distance="5",
               trailing_type=TrailingType.ABSOLUTE), "trailing_type"),
        (order(hidden=True), "hidden"),
        (order(order_type=OrderType.MARKET, post_only=True), "post_only"),
        (order(oco_group_id="g1", stop_loss="40000"), "oco_group_id"),
    ],
)  # fmt: skip
def test_what_binance_lacks_is_refused_naming_the_field(
    rules: SymbolRules, request_: SubmitOrderRequest, field: str
) -> None:
    with pytest.raises(UnsupportedOperation) as caught:
        mapping.check_supported(request_, rules)
    assert caught.value.status == 501 and caught.value.details["field"] == field
    assert caught.value.details["platform"] == "binance"


@pytest.mark.parametrize(
    ("request_", "route"),
    [
        (order(), None),
        (order(order_type=OrderType.LIMIT, limit_price="50000", stop_loss="45000"), None),
        (order(stop_loss="40000"), "bracket"),
        (order(order_type=OrderType.STOP, stop_price="60000", take_profit="70000"), "bracket"),
        (order(order_type=OrderType.LIMIT, limit_price="50000", post_only=True, take_profit="55000"), "bracket"),
        (order(oco_group_id="g1"), "oco"),
    ],
    ids=["plain", "limit-entry", "market-entry", "stop-entry", "post-only-entry", "oco-member"],
)  # fmt: skip
def test_exits_binance_has_no_list_for_and_oco_groups_are_managed(
    rules: SymbolRules, request_: SubmitOrderRequest, route: str | None
) -> None:
    """Formerly refused with 501: now taken, by the gateway-managed route."""
    mapping.check_supported(request_, rules)
    assert mapping.managed_route(request_, rules) == route


def test_a_limit_entry_with_both_exits_is_an_otoco(rules: SymbolRules) -> None:
    request = order(order_type=OrderType.LIMIT, limit_price="50000", stop_loss="45000", take_profit="55000")
    mapping.check_supported(request, rules)
    path, params = mapping.list_params(request, "tw-a-1", "BTCUSDT", ("tw-a-2", "tw-a-3"))
    got = dict(params)
    assert path == "/api/v3/orderList/otoco"
    assert (got["workingType"], got["workingSide"], got["workingPrice"]) == ("LIMIT", "BUY", "50000")
    assert (got["pendingSide"], got["pendingQuantity"]) == ("SELL", "0.5")
    assert (got["pendingAboveType"], got["pendingAbovePrice"]) == ("LIMIT_MAKER", "55000")
    assert (got["pendingBelowType"], got["pendingBelowStopPrice"]) == ("STOP_LOSS", "45000")
    one = order(order_type=OrderType.LIMIT, limit_price="50000", stop_loss="45000")
    path, params = mapping.list_params(one, "tw-a-1", "BTCUSDT", ("tw-a-2", "tw-a-3"))
    assert path == "/api/v3/orderList/oto" and dict(params)["pendingType"] == "STOP_LOSS"


def test_an_execution_report_is_the_order_and_a_trade(report: dict[str, Any]) -> None:
    o = mapping.order_from_report(report)
    assert (o.id, o.symbol, o.status, o.filled_quantity, o.remaining_quantity) == (
        "ETHBTC-4293153",
        "ETHBTC",
        OrderStatus.PARTIALLY_FILLED,
        "0.4",
        "0.6",
    )
    assert (o.client_order_id, o.limit_price, o.stop_price) == ("mUvoqJxFIILMdfAW5iGSOW", "0.1026441", None)
    assert o.average_fill_price == "0.1026441"
    t = mapping.trade_from_report(report)
    assert (t.id, t.order_id, t.quantity, t.price, t.commission, t.commission_currency, t.is_maker) == (
        "ETHBTC-t5012",
        "ETHBTC-4293153",
        "0.4",
        "0.1026441",
        "0.0004",
        "ETH",
        True,
    )
    event = mapping.order_event_type("TRADE", "PARTIALLY_FILLED", created_before=True)
    assert event == OrderEventType.ORDER_PARTIALLY_FILLED


def test_a_full_answer_is_the_order(full: dict[str, Any]) -> None:
    o = mapping.order_from_broker(full)
    assert (o.id, o.order_type, o.status, o.average_fill_price, o.limit_price) == (
        "BTCUSDT-28",
        OrderType.MARKET,
        OrderStatus.FILLED,
        "4000",
        None,
    )


def test_an_order_sized_by_notional_goes_out_as_quote_order_qty(rules: SymbolRules) -> None:
    request = order(quantity=None, notional="100.5", client_order_id="n-1")
    params = dict(mapping.order_params(request, "n-1", "BTCUSDT"))
    assert params["quoteOrderQty"] == "100.5" and "quantity" not in params and "timeInForce" not in params
    figures = mapping.figures(request, None)
    assert (figures.notional, figures.quantity) == (Decimal("100.5"), Decimal(0))
    # A repeated client order id is the same order only for the same quote amount.
    same = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "origQty": "0.00167",
            "origQuoteOrderQty": "100.50000000"}  # fmt: skip
    assert mapping.same_order(params, same)
    assert not mapping.same_order(params, {**same, "origQuoteOrderQty": "101.00000000"})
    by_quantity = dict(mapping.order_params(order(quantity="0.00167"), "n-1", "BTCUSDT"))
    assert not mapping.same_order(by_quantity, same)  # the quantity it bought, asked by quantity
    with pytest.raises(UnsupportedOperation) as caught:
        mapping.check_supported(request, replace(rules, quote_market_allowed=False))
    assert caught.value.details["field"] == "notional"


def test_an_order_sized_by_notional_echoes_it_and_its_quantity_once_named(
    full: dict[str, Any], report: dict[str, Any]
) -> None:
    assert mapping.order_from_broker(full).notional is None  # origQuoteOrderQty 0: sized by quantity
    named = mapping.order_from_broker({**full, "origQuoteOrderQty": "4000.00000000"})
    assert (named.notional, named.quantity, named.remaining_quantity) == ("4000", "1", "0")
    # Binance names no quantity yet: what has filled (rest.md), so nothing remains.
    unnamed = mapping.order_from_report({**report, "q": "0.00000000", "Q": "0.05000000"})
    assert (unnamed.notional, unnamed.quantity, unnamed.filled_quantity) == ("0.05", "0.4", "0.4")
    assert unnamed.remaining_quantity == "0"
    created = mapping.order_from_report(
        {**report, "x": "NEW", "X": "NEW", "q": "0", "z": "0", "Z": "0", "Q": "0.05000000"}
    )
    assert (created.notional, created.quantity, created.status) == ("0.05", "0", OrderStatus.OPEN)


@pytest.mark.parametrize(
    ("execution", "status", "created_before", "event"),
    [
        ("NEW", "NEW", False, OrderEventType.ORDER_CREATED),
        ("NEW", "NEW", True, OrderEventType.ORDER_MODIFIED),
        ("TRADE", "FILLED", True, OrderEventType.ORDER_FILLED),
        ("CANCELED", "CANCELED", True, OrderEventType.ORDER_CANCELLED),
        ("REPLACED", "NEW", True, OrderEventType.ORDER_MODIFIED),
        ("EXPIRED", "EXPIRED", True, OrderEventType.ORDER_EXPIRED),
        ("TRADE_PREVENTION", "EXPIRED_IN_MATCH", True, OrderEventType.ORDER_EXPIRED),
        ("REJECTED", "REJECTED", False, OrderEventType.ORDER_REJECTED),
    ],
)
def test_events_per_execution_type(
    execution: str, status: str, created_before: bool, event: OrderEventType
) -> None:
    assert mapping.order_event_type(execution, status, created_before=created_before) == event


def test_an_unknown_status_is_mapped_by_quantities() -> None:
    from decimal import Decimal

    assert mapping.order_status("SOMETHING_NEW", Decimal(1), Decimal(1)) == OrderStatus.FILLED
    assert mapping.order_status("SOMETHING_NEW", Decimal(1), Decimal(0)) == OrderStatus.OPEN


def test_a_quote_with_an_empty_side_is_never_crossed() -> None:
    quote = mapping.quote_from_book(
        "BTCUSDT", {"s": "BTCUSDT", "b": "59943.68", "B": "1", "a": "0", "A": "0"}
    )
    assert (quote.bid, quote.ask, quote.last) == ("59943.68", "59943.68", "59943.68")


def test_a_modify_of_a_price_the_type_lacks_is_not_modifiable(full: dict[str, Any]) -> None:
    from tradewire.protocol.errors import OrderNotModifiable
    from tradewire.protocol.messages import ModifyOrderRequest

    stop = mapping.order_from_broker({**full, "type": "STOP_LOSS", "status": "NEW", "stopPrice": "70000"})
    with pytest.raises(OrderNotModifiable) as caught:
        mapping.check_modifiable(ModifyOrderRequest(limit_price="1.00"), stop)
    assert caught.value.status == 409 and caught.value.details == {"order_id": "BTCUSDT-28"}
    mapping.check_modifiable(ModifyOrderRequest(stop_price="71000", quantity="0.5"), stop)


def test_quotes_are_written_on_the_ticks_scale() -> None:
    from decimal import Decimal

    book = {"bidPrice": "61182.20000000", "bidQty": "1.5", "askPrice": "61182.21000000", "askQty": "2"}
    quote = mapping.quote_from_book("BTCUSDT", book, tick=Decimal("0.01000000"))
    assert (quote.bid, quote.ask, quote.last, quote.bid_size) == ("61182.20", "61182.21", "61182.205", "1.5")
