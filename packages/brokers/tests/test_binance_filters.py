"""exchangeInfo rules with Decimal (binance.md §6): the grid of rest.md's precision rule, filters by name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tradewire.brokers.binance.filters import OrderFigures, SymbolRules
from tradewire.protocol.errors import OrderRejected


@pytest.fixture
def rules(btcusdt: dict[str, Any]) -> SymbolRules:
    return SymbolRules.from_broker(btcusdt)


def test_grid_from_price_filter_and_lot_size_and_market_lot_size_of_zero_falls_back(
    rules: SymbolRules,
) -> None:
    grid = rules.grid()
    assert (grid.tick_size, grid.lot_step, grid.min_quantity) == (
        Decimal("0.01"),
        Decimal("0.00001"),
        Decimal("0.00001"),
    )
    assert rules.grid(market=True).lot_step == Decimal("0.00001")  # MARKET_LOT_SIZE stepSize 0
    assert rules.trailing_allowed and rules.amend_allowed and rules.oto_allowed


def figures(**kw: object) -> OrderFigures:
    base: dict[str, object] = {
        "side": "BUY",
        "market": False,
        "quantity": Decimal("0.01"),
        "price": Decimal("50000"),
    }
    return OrderFigures(**{**base, **kw})  # type: ignore[arg-type]


def refused(rules: SymbolRules, order: OrderFigures) -> OrderRejected:
    with pytest.raises(OrderRejected) as caught:
        rules.check(order)
    return caught.value


def test_a_valid_order_passes(rules: SymbolRules) -> None:
    rules.check(figures(reference=Decimal("50000")))


@pytest.mark.parametrize(
    ("order", "name", "code"),
    [
        (figures(quantity=Decimal("0.00001")), "NOTIONAL", "INVALID_QUANTITY"),
        (figures(quantity=Decimal("9001")), "LOT_SIZE", "INVALID_QUANTITY"),
        (
            figures(market=True, quantity=Decimal("101"), price=None, reference=Decimal("1")),
            "MARKET_LOT_SIZE",
            "INVALID_QUANTITY",
        ),
        (figures(price=Decimal("0.001")), "PRICE_FILTER", "INVALID_PRICE"),
        (
            figures(price=Decimal("300000"), reference=Decimal("50000")),
            "PERCENT_PRICE_BY_SIDE",
            "INVALID_PRICE",
        ),
        (figures(trailing_delta=5000), "TRAILING_DELTA", "INVALID_PRICE"),
        (figures(quantity=Decimal("1"), iceberg=Decimal("0.05")), "ICEBERG_PARTS", "INVALID_QUANTITY"),
    ],
)
def test_each_filter_is_refused_by_name_before_sending(
    rules: SymbolRules, order: OrderFigures, name: str, code: str
) -> None:
    error = refused(rules, order)
    assert error.status == 422
    assert error.details["filter"] == name and error.details["reject_code"] == code
    assert name in str(error)


def test_market_notional_uses_the_reference_price_and_is_skipped_without_one(rules: SymbolRules) -> None:
    small = figures(market=True, price=None, quantity=Decimal("0.00001"))
    rules.check(small)  # no price known: Binance checks its own average price
    assert refused(
        rules, figures(market=True, price=None, quantity=Decimal("0.00001"), reference=Decimal("50000"))
    )


def test_a_notional_is_floored_to_the_quote_precision_and_checked_by_itself(
    rules: SymbolRules, btcusdt: dict[str, Any]
) -> None:
    two = SymbolRules.from_broker({**btcusdt, "quoteAssetPrecision": 2})
    assert two.quote_amount(Decimal("100.129")) == Decimal("100.12")
    assert rules.quote_amount(Decimal("100.129")) == Decimal("100.129")  # 8 places
    assert SymbolRules.from_broker({**btcusdt, "quoteAssetPrecision": 0}).quote_precision == 0
    assert (
        SymbolRules.from_broker({**btcusdt, "quoteAssetPrecision": None, "quotePrecision": 4}).quote_precision
        == 4
    )
    with pytest.raises(OrderRejected) as caught:
        two.quote_amount(Decimal("0.009"))
    assert caught.value.details["field"] == "notional"
    assert rules.quote_market_allowed
    by_notional = figures(market=True, price=None, quantity=Decimal(0), notional=Decimal("5"))
    rules.check(by_notional)  # no LOT_SIZE for a quantity Binance works out; NOTIONAL without a price
    small = refused(rules, figures(market=True, price=None, quantity=Decimal(0), notional=Decimal("4.99")))
    assert small.details["filter"] == "NOTIONAL" and small.details["reject_code"] == "INVALID_QUANTITY"
