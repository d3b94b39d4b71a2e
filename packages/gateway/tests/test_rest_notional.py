"""MARKET orders sized by quote notional over real HTTP (rest.md "Sized by notional"), on the mock and on
a backtest standing at a quote: the quantity is worked out at the touch and floored to the lot, the
order echoes its notional, a notional below one lot expires, one beyond the cash is 422."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from conftest import mock_venue
from harness import serve

from tradewire.testkit.harness import ThreadGateway

engine = pytest.importorskip("tradewire.engine", reason="needs tradewire-gateway[backtest]")


def backtest_venue():  # type: ignore[no-untyped-def]
    """A backtest held at its one quote (AAPL 200.00/200.50), so market orders fill at once."""
    series = engine.from_arrays(
        "AAPL",
        [dt.datetime(2026, 1, 5, 14, 30)],
        bid=[200.0],
        ask=[200.5],
        bid_size=[1000],
        ask_size=[1000],
        price_decimals=2,
    )
    venue = engine.BacktestVenue(series, engine.BacktestConfig(cash="10000", quantity_decimals=3))
    assert venue.next_batch() is not None
    return venue


#: The lot step of each venue: the mock's default 8 quantity decimals, the backtest's 3.
LOT = {"mock": Decimal("0.00000001"), "backtest": Decimal("0.001")}


@pytest.fixture(params=["mock", "backtest"])
def venue(request: pytest.FixtureRequest) -> Iterator[tuple[ThreadGateway, Decimal]]:
    made = mock_venue(symbols=("AAPL",)) if request.param == "mock" else backtest_venue()
    with serve(made) as running:
        yield running, LOT[request.param]


def submit(c, **fields):  # type: ignore[no-untyped-def]
    body = {"symbol": "AAPL", "side": "buy", "order_type": "market", **fields}
    return c.post("/v1/orders", json=body)


def test_capabilities_list_notional_orders(venue):
    with venue[0].client() as c:
        assert "notional_orders" in c.get("/v1/capabilities").json()["features"]


def test_a_notional_buy_then_sell_fill_at_most_the_notional(venue):
    gateway, lot = venue
    with gateway.client() as c:
        ask = Decimal(c.get("/v1/quotes/AAPL").json()["ask"])
        r = submit(c, notional="1000")
        assert r.status_code == 201, r.text
        order = c.get(f"/v1/orders/{r.json()['id']}").json()
        assert order["status"] == "FILLED" and order["notional"] == "1000.00"
        quantity = Decimal(order["quantity"])
        assert order["filled_quantity"] == order["quantity"] and order["remaining_quantity"] == "0"
        assert Decimal(order["average_fill_price"]) == ask
        assert quantity * ask <= 1000 < (quantity + lot) * ask  # floored to the lot, never more
        (trade,) = c.get("/v1/trades", params={"order_id": order["id"]}).json()
        assert Decimal(trade["quantity"]) == quantity
        bid = Decimal(c.get("/v1/quotes/AAPL").json()["bid"])
        r = submit(c, side="sell", notional="100")
        assert r.status_code == 201, r.text
        sold = c.get(f"/v1/orders/{r.json()['id']}").json()
        assert sold["status"] == "FILLED" and Decimal(sold["quantity"]) * bid <= 100
        assert Decimal(sold["quantity"]) > 0


def test_a_notional_below_one_lot_expires_unfilled(venue):
    gateway, lot = venue
    with gateway.client() as c:
        ask = Decimal(c.get("/v1/quotes/AAPL").json()["ask"])
        r = submit(c, notional=format(ask * lot / 2, "f"))
        assert r.status_code == 201, r.text
        order = c.get(f"/v1/orders/{r.json()['id']}").json()
        assert (order["status"], order["quantity"], order["filled_quantity"]) == ("EXPIRED", "0", "0")


def test_a_notional_beyond_the_cash_is_422_insufficient_funds(venue):
    with venue[0].client() as c:
        cash = Decimal(c.get("/v1/account").json()["margin_available"])
        r = submit(c, notional=str(cash * 10))
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "ORDER_REJECTED"
        assert r.json()["details"]["reject_code"] == "INSUFFICIENT_FUNDS"


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"notional": "10", "quantity": "1"}, 400, "INVALID_VALUE", "quantity"),
        ({"notional": "10", "order_type": "limit", "limit_price": "1"}, 400, "INVALID_VALUE", "notional"),
        ({"notional": "10", "stop_loss": "1"}, 400, "INVALID_VALUE", "stop_loss"),
        ({"notional": "0"}, 400, "VALIDATION_ERROR", "notional"),
        ({}, 400, "INVALID_REQUEST", "quantity"),
    ],
)
def test_bad_notional_requests_are_refused_before_the_venue(venue, fields, status, code, field):
    with venue[0].client() as c:
        r = submit(c, **fields)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["details"]["field"] == field
