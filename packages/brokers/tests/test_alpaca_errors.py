"""Alpaca's error answers (alpaca.md §8) → the protocol's error table, the broker's words kept in details."""

from __future__ import annotations

import pytest

from tradewire.brokers._live.jsondecimal import loads
from tradewire.brokers._live.submit import DuplicateClientId, OutcomeUnknown
from tradewire.brokers.alpaca.errors import error_from_response
from tradewire.protocol.errors import (
    AuthenticationError,
    OrderNotFound,
    OrderNotModifiable,
    OrderRejected,
    PositionNotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
    ValidationError,
)


@pytest.mark.parametrize(
    ("status", "body", "subject", "kind", "reject_code"),
    [
        (403, '{"code":40310000,"message":"insufficient buying power"}', "submit", OrderRejected,
         "INSUFFICIENT_FUNDS"),
        (403, '{"code":40310000,"message":"insufficient qty available for order (requested: 10, '
              'available: 2)",'
              '"symbol":"AAPL","available":"2"}', "submit", OrderRejected, "INSUFFICIENT_FUNDS"),
        (403, '{"code":40310000,"message":"asset AAPL is not shortable"}', "submit", OrderRejected,
         "INVALID_SYMBOL"),
        (422, '{"code":40010001,"message":"qty must be > 0"}', "submit", OrderRejected, "INVALID_QUANTITY"),
        (422, '{"code":42210000,"message":"invalid limit_price 187.505. sub-penny increment does not fulfill '
              'minimum pricing criteria"}', "submit", OrderRejected, "INVALID_PRICE"),
        (403, '{"code":40310000,"message":"market is closed"}', "submit", OrderRejected, "MARKET_CLOSED"),
        (422, '{"code":40010001,"message":"something new"}', "submit", OrderRejected, "UNKNOWN"),
        (404, '{"code":40410000,"message":"order not found"}', "order", OrderNotFound, None),
        (404, '{"code":40410000,"message":"position does not exist"}', "position", PositionNotFound, None),
        (404, '{"code":40410000,"message":"asset not found"}', "symbol", SymbolNotFound, None),
        (422, '{"code":42210000,"message":"order is not cancelable"}', "order", OrderNotModifiable, None),
        (422, '{"code":42210000,"message":"order is not replaceable"}', "order", OrderNotModifiable, None),
        (401, '{"message":"unauthorized."}', "account", AuthenticationError, None),
        (401, '{"code":40110000,"message":"request is not authorized"}', "order", AuthenticationError, None),
        (400, '{"code":40010001,"message":"malformed request"}', "order", ValidationError, None),
        (500, '{"code":50010000,"message":"internal server error"}', "order", ProviderError, None),
        (503, '{"message":"service unavailable"}', "account", ProviderUnavailable, None),
    ],
)  # fmt: skip
def test_error_table(status: int, body: str, subject: str, kind: type, reject_code: str | None) -> None:
    error = error_from_response(status, loads(body), subject)
    assert type(error) is kind
    details = error.details  # type: ignore[attr-defined]
    assert details["broker"]["status"] == status
    assert details["broker"]["message"] == loads(body)["message"]  # Alpaca's own words are kept
    if "code" in loads(body):
        assert details["broker"]["code"] == loads(body)["code"]
    if reject_code is not None:
        assert details["reject_code"] == reject_code


@pytest.mark.parametrize(
    ("status", "subject", "kind", "details"),
    [
        (404, "order", OrderNotFound, {"resource": "order", "id": "ord-nope"}),
        (404, "position", PositionNotFound, {"resource": "position", "id": "ord-nope"}),
        (404, "data", SymbolNotFound, {"symbol": "ord-nope"}),
        (422, "order", OrderNotModifiable, {"order_id": "ord-nope"}),
    ],
)
def test_named_resources_carry_the_specs_details(
    status: int, subject: str, kind: type, details: dict
) -> None:
    error = error_from_response(status, {"code": 40410000, "message": "not here"}, subject, ident="ord-nope")
    assert type(error) is kind and error.details == details  # type: ignore[attr-defined]
    assert "not here" in str(error)  # Alpaca's words stay in the message


def test_403_context_is_kept() -> None:
    body = loads('{"code":40310000,"message":"insufficient qty available","symbol":"AAPL","available":"2"}')
    error = error_from_response(403, body, "submit")
    assert error.details["broker"]["symbol"] == "AAPL"  # type: ignore[attr-defined]


def test_submit_unknown_outcome_and_duplicate_id() -> None:
    assert isinstance(error_from_response(500, {"code": 50010000, "message": "x"}, "submit"), OutcomeUnknown)
    assert isinstance(error_from_response(504, None, "submit"), OutcomeUnknown)
    duplicate = loads('{"code":40010001,"message":"client_order_id must be unique"}')
    assert isinstance(error_from_response(422, duplicate, "submit"), DuplicateClientId)
    assert isinstance(error_from_response(422, duplicate, "order"), ValidationError)


def test_rate_limited_carries_retry_after() -> None:
    error = error_from_response(
        429, {"code": 42910000, "message": "rate limit exceeded"}, "order", retry_after=7.2
    )
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7.2 and error.details["retry_after_seconds"] == 7
