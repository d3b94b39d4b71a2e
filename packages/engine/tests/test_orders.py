"""Pins order lifecycles through the shared ProtocolOperations: brackets and their legs, OCO groups,
modify and cancel, idempotent submit, validation errors and business rejections."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewire.protocol import errors

ROWS = [
    ("100.00", "101.00", "99.00", "100.50"),
    ("100.80", "102.00", "100.20", "101.50"),
    ("101.00", "101.20", "98.00", "98.50"),
    ("97.00", "99.00", "96.50", "98.00"),
    ("98.00", "99.00", "97.50", "98.50"),
]


def events(s):
    return [(e["event"], e["order"]["id"]) for e in s.payloads("order")]


def test_bracket_entry_creates_legs_and_one_leg_cancels_the_other(bars, run):
    s, res = run(
        bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 10, stop_loss="99.00", take_profit="110.00")}
    )
    assert events(s) == [
        ("BRACKET_ORDER_CREATED", "ord-000001"),
        ("ORDER_FILLED", "ord-000001"),
        ("ORDER_CREATED", "ord-000002"),  # stop-loss leg
        ("ORDER_CREATED", "ord-000003"),  # take-profit leg
        ("ORDER_FILLED", "ord-000002"),  # bar 2 trades down to 98.00
        ("ORDER_CANCELLED", "ord-000003"),
    ]
    legs = [e for e in s.payloads("order") if e["event"] == "ORDER_CREATED"]
    assert legs[0]["parent_order_id"] == "ord-000001" and legs[0]["order"]["parent_order_id"] == "ord-000001"
    assert legs[0]["order"]["order_type"] == "STOP" and legs[0]["order"]["stop_price"] == "99.00"
    assert legs[0]["order"]["reduce_only"] is True and legs[0]["order"]["side"] == "SELL"
    assert legs[1]["order"]["order_type"] == "LIMIT" and legs[1]["order"]["limit_price"] == "110.00"
    assert [(f.side, f.price) for f in res.fills] == [("BUY", Decimal("100.80")), ("SELL", Decimal("99.00"))]
    assert res.open_positions == {}


def test_modify_position_exits_moves_the_stop_leg(bars, run):
    from tradewire.protocol import messages as m

    def move(bt):
        return bt.operations.modify_exits("pos-AAPL", m.ModifyPositionExitsRequest(stop_loss="95.00"))

    s, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", 10, stop_loss="99.00"), 1: move})
    placement = s.results[1]
    assert placement.stop_loss.order_ids == ["ord-000002"] and placement.stop_loss.trigger_price == "95.00"
    assert ("ORDER_MODIFIED", "ord-000002") in events(s)
    assert [f.side for f in res.fills] == ["BUY"]  # 95.00 was never reached


def test_oco_fill_cancels_the_group(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: (
                bt.buy("AAPL", 1, "LIMIT", limit_price="99.50", oco_group_id="g1"),
                bt.buy("AAPL", 1, "STOP", stop_price="101.80", oco_group_id="g1"),
            )
        },
    )
    assert [(f.order_id, f.price) for f in res.fills] == [("ord-000002", Decimal("101.80"))]
    assert ("ORDER_CANCELLED", "ord-000001") in events(s)


def test_modify_then_cancel_a_working_limit(bars, run):
    def modify(bt):
        return bt.modify("ord-000001", limit_price="99.10", quantity="3")

    s, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: bt.buy("AAPL", 5, "LIMIT", limit_price="90.00"),
            1: modify,
            2: lambda bt: bt.cancel("ord-000001"),
            3: lambda bt: bt.cancel("ord-000001"),
        },
    )
    assert s.results[1].order.limit_price == "99.10" and s.results[1].order.quantity == "3"
    assert [e for e, _ in events(s)] == ["ORDER_CREATED", "ORDER_MODIFIED", "ORDER_FILLED"]
    # filled at 99.10 on bar 2, so the later cancels find a finished order
    assert res.fills[0].price == Decimal("99.10") and res.fills[0].quantity == 3
    assert isinstance(s.errors[2], errors.OrderNotModifiable)


def test_cancel_is_idempotent_for_cancelled_orders(bars, run):
    s, _ = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: bt.buy("AAPL", 5, "LIMIT", limit_price="90.00"),
            1: lambda bt: bt.cancel("ord-000001"),
            2: lambda bt: bt.cancel("ord-000001"),
        },
    )
    assert s.results[2].success and s.results[2].order.status.name == "CANCELLED"
    assert [e for e, _ in events(s)] == ["ORDER_CREATED", "ORDER_CANCELLED"]


def test_repeated_client_order_id_returns_the_same_order(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {0: lambda bt: (bt.buy("AAPL", 1, client_order_id="c-1"), bt.buy("AAPL", 1, client_order_id="c-1"))},
    )
    a, b = s.results[0]
    assert a is b and len(res.fills) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"symbol": "NOPE", "side": "BUY", "quantity": 1}, errors.SymbolNotFound, "Symbol not found: NOPE"),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": 0},
            errors.ValidationError,
            "quantity must be greater than 0",
        ),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "LIMIT"},
            errors.InvalidRequest,
            "Limit orders require limit_price",
        ),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "1", "limit_price": "1.00"},
            errors.InvalidValue,
            "limit_price is not allowed for Market orders",
        ),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "STOP_LIMIT", "stop_price": "1"},
            errors.InvalidRequest,
            "Stop limit orders require limit_price",
        ),
        ({"symbol": "AAPL", "side": "HOLD", "quantity": "1"}, errors.InvalidRequest, "unknown side"),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "0.000000009"},
            errors.OrderRejected,
            "below the minimum",
        ),
        ({"symbol": "AAPL", "side": "BUY", "quantity": "1" * 41}, errors.InvalidRequest, "too long"),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "LIMIT", "limit_price": "0.009"},
            errors.OrderRejected,
            "below one tick",
        ),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "LIMIT", "limit_price": "-1"},
            errors.InvalidValue,
            "limit_price must be greater than 0",
        ),
        ({"symbol": "AAPL", "side": "BUY", "quantity": 1.5}, errors.InvalidRequest, "not a decimal"),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "10", "display_quantity": "10"},
            errors.InvalidValue,
            "display_quantity must be below quantity",
        ),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "10", "display_quantity": "0"},
            errors.InvalidValue,
            "display_quantity must be greater than 0",
        ),
        (
            {"symbol": "AAPL", "side": "BUY", "quantity": "10", "leverage": "0"},
            errors.InvalidValue,
            "leverage must be greater than 0",
        ),
    ],
)
def test_validation_errors_are_typed(bars, run, kwargs, error, text):
    s, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.submit(**kwargs)})
    assert isinstance(s.errors[0], error), s.errors
    assert text in s.errors[0].message
    assert res.fills == []


def test_fine_values_are_normalized_onto_the_grid_never_more_aggressive(bars, run):
    """rest.md "Precision": quantities floored to the lot step, prices moved away from the market."""
    fine = "54.13012882970661470174299015"

    def place(bt):
        return [
            bt.submit("AAPL", "BUY", fine, "LIMIT", limit_price="90.019"),
            bt.submit("AAPL", "SELL", "1.000000019", "LIMIT", limit_price="120.001"),
            bt.submit("AAPL", "BUY", "1", "STOP", stop_price="120.001"),
            bt.submit("AAPL", "SELL", "1", "STOP", stop_price="80.019"),
            bt.submit(
                "AAPL", "BUY", "1", "LIMIT", limit_price="90.00", stop_loss="80.019", take_profit="130.001"
            ),
        ]

    s, _ = run(bars("AAPL", ROWS), {0: place})
    assert not s.errors, s.errors
    created = {e["order"]["id"]: e["order"] for e in s.payloads("order") if e["event"].endswith("CREATED")}
    o = [created[f"ord-00000{i}"] for i in range(1, 6)]
    assert (o[0]["quantity"], o[0]["limit_price"]) == ("54.13012882", "90.01")
    assert (o[1]["quantity"], o[1]["limit_price"]) == ("1.00000001", "120.01")
    assert o[2]["stop_price"] == "120.01" and o[3]["stop_price"] == "80.01"
    assert (o[4]["stop_loss"], o[4]["take_profit"]) == ("80.01", "130.01")


def test_a_buy_and_sell_of_the_same_fine_quantity_leave_no_position(bars, run):
    fine = "54.13012882970661470174299015"
    s, res = run(
        bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", fine), 1: lambda bt: bt.sell("AAPL", fine)}
    )
    assert not s.errors, s.errors
    assert [f.quantity for f in res.fills] == [Decimal("54.13012882")] * 2
    assert res.open_positions == {}


def test_partial_close_then_close_all(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: bt.buy("AAPL", 10),
            1: lambda bt: bt.close_position("AAPL", "4"),
            2: lambda bt: bt.close_all(),
        },
    )
    assert [(f.side, f.quantity) for f in res.fills] == [("BUY", 10), ("SELL", 4), ("SELL", 6)]
    pos_events = [e["event"] for e in s.payloads("position")]
    assert pos_events == ["POSITION_OPENED", "POSITION_MODIFIED", "POSITION_CLOSED"]
    modified = s.payloads("position")[1]["position"]
    assert modified["quantity"] == "6" and modified["realized_pnl"] == "0.80"  # 4 x (101.00 - 100.80)


def test_cancel_all_by_symbol(bars, run):
    s, _ = run(
        [bars("AAPL", ROWS), bars("MSFT", ROWS)],
        {
            0: lambda bt: (
                bt.buy("AAPL", 1, "LIMIT", limit_price="50.00"),
                bt.buy("MSFT", 1, "LIMIT", limit_price="50.00"),
                bt.cancel_all("AAPL"),
            )
        },
    )
    assert s.results[0][2].cancelled_count == 1
    assert [o.symbol for o in s.bt.open_orders()] == ["MSFT"]


def test_changing_an_entrys_exits_is_a_bracket_modification(bars, run):
    s, _ = run(
        bars("AAPL", ROWS),
        {
            0: lambda bt: bt.buy("AAPL", 1, "LIMIT", limit_price="90.00", stop_loss="85.00"),
            1: lambda bt: bt.modify("ord-000001", stop_loss="86.00", take_profit="120.00"),
        },
    )
    assert [e for e, _ in events(s)] == ["BRACKET_ORDER_CREATED", "BRACKET_ORDER_MODIFIED"]
    order = s.payloads("order")[1]["order"]
    assert (order["stop_loss"], order["take_profit"]) == ("86.00", "120.00")
