"""Order requests from keywords: quantity or notional (rest.md "Sized by notional"), always a client id."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewire.sdk import Strategy
from tradewire.sdk._requests import build_order


def test_an_order_sized_by_notional_carries_no_quantity() -> None:
    request = build_order(symbol="BTCUSDT", side="buy", notional=Decimal("250.5"))
    assert request.notional == "250.5" and request.quantity is None
    assert request.client_order_id, "the retry-safe id is set as for any order"


def test_an_order_needs_a_quantity_or_a_notional() -> None:
    with pytest.raises(TypeError, match="quantity or notional"):
        build_order(symbol="BTCUSDT", side="buy")
    both = build_order(symbol="BTCUSDT", side="buy", quantity="1", notional="5")
    assert (both.quantity, both.notional) == ("1", "5"), "the venue's 400 names the conflict, not the SDK"


@pytest.mark.parametrize("method", ["buy", "sell"])
def test_buy_and_sell_take_one_of_quantity_and_notional(method: str) -> None:
    strategy = Strategy()
    place = getattr(strategy, method)
    with pytest.raises(TypeError, match=rf"{method}\(\) takes a quantity or a notional"):
        place("AAA")
    with pytest.raises(TypeError, match=rf"{method}\(\) takes a quantity or a notional"):
        place("AAA", 1, notional=100)
    with pytest.raises(RuntimeError, match="not running"):
        place("AAA", notional=100)
