"""Binance's error answers → the protocol's error table (mapping.md §7, binance.md §10)."""

from __future__ import annotations

import pytest

from tradewire.brokers._live.submit import DuplicateClientId, OutcomeUnknown
from tradewire.brokers.binance.errors import ClockSkew, error_from_response
from tradewire.protocol.errors import (
    AuthenticationError,
    OrderNotFound,
    OrderNotModifiable,
    OrderRejected,
    RateLimited,
    SymbolNotFound,
)


def body(code: int, msg: str) -> dict[str, object]:
    return {"code": code, "msg": msg}


@pytest.mark.parametrize(
    ("msg", "reason"),
    [
        ("Account has insufficient balance for requested action.", "INSUFFICIENT_FUNDS"),
        ("Order would immediately match and take.", "POST_ONLY_VIOLATED"),
        ("Order would trigger immediately.", "INVALID_PRICE"),
        ("Market is closed.", "MARKET_CLOSED"),
    ],
)
def test_new_order_rejections_keep_binances_words(msg: str, reason: str) -> None:
    error = error_from_response(400, body(-2010, msg), "submit")
    assert isinstance(error, OrderRejected) and error.details["reject_code"] == reason
    assert error.details["broker"] == {"status": 400, "message": msg, "code": -2010}


def test_filter_failures_name_price_or_quantity() -> None:
    price = error_from_response(400, body(-1013, "Filter failure: PRICE_FILTER"), "submit")
    lot = error_from_response(400, body(-1013, "Filter failure: LOT_SIZE"), "submit")
    assert isinstance(price, OrderRejected) and price.details["reject_code"] == "INVALID_PRICE"
    assert isinstance(lot, OrderRejected) and lot.details["reject_code"] == "INVALID_QUANTITY"


def test_unknown_outcomes_and_duplicates_on_submit() -> None:
    assert isinstance(error_from_response(503, None, "submit"), OutcomeUnknown)
    assert isinstance(error_from_response(400, body(-1007, "Timeout waiting"), "submit"), OutcomeUnknown)
    assert isinstance(
        error_from_response(400, body(-2010, "Duplicate order sent."), "submit"), DuplicateClientId
    )


def test_the_rest_of_the_table() -> None:
    assert isinstance(error_from_response(400, body(-1021, "Timestamp outside"), "order"), ClockSkew)
    assert isinstance(error_from_response(401, body(-2015, "Invalid API-key"), "order"), AuthenticationError)
    assert isinstance(
        error_from_response(400, body(-1022, "Signature invalid"), "order"), AuthenticationError
    )
    assert isinstance(
        error_from_response(400, body(-1121, "Invalid symbol."), "symbol", ident="X"), SymbolNotFound
    )
    missing = error_from_response(400, body(-2013, "Order does not exist."), "order", ident="BTCUSDT-9")
    assert isinstance(missing, OrderNotFound) and missing.details == {"resource": "order", "id": "BTCUSDT-9"}
    assert isinstance(
        error_from_response(409, body(-2021, "half"), "modify", ident="A-1"), OrderNotModifiable
    )
    limited = error_from_response(429, body(-1003, "Too much request weight"), "order", retry_after=7)
    assert isinstance(limited, RateLimited) and limited.details["retry_after_seconds"] == 7
    assert isinstance(error_from_response(418, body(-1003, "banned"), "order", retry_after=120), RateLimited)
