"""Alpaca ↔ protocol mapping on the payload shapes recorded in the broker notes (alpaca.md §5-§11)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest

from tradewire.brokers._live.jsondecimal import loads
from tradewire.brokers.alpaca import mapping
from tradewire.brokers.alpaca.mapping import Asset
from tradewire.protocol.errors import OrderNotModifiable, OrderRejected, UnsupportedOperation
from tradewire.protocol.messages import (
    ModifyOrderRequest,
    OrderEventType,
    OrderStatus,
    OrderType,
    PositionEventType,
    PositionSide,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    TrailingType,
)

AAPL = Asset("AAPL", "us_equity", fractionable=True, shortable=True)
GME = Asset("GME", "us_equity", fractionable=False)
BTC = Asset(
    "BTC/USD",
    "crypto",
    fractionable=True,
    min_order_size=Decimal("0.0001"),
    min_trade_increment=Decimal("0.000000001"),
    price_increment=Decimal("1"),
)

# alpaca.md §7, verbatim.
ORDER = loads(
    """{"id":"61e69015-8549-4bfd-b9c3-01e75843f47d","client_order_id":"eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4",
 "created_at":"2026-03-16T18:38:01.942282Z","updated_at":"2026-03-16T18:38:01.942282Z",
 "submitted_at":"2026-03-16T18:38:01.937734Z","filled_at":null,"expired_at":null,"expires_at":null,
 "canceled_at":null,"failed_at":null,"replaced_at":null,"replaced_by":null,"replaces":null,
 "asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415","symbol":"AAPL","asset_class":"us_equity",
 "notional":null,"qty":"10","filled_qty":"0","filled_avg_price":null,"order_class":"",
 "order_type":"limit","type":"limit","side":"buy","time_in_force":"day","limit_price":"187.5",
 "stop_price":null,"status":"new","extended_hours":false,"legs":null,
 "trail_percent":null,"trail_price":null,"hwm":null,"position_intent":"buy_to_open"}"""
)


def req(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "AAPL",
        "side": Side.BUY,
        "quantity": "10",
        "order_type": OrderType.MARKET,
    }
    base.update(kw)
    return SubmitOrderRequest(**base)  # type: ignore[arg-type]


# -- times ----------------------------------------------------------------------------------------
def test_times_with_nanoseconds_and_offsets() -> None:
    assert mapping.timestamp("2026-03-16T18:38:02.123456789Z") == dt.datetime(
        2026, 3, 16, 18, 38, 2, 123456, tzinfo=dt.UTC
    )
    assert mapping.timestamp("2026-03-16T14:38:02-04:00") == dt.datetime(
        2026, 3, 16, 18, 38, 2, tzinfo=dt.UTC
    )
    assert mapping.time_ns("2026-03-16T18:38:02.123456789Z") % 1_000_000_000 == 123456789
    assert mapping.timestamp(None) is None


# -- orders out -----------------------------------------------------------------------------------
def test_limit_order_payload_is_strings_never_floats() -> None:
    payload = mapping.order_payload(
        req(order_type=OrderType.LIMIT, limit_price="187.50", time_in_force=TimeInForce.DAY), "cid-1", AAPL
    )
    assert payload == {
        "symbol": "AAPL",
        "qty": "10",
        "side": "buy",
        "type": "limit",
        "time_in_force": "day",
        "limit_price": "187.5",
        "client_order_id": "cid-1",
    }


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"order_type": OrderType.MARKET}, {"type": "market", "time_in_force": "gtc"}),
        ({"order_type": OrderType.STOP, "stop_price": "150"}, {"type": "stop", "stop_price": "150"}),
        (
            {"order_type": OrderType.STOP_LIMIT, "stop_price": "150", "limit_price": "149"},
            {"type": "stop_limit", "stop_price": "150", "limit_price": "149"},
        ),
        (
            {
                "order_type": OrderType.TRAILING_STOP,
                "trailing_distance": "2.5",
                "trailing_type": TrailingType.PERCENT,
            },
            {"type": "trailing_stop", "trail_percent": "2.5"},
        ),
        (
            {
                "order_type": OrderType.TRAILING_STOP,
                "trailing_distance": "1.25",
                "trailing_type": TrailingType.ABSOLUTE,
            },
            {"type": "trailing_stop", "trail_price": "1.25"},
        ),
        ({"time_in_force": TimeInForce.IOC}, {"time_in_force": "ioc"}),
        ({"time_in_force": TimeInForce.FOK}, {"time_in_force": "fok"}),
    ],
)
def test_order_types_and_tifs(kw: dict[str, object], expected: dict[str, str]) -> None:
    payload = mapping.order_payload(req(**kw), "c", AAPL)
    assert payload.items() >= expected.items()


def test_exits_become_bracket_or_oto() -> None:
    both = mapping.order_payload(
        req(order_type=OrderType.LIMIT, limit_price="149.50", stop_loss="145", take_profit="160"), "c", AAPL
    )
    assert both["order_class"] == "bracket"
    assert both["take_profit"] == {"limit_price": "160"} and both["stop_loss"] == {"stop_price": "145"}
    one = mapping.order_payload(req(stop_loss="145"), "c", AAPL)
    assert one["order_class"] == "oto" and "take_profit" not in one


@pytest.mark.parametrize(
    ("asset", "kw", "field"),
    [
        (AAPL, {"post_only": True, "order_type": OrderType.LIMIT, "limit_price": "1"}, "post_only"),
        (AAPL, {"hidden": True}, "hidden"),
        (AAPL, {"display_quantity": "1"}, "display_quantity"),
        (AAPL, {"leverage": "2"}, "leverage"),
        (AAPL, {"oco_group_id": "g", "stop_loss": "1"}, "oco_group_id"),
        (AAPL, {"oco_group_id": "g", "order_type": OrderType.TRAILING_STOP, "trailing_distance": "1",
                "trailing_type": TrailingType.PERCENT}, "oco_group_id"),
        (AAPL, {"order_type": OrderType.TRAILING_STOP, "trailing_distance": "1",
                "trailing_type": TrailingType.PERCENT, "time_in_force": TimeInForce.IOC}, "time_in_force"),
        (AAPL, {"stop_loss": "1", "time_in_force": TimeInForce.FOK}, "time_in_force"),
        (BTC, {"symbol": "BTC/USD", "order_type": OrderType.STOP, "stop_price": "1"}, "order_type"),
        (BTC, {"symbol": "BTC/USD", "order_type": OrderType.TRAILING_STOP, "trailing_distance": "1",
               "trailing_type": TrailingType.PERCENT}, "order_type"),
        (BTC, {"symbol": "BTC/USD", "time_in_force": TimeInForce.DAY}, "time_in_force"),
        (BTC, {"symbol": "BTC/USD", "time_in_force": TimeInForce.FOK}, "time_in_force"),
        (BTC, {"symbol": "BTC/USD", "stop_loss": "1", "time_in_force": TimeInForce.DAY}, "time_in_force"),
    ],
)  # fmt: skip
def test_unsupported_is_refused_naming_platform_and_field(
    asset: Asset, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(UnsupportedOperation) as caught:
        mapping.check_supported(req(**kw), asset)
    assert caught.value.details["platform"] == "alpaca" and caught.value.details["field"] == field


def test_supported_crypto_orders_pass() -> None:
    mapping.check_supported(req(symbol="BTC/USD", order_type=OrderType.LIMIT, limit_price="1"), BTC)
    mapping.check_supported(req(symbol="BTC/USD", time_in_force=TimeInForce.IOC), BTC)


@pytest.mark.parametrize(
    ("asset", "kw", "route"),
    [
        (BTC, {"symbol": "BTC/USD", "stop_loss": "1"}, "bracket"),
        (BTC, {"symbol": "BTC/USD", "take_profit": "1"}, "bracket"),
        (BTC, {"symbol": "BTC/USD", "order_type": OrderType.STOP, "stop_price": "1", "oco_group_id": "g"},
         "oco"),
        (AAPL, {"order_type": OrderType.STOP, "stop_price": "1", "oco_group_id": "g"}, "oco"),
        (AAPL, {"stop_loss": "1", "take_profit": "3"}, None),  # Alpaca's own bracket
        (BTC, {"symbol": "BTC/USD"}, None),
    ],
)  # fmt: skip
def test_managed_routes_pass_the_check(asset: Asset, kw: dict[str, object], route: str | None) -> None:
    """Crypto brackets / OTO and OCO members are gateway-managed, no longer refused."""
    mapping.check_supported(req(**kw), asset)
    assert mapping.managed_route(req(**kw), asset) == route


# -- precision: rest.md against Alpaca's increments -------------------------------------------------
def test_fractional_quantity_floored_to_nine_decimals_on_simple_day_orders() -> None:
    fine = "54.13012882970661470174299015"
    out = mapping.normalize_submit(req(quantity=fine, time_in_force=TimeInForce.DAY), AAPL)
    assert out.quantity == "54.130128829"
    limit = req(quantity=fine, time_in_force=TimeInForce.DAY, order_type=OrderType.LIMIT, limit_price="1")
    assert mapping.normalize_submit(limit, AAPL).quantity == "54.130128829"
    # Alpaca takes fractions on simple DAY market / limit orders only: others are whole shares.
    assert mapping.normalize_submit(req(quantity=fine), AAPL).quantity == "54"  # GTC
    stop = req(quantity=fine, time_in_force=TimeInForce.DAY, order_type=OrderType.STOP, stop_price="1")
    assert mapping.normalize_submit(stop, AAPL).quantity == "54"
    bracket = req(quantity=fine, time_in_force=TimeInForce.DAY, stop_loss="1")
    assert mapping.normalize_submit(bracket, AAPL).quantity == "54"


def test_whole_shares_when_not_fractionable_and_below_one_is_invalid_quantity() -> None:
    assert mapping.normalize_submit(req(symbol="GME", quantity="3.7"), GME).quantity == "3"
    with pytest.raises(OrderRejected) as caught:
        mapping.normalize_submit(req(symbol="GME", quantity="0.5"), GME)
    assert caught.value.details["reject_code"] == "INVALID_QUANTITY"


def test_equity_price_increment_by_price_level() -> None:
    buy = mapping.normalize_submit(req(order_type=OrderType.LIMIT, limit_price="183.1502999999"), AAPL)
    assert buy.limit_price == "183.15"  # buy limit moves down, cents above $1
    sell = mapping.normalize_submit(
        req(side=Side.SELL, order_type=OrderType.LIMIT, limit_price="0.123456"), AAPL
    )
    assert sell.limit_price == "0.1235"  # sell limit moves up, $0.0001 below $1
    stop = mapping.normalize_submit(req(order_type=OrderType.STOP, stop_price="150.001"), AAPL)
    assert stop.stop_price == "150.01"  # buy stop moves up
    unchanged = req(order_type=OrderType.LIMIT, limit_price="187.50")
    assert mapping.normalize_submit(unchanged, AAPL) is unchanged


def test_crypto_grid_from_the_asset() -> None:
    out = mapping.normalize_submit(
        req(symbol="BTC/USD", quantity="0.0123456789123", order_type=OrderType.LIMIT, limit_price="65000.7"),
        BTC,
    )
    assert out.quantity == "0.012345678" and out.limit_price == "65000"
    with pytest.raises(OrderRejected):
        mapping.normalize_submit(req(symbol="BTC/USD", quantity="0.00001"), BTC)  # below min_order_size


# -- orders in ------------------------------------------------------------------------------------
def test_recorded_order_maps_field_by_field() -> None:
    order = mapping.order_from_broker(ORDER)
    assert order.id == "61e69015-8549-4bfd-b9c3-01e75843f47d"
    assert order.client_order_id == "eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4"
    assert (order.symbol, order.side, order.order_type) == ("AAPL", Side.BUY, OrderType.LIMIT)
    assert (order.quantity, order.filled_quantity, order.remaining_quantity) == ("10", "0", "10")
    assert order.limit_price == "187.5" and order.stop_price is None
    assert order.status == OrderStatus.OPEN and order.time_in_force == TimeInForce.DAY
    assert order.created_at == dt.datetime(2026, 3, 16, 18, 38, 1, 942282, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("status", "filled", "expected"),
    [
        ("pending_new", "0", OrderStatus.PENDING),
        ("accepted_for_bidding", "0", OrderStatus.PENDING),
        ("held", "0", OrderStatus.PENDING),
        ("suspended", "0", OrderStatus.PENDING),
        ("pending_review", "0", OrderStatus.PENDING),
        ("new", "0", OrderStatus.OPEN),
        ("accepted", "0", OrderStatus.OPEN),
        ("stopped", "0", OrderStatus.OPEN),
        ("done_for_day", "0", OrderStatus.OPEN),
        ("done_for_day", "4", OrderStatus.PARTIALLY_FILLED),
        ("calculated", "4", OrderStatus.PARTIALLY_FILLED),
        ("pending_replace", "0", OrderStatus.OPEN),
        ("pending_replace", "4", OrderStatus.PARTIALLY_FILLED),
        ("partially_filled", "4", OrderStatus.PARTIALLY_FILLED),
        ("filled", "10", OrderStatus.FILLED),
        ("pending_cancel", "0", OrderStatus.PENDING_CANCEL),
        ("canceled", "0", OrderStatus.CANCELLED),
        ("replaced", "0", OrderStatus.CANCELLED),
        ("expired", "0", OrderStatus.EXPIRED),
        ("rejected", "0", OrderStatus.REJECTED),
    ],
)
def test_status_table(status: str, filled: str, expected: OrderStatus) -> None:
    order = mapping.order_from_broker({**ORDER, "status": status, "filled_qty": filled})
    assert order.status == expected


@pytest.mark.parametrize(
    ("filled", "expected"),
    [("0", OrderStatus.OPEN), ("3", OrderStatus.PARTIALLY_FILLED), ("10", OrderStatus.FILLED)],
)
def test_unknown_status_logged_and_mapped_by_quantities(
    filled: str, expected: OrderStatus, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        order = mapping.order_from_broker({**ORDER, "status": "brand_new_status", "filled_qty": filled})
    assert order.status == expected
    assert "brand_new_status" in caplog.text


def test_trailing_and_bracket_legs_read_back() -> None:
    trailing = mapping.order_from_broker(
        {**ORDER, "type": "trailing_stop", "limit_price": None, "trail_percent": "2"}
    )
    assert trailing.trailing_type == TrailingType.PERCENT and trailing.trailing_distance == "2"
    legs = [
        {**ORDER, "id": "tp", "type": "limit", "limit_price": "160", "status": "held"},
        {**ORDER, "id": "sl", "type": "stop", "limit_price": None, "stop_price": "145", "status": "held"},
    ]
    parent = mapping.order_from_broker({**ORDER, "order_class": "bracket", "legs": legs})
    assert (parent.stop_loss, parent.take_profit) == ("145", "160")


def test_crypto_symbols_orders_and_positions() -> None:
    order = mapping.order_from_broker({**ORDER, "symbol": "BTC/USD", "asset_class": "crypto"})
    assert order.symbol == "BTC/USD"
    position = mapping.position_from_broker(
        loads(
            '{"asset_id":"x","symbol":"BTCUSD","exchange":"CRYPTO","asset_class":"crypto","qty":"0.5",'
            '"side":"long","avg_entry_price":"65000.1","current_price":"65100","unrealized_pl":"49.95"}'
        )
    )
    assert (position.symbol, position.id, position.quantity) == ("BTC/USD", "BTCUSD", "0.5")
    assert mapping.position_id("BTC/USD") == "BTCUSD" and mapping.is_crypto_symbol("BTC/USD")


def test_short_position_has_a_positive_size() -> None:
    position = mapping.position_from_broker(
        {"symbol": "AAPL", "asset_class": "us_equity", "qty": "-5", "side": "short", "avg_entry_price": "180"}
    )
    assert position.side == PositionSide.SHORT and position.quantity == "5"


def test_modify_payload_and_trailing_rule() -> None:
    order = mapping.order_from_broker(ORDER)
    assert mapping.modify_payload(ModifyOrderRequest(limit_price="188", quantity="5"), order) == {
        "qty": "5",
        "limit_price": "188",
    }
    trailing = mapping.order_from_broker(
        {**ORDER, "type": "trailing_stop", "limit_price": None, "trail_price": "1"}
    )
    assert mapping.modify_payload(ModifyOrderRequest(trailing_distance="2"), trailing) == {"trail": "2"}
    with pytest.raises(OrderNotModifiable) as caught:
        mapping.modify_payload(ModifyOrderRequest(quantity="2"), trailing)
    assert caught.value.details == {"order_id": trailing.id}
    # rest.md: a change the order type cannot take is 409 with {"order_id"}.
    with pytest.raises(OrderNotModifiable):
        mapping.modify_payload(ModifyOrderRequest(stop_price="1"), order)  # a LIMIT has no stop
    with pytest.raises(UnsupportedOperation):
        mapping.modify_payload(ModifyOrderRequest(stop_loss="1"), order)
    assert mapping.modify_payload(ModifyOrderRequest(), order) == {}


# -- events ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "created_before", "expected"),
    [
        ("new", False, OrderEventType.ORDER_CREATED),
        ("accepted", False, OrderEventType.ORDER_CREATED),
        ("pending_new", False, OrderEventType.ORDER_CREATED),
        ("new", True, OrderEventType.ORDER_MODIFIED),
        ("partial_fill", True, OrderEventType.ORDER_PARTIALLY_FILLED),
        ("fill", True, OrderEventType.ORDER_FILLED),
        ("canceled", True, OrderEventType.ORDER_CANCELLED),
        ("expired", True, OrderEventType.ORDER_EXPIRED),
        ("rejected", True, OrderEventType.ORDER_REJECTED),
        ("replaced", True, OrderEventType.ORDER_MODIFIED),
        ("pending_replace", True, OrderEventType.ORDER_MODIFIED),
        ("pending_cancel", True, OrderEventType.ORDER_MODIFIED),
        ("done_for_day", True, OrderEventType.ORDER_MODIFIED),
        ("stopped", True, OrderEventType.ORDER_MODIFIED),
        ("calculated", True, OrderEventType.ORDER_MODIFIED),
        ("suspended", True, OrderEventType.ORDER_MODIFIED),
        ("restated", True, OrderEventType.ORDER_MODIFIED),
        ("order_cancel_rejected", True, None),
        ("order_replace_rejected", True, None),
    ],
)
def test_event_table(event: str, created_before: bool, expected: OrderEventType | None) -> None:
    assert mapping.order_event_type(event, created_before=created_before) == expected


def test_bracket_parent_events() -> None:
    assert (
        mapping.order_event_type("new", created_before=False, bracket=True)
        == OrderEventType.BRACKET_ORDER_CREATED
    )
    assert mapping.order_event_type("replaced", created_before=True, bracket=True) == (
        OrderEventType.BRACKET_ORDER_MODIFIED
    )


def test_fill_event_execution_size_is_the_increase_of_filled_qty() -> None:
    data = loads(
        '{"event":"fill","execution_id":"e2","timestamp":"2026-03-16T18:38:03.5Z","price":"187.50","qty":"6",'
        '"position_qty":"10","order":{"id":"o1","symbol":"AAPL","asset_class":"us_equity","side":"buy",'
        '"filled_qty":"10","filled_avg_price":"187.494","status":"filled"}}'
    )
    trade = mapping.trade_from_fill(data, previous_filled=Decimal("4"))
    assert (trade.quantity, trade.price, trade.order_id, trade.id) == ("6", "187.50", "o1", "o1:10")
    assert mapping.trade_from_fill(data, previous_filled=None).quantity == "6"


def test_fill_activity_shares_the_stream_fills_id() -> None:
    activity = loads(
        '{"id":"20260202135509981::2d7be4ff","activity_type":"FILL",'
        '"transaction_time":"2026-02-02T13:55:09.981Z","type":"fill","price":"174.78","qty":"2",'
        '"side":"buy","symbol":"AAPL","leaves_qty":"0","cum_qty":"2",'
        '"order_id":"o9","order_status":"filled"}'
    )
    trade = mapping.trade_from_activity(activity)
    assert (trade.id, trade.quantity, trade.price, trade.side) == ("o9:2", "2", "174.78", Side.BUY)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("0", "10", [PositionEventType.POSITION_OPENED]),
        ("10", "4", [PositionEventType.POSITION_MODIFIED]),
        ("4", "0", [PositionEventType.POSITION_CLOSED]),
        ("4", "-2", [PositionEventType.POSITION_CLOSED, PositionEventType.POSITION_OPENED]),
        ("3", "3", []),
    ],
)
def test_position_events_from_position_qty(
    before: str, after: str, expected: list[PositionEventType]
) -> None:
    assert mapping.position_event_type(Decimal(before), Decimal(after)) == expected


def test_market_data_numbers_stay_exact() -> None:
    body = loads('{"symbol":"AAPL","quote":{"t":"2026-03-16T18:38:02.123456789Z","ax":"V","ap":173.24,"as":4,'
                 '"bx":"V","bp":173.21,"bs":4,"c":["R"],"z":"C"}}')  # fmt: skip
    quote = mapping.quote_from_broker("AAPL", body["quote"])
    assert (quote.bid, quote.ask, quote.bid_size, quote.last) == ("173.21", "173.24", "4", "173.225")
    bar = mapping.bar_from_broker(
        "AAPL",
        mapping.Timeframe.M1,
        loads(
            '{"t":"2021-02-01T16:01:00Z","o":133.32,"h":133.74,"l":133.31,"c":133.5,"v":9876,'
            '"n":54,"vw":133.5}'
        ),
    )
    assert (bar.open, bar.high, bar.close, bar.volume) == ("133.32", "133.74", "133.5", "9876")


def test_account_money_fields() -> None:
    account = mapping.account_from_broker(
        {
            "cash": "1000.5",
            "equity": "1500.25",
            "buying_power": "3000",
            "initial_margin": "250",
            "currency": "USD",
        },
        unrealized_pnl=Decimal("12.5"),
    )
    assert (account.balance, account.equity, account.margin_used, account.margin_available) == (
        "1000.5",
        "1500.25",
        "250",
        "3000",
    )
    assert account.unrealized_pnl == "12.5"


@pytest.mark.parametrize(
    ("before_qty", "position_qty", "price", "expected"),
    [
        ("0", "10", "100", ("10", "long", "100")),  # opened at the fill's price
        ("10", "15", "103", ("15", "long", "101")),  # added: averaged by size
        ("15", "5", "90", ("5", "long", "101")),  # reduced: the entry price stays
        ("5", "-3", "95", ("-3", "short", "95")),  # crossed zero: the rest opened at the fill's price
        ("-3", "0", "94", None),  # closed
    ],
)
def test_a_position_after_one_fill_is_netted_as_alpaca_does(
    before_qty: str, position_qty: str, price: str, expected: tuple[str, str, str] | None
) -> None:
    from tradewire.brokers.alpaca.netting import after_fill

    before = None if before_qty == "0" else {"avg_entry_price": {"10": "100", "15": "101", "5": "101",
                                                                 "-3": "95"}[before_qty]}  # fmt: skip
    body = after_fill(
        before,
        Decimal(before_qty),
        symbol="AAPL",
        asset_class="us_equity",
        price=Decimal(price),
        position_qty=Decimal(position_qty),
    )
    assert (None if body is None else (body["qty"], body["side"], body["avg_entry_price"])) == expected


# -- sized by notional (rest.md "Sized by notional") ---------------------------------------------
def notional_req(**kw: object) -> SubmitOrderRequest:
    return req(**{"quantity": None, "notional": "100", **kw})


def test_a_notional_order_is_sent_as_notional_and_a_stock_one_as_day() -> None:
    stock = mapping.normalize_submit(notional_req(notional="100.129"), AAPL)
    assert (stock.notional, stock.time_in_force) == ("100.12", TimeInForce.DAY)
    payload = mapping.order_payload(stock, "c1", AAPL)
    assert "qty" not in payload
    assert (payload["notional"], payload["type"], payload["time_in_force"]) == ("100.12", "market", "day")
    crypto = mapping.normalize_submit(notional_req(symbol="BTC/USD", notional="250.1234567891"), BTC)
    payload = mapping.order_payload(crypto, "c2", BTC)
    assert (payload["notional"], payload["time_in_force"]) == ("250.123456789", "gtc")


def test_a_stock_notional_under_a_dollar_is_invalid_quantity() -> None:
    with pytest.raises(OrderRejected) as caught:
        mapping.normalize_submit(notional_req(notional="0.999"), AAPL)
    assert caught.value.details["reject_code"] == "INVALID_QUANTITY"
    assert caught.value.details["field"] == "notional"


@pytest.mark.parametrize(
    ("asset", "kw", "field"),
    [
        (GME, {"symbol": "GME"}, "notional"),
        (AAPL, {"time_in_force": TimeInForce.GTC}, "time_in_force"),
        (AAPL, {"time_in_force": TimeInForce.IOC}, "time_in_force"),
        (BTC, {"symbol": "BTC/USD", "time_in_force": TimeInForce.DAY}, "time_in_force"),
        (AAPL, {"reduce_only": True}, "reduce_only"),
        (BTC, {"symbol": "BTC/USD", "reduce_only": True}, "reduce_only"),
    ],
)
def test_notional_refusals(asset: Asset, kw: dict[str, object], field: str) -> None:
    with pytest.raises(UnsupportedOperation) as caught:
        mapping.check_supported(notional_req(**kw), asset)
    assert caught.value.details["field"] == field


def test_notional_taken_on_fractionable_stocks_day_and_crypto_gtc_ioc() -> None:
    mapping.check_supported(notional_req(), AAPL)
    mapping.check_supported(notional_req(time_in_force=TimeInForce.DAY), AAPL)
    for tif in (None, TimeInForce.GTC, TimeInForce.IOC):
        mapping.check_supported(notional_req(symbol="BTC/USD", time_in_force=tif), BTC)


#: A notional order as Alpaca answers it: `qty` null until it names one (alpaca.md §7).
NOTIONAL_ORDER = {**ORDER, "type": "market", "order_type": "market", "limit_price": None, "qty": None,
                  "notional": "100"}  # fmt: skip


def test_a_notional_order_echoes_it_with_the_quantity_filled_so_far() -> None:
    new = mapping.order_from_broker({**NOTIONAL_ORDER, "status": "new"})
    assert (new.notional, new.quantity, new.filled_quantity, new.remaining_quantity) == ("100", "0", "0", "0")
    assert new.status == OrderStatus.OPEN
    part = mapping.order_from_broker({**NOTIONAL_ORDER, "status": "partially_filled", "filled_qty": "0.2"})
    assert (part.quantity, part.remaining_quantity, part.status) == ("0.2", "0", OrderStatus.PARTIALLY_FILLED)
    done = mapping.order_from_broker({**NOTIONAL_ORDER, "status": "filled", "filled_qty": "0.533304890"})
    assert (done.notional, done.quantity, done.remaining_quantity) == ("100", "0.533304890", "0")
    named = mapping.order_from_broker(
        {**NOTIONAL_ORDER, "status": "filled", "qty": "0.5", "filled_qty": "0.5"}
    )
    assert (named.quantity, named.remaining_quantity) == ("0.5", "0")  # once Alpaca names it
    assert mapping.order_from_broker(ORDER).notional is None


def test_an_unknown_status_of_a_partly_filled_notional_order_is_not_filled() -> None:
    order = mapping.order_from_broker({**NOTIONAL_ORDER, "status": "brand_new_status", "filled_qty": "0.2"})
    assert order.status == OrderStatus.PARTIALLY_FILLED


def test_a_client_id_is_the_same_order_only_for_the_same_sizing() -> None:
    payload = mapping.order_payload(mapping.normalize_submit(notional_req(), AAPL), "c1", AAPL)
    assert mapping.same_order(payload, NOTIONAL_ORDER)
    assert mapping.same_order(payload, {**NOTIONAL_ORDER, "qty": "0.5", "filled_qty": "0.5"})  # filled since
    assert not mapping.same_order(payload, {**NOTIONAL_ORDER, "notional": "101"})
    by_qty = mapping.order_payload(req(quantity="1", time_in_force=TimeInForce.DAY), "c1", AAPL)
    assert not mapping.same_order(by_qty, {**NOTIONAL_ORDER, "qty": "1", "filled_qty": "1"})
    assert not mapping.same_order(payload, {**ORDER, "type": "market", "limit_price": None, "qty": "1"})
