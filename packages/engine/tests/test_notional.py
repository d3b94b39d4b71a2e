"""Pins MARKET orders sized by quote notional (rest.md "Sized by notional"): the quantity worked out at
the fill price and floored to the lot, expiry below one lot, the funds and holdings rules, partial fills
under a volume cap, the order's messages, and reproducible runs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewire.engine import FixedBps, PercentOfNotional
from tradewire.protocol import codec, errors

ROWS = [
    ("100.00", "101.00", "99.00", "100.50"),
    ("100.80", "102.00", "100.20", "101.50"),
    ("101.00", "101.20", "98.00", "98.50"),
    ("97.00", "99.00", "96.50", "98.00"),
]


def fills(res):
    return [(f.side, f.quantity, f.price) for f in res.fills]


def orders(s):
    return [(e["event"], e["order"]) for e in s.payloads("order")]


def test_a_notional_buy_fills_the_quantity_it_buys_at_the_fill_price_floored_to_the_lot(bars, run):
    # 1000 / 100.80 = 9.9206349206..., floored to 2 decimals (the lot step)
    s, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", notional="1000")}, quantity_decimals=2)
    assert fills(res) == [("BUY", Decimal("9.92"), Decimal("100.80"))]
    (created, c), (filled, f) = orders(s)
    assert (created, c["quantity"], c["remaining_quantity"], c["notional"]) == (
        "ORDER_CREATED",
        "0",
        "0",
        "1000.00",
    )
    assert (filled, f["quantity"], f["filled_quantity"], f["remaining_quantity"], f["notional"]) == (
        "ORDER_FILLED",
        "9.92",
        "9.92",
        "0",
        "1000.00",
    )
    assert s.bt.cash == Decimal(100000) - Decimal("9.92") * Decimal("100.80")


def test_a_notional_sell_receives_at_most_the_notional(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {0: lambda bt: bt.buy("AAPL", 20), 1: lambda bt: bt.sell("AAPL", notional="500.5")},
        quantity_decimals=0,
    )
    # the sell fills at bar 2's open 101.00: 500.5 / 101 = 4.95..., floored to whole lots
    assert fills(res) == [("BUY", Decimal(20), Decimal("100.80")), ("SELL", Decimal(4), Decimal("101.00"))]
    assert s.bt.position("AAPL") == Decimal(16)
    assert orders(s)[-1][1]["notional"] == "500.50"


def test_a_notional_is_floored_to_the_money_scale(bars, run):
    # money scale: 2 quantity decimals + 2 price decimals; the 5th decimal is never spent
    s, _ = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", notional="1000.00999")}, quantity_decimals=2)
    assert orders(s)[0][1]["notional"] == "1000.0099"


def test_slippage_counts_in_the_fill_price_the_quantity_is_worked_out_at(bars, run):
    # 100 bps above 100.80 is 101.808, rounded away from the trader to the tick: 101.81
    _, res = run(
        bars("AAPL", ROWS),
        {0: lambda bt: bt.buy("AAPL", notional="1000")},
        quantity_decimals=2,
        slippage=FixedBps(Decimal(100)),
    )
    assert fills(res) == [("BUY", Decimal("9.82"), Decimal("101.81"))]


def test_a_notional_below_one_lot_expires_unfilled(bars, run):
    s, res = run(bars("AAPL", ROWS), {0: lambda bt: bt.buy("AAPL", notional="100")}, quantity_decimals=0)
    assert res.fills == [] and s.errors == {}
    assert [(e, o["status"], o["filled_quantity"]) for e, o in orders(s)] == [
        ("ORDER_CREATED", "OPEN", "0"),
        ("ORDER_EXPIRED", "EXPIRED", "0"),
    ]


def test_a_notional_buy_beyond_the_cash_is_refused_as_a_quantity_order_is(bars, run):
    s, res = run(
        bars("BTC/USD", ROWS),
        {
            0: lambda bt: bt.buy("BTC/USD", 10),  # sets the price reference, fills at 100.80
            1: lambda bt: bt.buy("BTC/USD", notional="9000"),  # 1008 spent: 8992 left
            2: lambda bt: bt.buy("BTC/USD", notional="8992"),
        },
        account="cash",
        cash="10000",
        quantity_decimals=0,
    )
    assert isinstance(s.errors[1], errors.OrderRejected)
    assert s.errors[1].details["reject_code"] == "INSUFFICIENT_FUNDS"
    assert 2 not in s.errors  # all of the cash may be spent
    assert fills(res) == [("BUY", Decimal(10), Decimal("100.80")), ("BUY", Decimal(92), Decimal("97.00"))]


def test_the_commission_counts_against_the_cash_at_submit(bars, run):
    cfg = {"account": "cash", "cash": "10000", "quantity_decimals": 0}
    fee = PercentOfNotional(Decimal(1))
    # at the reference 100.50, 10000 buys 99 for 9949.50, and its 1 % fee of 99.495 goes beyond the cash
    s, res = run(bars("X", ROWS), {0: lambda bt: bt.buy("X", notional="10000")}, commission=fee, **cfg)
    assert s.errors[0].details["reject_code"] == "INSUFFICIENT_FUNDS" and res.fills == []
    s, res = run(bars("X", ROWS), {0: lambda bt: bt.buy("X", notional="9800")}, commission=fee, **cfg)
    assert s.errors == {} and fills(res) == [("BUY", Decimal(97), Decimal("100.80"))]


def test_a_margin_account_refuses_a_notional_beyond_its_buying_power(bars, run):
    s, _ = run(bars("X", ROWS), {0: lambda bt: bt.buy("X", notional="20001")}, cash="10000", leverage="2")
    assert isinstance(s.errors[0], errors.OrderRejected)
    assert s.errors[0].details["reject_code"] == "INSUFFICIENT_FUNDS"
    s, res = run(bars("X", ROWS), {0: lambda bt: bt.buy("X", notional="19000")}, cash="10000", leverage="2")
    assert s.errors == {} and len(res.fills) == 1


def test_a_notional_sell_follows_the_holdings_and_short_rules(bars, run):
    # nothing held on a cash account, nor on a long-only margin account: refused at submit
    s, _ = run(bars("X", ROWS), {0: lambda bt: bt.sell("X", notional="100")}, account="cash")
    assert s.errors[0].details["reject_code"] == "INSUFFICIENT_FUNDS"
    s, _ = run(bars("X", ROWS), {0: lambda bt: bt.sell("X", notional="100")}, allow_short=False)
    assert isinstance(s.errors[0], errors.OrderRejected)
    # 2 held; the sell of 1000 works out to 9 at the fill, more than held: rejected at the fill
    s, res = run(
        bars("X", ROWS),
        {0: lambda bt: bt.buy("X", 2), 1: lambda bt: bt.sell("X", notional="1000")},
        account="cash",
        quantity_decimals=0,
    )
    assert [e for e, _ in orders(s)][-1] == "ORDER_REJECTED" and len(res.fills) == 1
    # shorting allowed: a notional sell opens a short
    _, res = run(bars("X", ROWS), {0: lambda bt: bt.sell("X", notional="1008")}, quantity_decimals=0)
    assert fills(res) == [("SELL", Decimal(10), Decimal("100.80"))]


def test_under_a_volume_cap_the_quantity_is_fixed_at_the_first_execution(bars, run):
    # volume 1000 a bar at participation 0.1: 100 a bar. 25000 / 100.80 = 248.01 -> 248
    s, res = run(
        bars("AAPL", ROWS),
        {0: lambda bt: bt.buy("AAPL", notional="25000")},
        participation="0.1",
        quantity_decimals=0,
    )
    assert fills(res) == [
        ("BUY", Decimal(100), Decimal("100.80")),
        ("BUY", Decimal(100), Decimal("101.00")),
        ("BUY", Decimal(48), Decimal("97.00")),  # not re-sized at the lower price
    ]
    shown = [(e, o["quantity"], o["remaining_quantity"]) for e, o in orders(s)]
    assert shown == [
        ("ORDER_CREATED", "0", "0"),
        ("ORDER_PARTIALLY_FILLED", "248", "148"),
        ("ORDER_PARTIALLY_FILLED", "248", "48"),
        ("ORDER_FILLED", "248", "0"),
    ]


def test_a_fok_notional_order_larger_than_the_cap_expires(bars, run):
    s, res = run(
        bars("AAPL", ROWS),
        {0: lambda bt: bt.buy("AAPL", notional="25000", time_in_force="FOK")},
        participation="0.1",
        quantity_decimals=0,
    )
    assert res.fills == [] and [e for e, _ in orders(s)] == ["ORDER_CREATED", "ORDER_EXPIRED"]


def test_on_quotes_a_notional_order_fills_at_once_at_the_ask(run):
    import numpy as np

    from tradewire.engine import from_arrays

    ts = np.datetime64("2024-03-01T14:30:00", "ns") + np.arange(2) * np.timedelta64(1, "s")
    q = from_arrays(
        "EUR/USD",
        ts,
        bid=np.array([1.1000, 1.1002]),
        ask=np.array([1.1002, 1.1004]),
        price_decimals=4,
    )
    s, res = run(q, {0: lambda bt: bt.buy("EUR/USD", notional="1000")}, quantity_decimals=0)
    assert fills(res) == [("BUY", Decimal(908), Decimal("1.1002"))]  # 1000 / 1.1002 = 908.92...
    assert s.results[0].status == 5  # FILLED by the submit itself


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"quantity": 1, "notional": "10"}, errors.InvalidValue, "give quantity or notional, not both"),
        (
            {"order_type": "LIMIT", "limit_price": "99", "notional": "10"},
            errors.InvalidValue,
            "notional is not allowed for Limit orders",
        ),
        ({"notional": "10", "stop_loss": "90"}, errors.InvalidValue, "stop_loss is not allowed"),
        ({"notional": "10", "oco_group_id": "g"}, errors.InvalidValue, "oco_group_id is not allowed"),
        ({"notional": "10", "display_quantity": "1"}, errors.InvalidValue, "display_quantity is not"),
        ({"notional": "0"}, errors.ValidationError, "notional"),
        ({"notional": "-5"}, errors.ValidationError, "notional"),
        ({}, errors.InvalidRequest, "quantity: missing required field"),
    ],
)
def test_the_in_process_api_answers_the_gateways_words(bars, run, kwargs, error, text):
    s, _ = run(bars("AAPL", ROWS), {0: lambda bt: bt.submit("AAPL", "BUY", **kwargs)})
    assert type(s.errors[0]) is error and text in s.errors[0].message


@pytest.mark.parametrize("change", [{"quantity": "3"}, {"stop_loss": "90"}, {"take_profit": "110"}])
def test_the_quantity_and_exits_of_a_notional_order_cannot_be_modified(bars, run, change):
    def modify(bt):
        return bt.modify("ord-000001", **change)

    s, _ = run(bars("AAPL", ROWS), {0: lambda bt: (bt.buy("AAPL", notional="1000"), modify(bt))})
    assert isinstance(s.errors[0], errors.OrderNotModifiable)
    assert s.bt.order("ord-000001").status.name == "FILLED"  # it still fills at the next open


def test_capabilities_list_notional_orders(bars, run):
    s, _ = run(bars("AAPL", ROWS), {0: lambda bt: bt.operations.capabilities()})
    assert "notional_orders" in s.results[0].features


def test_runs_with_notional_orders_are_byte_identical(bars, run):
    def once() -> list[bytes]:
        s, _ = run(
            bars("AAPL", ROWS),
            {
                0: lambda bt: bt.buy("AAPL", notional="12345.6789"),
                1: lambda bt: bt.sell("AAPL", notional="3333.33"),
                2: lambda bt: bt.buy("AAPL", notional="99.99"),
            },
            participation="0.05",
            commission=PercentOfNotional(Decimal("0.1")),
        )
        return [codec.encode(e) for e in s.events]

    first = once()
    assert first == once()
    assert any(b'"notional":"12345.6789"' in e for e in first)
