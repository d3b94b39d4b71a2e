"""The one error table: wire code → HTTP status → exception class → meaning (spec: README.md, enums.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradewire.protocol.json_value import json_to_value, value_to_json
from tradewire.protocol.messages import ErrorBody, ErrorCode


class TradewireError(Exception):
    """Base of every error the protocol defines. Carries the wire error body's fields.

    Args:
        message: Human-readable text; never contains secrets.
        details: Any JSON value that helps the caller (field name, ids, reasons).
    """

    code: ErrorCode = ErrorCode.INTERNAL_ERROR
    status: int = 500

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_body(self) -> ErrorBody:
        """The wire error body for this error."""
        return ErrorBody(
            code=self.code,
            message=self.message,
            details=None if self.details is None else json_to_value(self.details),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, details={self.details!r})"


class InvalidRequest(TradewireError):
    """Malformed JSON, missing required field, wrong type, unknown enum value, missing price."""


class InvalidValue(TradewireError):
    """A field has a forbidden value (non-positive price, price not allowed for the type)."""


class ValidationError(TradewireError):
    """A field breaks a constraint (quantity <= 0, symbol length, id length)."""


class AuthenticationError(TradewireError):
    """Missing or wrong API key."""


class NotFound(TradewireError):
    """Base of the 404 errors, for `except NotFound`; raise one of its concrete subclasses."""


class OrderNotFound(NotFound):
    """Unknown order id."""


class PositionNotFound(NotFound):
    """Unknown position id."""


class SymbolNotFound(NotFound):
    """Unknown symbol."""


class OcoGroupNotFound(NotFound):
    """Unknown OCO group."""


class OrderNotModifiable(TradewireError):
    """The order or exit leg cannot be changed in its current state."""


class ResetCooldown(TradewireError):
    """A circuit-breaker reset was refused during its cooldown."""


class OrderRejected(TradewireError):
    """The venue refused the order; `details` may carry `reject_code`."""


class RateLimited(TradewireError):
    """Too many requests; `retry_after` seconds when known."""

    def __init__(self, message: str, details: Any = None, retry_after: float | None = None) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after


class InternalError(TradewireError):
    """Unexpected gateway failure."""


class UnsupportedOperation(TradewireError):
    """The venue does not support this operation or order feature."""


class ProviderError(TradewireError):
    """The venue answered with an error."""


class ShuttingDown(TradewireError):
    """The gateway is stopping and takes no new orders."""


class ProviderUnavailable(TradewireError):
    """The venue cannot be reached; nothing happened."""


@dataclass(frozen=True)
class ErrorSpec:
    """One row of the error table."""

    code: ErrorCode
    status: int
    exception: type[TradewireError]
    meaning: str


ERROR_TABLE: tuple[ErrorSpec, ...] = (
    ErrorSpec(ErrorCode.INVALID_REQUEST, 400, InvalidRequest, "malformed or incomplete request"),
    ErrorSpec(ErrorCode.INVALID_VALUE, 400, InvalidValue, "a field has a forbidden value"),
    ErrorSpec(ErrorCode.VALIDATION_ERROR, 400, ValidationError, "a field breaks a constraint"),
    ErrorSpec(ErrorCode.UNAUTHORIZED, 401, AuthenticationError, "missing or wrong API key"),
    ErrorSpec(ErrorCode.ORDER_NOT_FOUND, 404, OrderNotFound, "unknown order id"),
    ErrorSpec(ErrorCode.POSITION_NOT_FOUND, 404, PositionNotFound, "unknown position id"),
    ErrorSpec(ErrorCode.SYMBOL_NOT_FOUND, 404, SymbolNotFound, "unknown symbol"),
    ErrorSpec(ErrorCode.OCO_GROUP_NOT_FOUND, 404, OcoGroupNotFound, "unknown OCO group"),
    ErrorSpec(ErrorCode.ORDER_NOT_MODIFIABLE, 409, OrderNotModifiable, "order cannot change in this state"),
    ErrorSpec(ErrorCode.RESET_COOLDOWN, 409, ResetCooldown, "breaker reset refused during cooldown"),
    ErrorSpec(ErrorCode.ORDER_REJECTED, 422, OrderRejected, "the venue refused the order"),
    ErrorSpec(ErrorCode.RATE_LIMITED, 429, RateLimited, "too many requests"),
    ErrorSpec(ErrorCode.INTERNAL_ERROR, 500, InternalError, "unexpected gateway failure"),
    ErrorSpec(ErrorCode.UNSUPPORTED_OPERATION, 501, UnsupportedOperation, "the venue does not support it"),
    ErrorSpec(ErrorCode.PROVIDER_ERROR, 502, ProviderError, "the venue answered with an error"),
    ErrorSpec(ErrorCode.SHUTTING_DOWN, 503, ShuttingDown, "the gateway is stopping"),
    ErrorSpec(ErrorCode.PROVIDER_UNAVAILABLE, 503, ProviderUnavailable, "the venue cannot be reached"),
)

BY_CODE: dict[ErrorCode, ErrorSpec] = {row.code: row for row in ERROR_TABLE}
BY_EXCEPTION: dict[type[TradewireError], ErrorSpec] = {row.exception: row for row in ERROR_TABLE}

for _row in ERROR_TABLE:
    _row.exception.code = _row.code
    _row.exception.status = _row.status


def status_for(code: ErrorCode) -> int:
    """HTTP status of a wire error code."""
    return BY_CODE[code].status


def error_from_body(body: ErrorBody, retry_after: float | None = None) -> TradewireError:
    """The typed exception for an error body received from a server."""
    spec = BY_CODE.get(body.code, BY_CODE[ErrorCode.INTERNAL_ERROR])
    details = None if body.details is None else value_to_json(body.details)
    if spec.exception is RateLimited:
        return RateLimited(body.message, details, retry_after=retry_after)
    return spec.exception(body.message, details)
