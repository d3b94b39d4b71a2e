"""Error-table and public-surface seam: codes, statuses and exception classes agree with the spec, in one place."""

from __future__ import annotations

import orjson
import pytest

import tradewire.protocol as protocol
from tradewire.protocol import codec, errors, routes
from tradewire.protocol.messages import ErrorBody, ErrorCode

SPEC_STATUS = {
    "INVALID_REQUEST": 400,
    "INVALID_VALUE": 400,
    "VALIDATION_ERROR": 400,
    "UNAUTHORIZED": 401,
    "ORDER_NOT_FOUND": 404,
    "POSITION_NOT_FOUND": 404,
    "SYMBOL_NOT_FOUND": 404,
    "OCO_GROUP_NOT_FOUND": 404,
    "ORDER_NOT_MODIFIABLE": 409,
    "RESET_COOLDOWN": 409,
    "ORDER_REJECTED": 422,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
    "UNSUPPORTED_OPERATION": 501,
    "PROVIDER_ERROR": 502,
    "SHUTTING_DOWN": 503,
    "PROVIDER_UNAVAILABLE": 503,
}


def test_table_covers_every_code_with_the_spec_status() -> None:
    table = {codec.enum_spelling(row.code): row.status for row in errors.ERROR_TABLE}
    assert table == SPEC_STATUS
    assert {codec.enum_spelling(c) for c in ErrorCode if c} == set(SPEC_STATUS)
    assert len({row.exception for row in errors.ERROR_TABLE}) == len(errors.ERROR_TABLE)


def test_exceptions_carry_their_code_and_status() -> None:
    err = errors.OrderNotFound("Order not found: ord-42", {"resource": "order", "id": "ord-42"})
    assert (err.code, err.status) == (ErrorCode.ORDER_NOT_FOUND, 404)
    assert isinstance(err, errors.NotFound) and isinstance(err, errors.TradewireError)
    wire = orjson.loads(codec.encode(err.to_body()))
    assert wire == {
        "code": "ORDER_NOT_FOUND",
        "message": "Order not found: ord-42",
        "details": {"resource": "order", "id": "ord-42"},
    }


def test_bodies_become_typed_exceptions_again() -> None:
    for row in errors.ERROR_TABLE:
        raised = errors.error_from_body(ErrorBody(code=row.code, message="m"), retry_after=2.0)
        assert type(raised) is row.exception
    limited = errors.error_from_body(
        ErrorBody(code=ErrorCode.RATE_LIMITED, message="slow down"), retry_after=2.0
    )
    assert isinstance(limited, errors.RateLimited) and limited.retry_after == 2.0


def test_decode_errors_are_invalid_requests_with_the_field() -> None:
    with pytest.raises(errors.InvalidRequest) as info:
        codec.decode(
            protocol.messages.SubmitOrderRequest,
            b'{"symbol":"A","side":"BUY","quantity":"x","order_type":"MARKET"}',
        )
    body = orjson.loads(codec.encode(info.value.to_body()))
    assert body == {
        "code": "INVALID_REQUEST",
        "message": 'Invalid JSON: quantity: not a decimal: "x"',
        "details": {"field": "quantity"},
    }


def test_routes_encode_symbols_once() -> None:
    assert routes.path(routes.QUOTE, symbol="BTC/USD") == "/v1/quotes/BTC%2FUSD"
    assert routes.path(routes.POSITION, position_id="pos-F:EURUSD") == "/v1/positions/pos-F%3AEURUSD"
    assert routes.ORDERS_HISTORY == "/v1/orders/history"
    assert {routes.LIVEZ, routes.READYZ, routes.HEALTH, routes.METRICS} == routes.PUBLIC


def test_public_surface() -> None:
    assert sorted(protocol.__all__) == [
        "StreamBatch",
        "Venue",
        "codec",
        "errors",
        "messages",
        "platforms",
        "routes",
    ]
    for name in protocol.__all__:
        assert getattr(protocol, name) is not None
    with pytest.raises(AttributeError):
        protocol.nonexistent  # noqa: B018
