"""Alpaca's error answers: HTTP status, integer `code` and `message`, as its REST API writes them."""

from __future__ import annotations

from typing import Any

MALFORMED = 40010001  # 400 malformed request, and most 422 validation failures
UNAUTHORIZED = 40110000
FORBIDDEN = 40310000  # buying power, qty available, shorting, flips
NOT_FOUND = 40410000
UNPROCESSABLE = 42210000  # sub-penny prices, not cancelable / replaceable
RATE_LIMITED = 42910000
INTERNAL = 50010000


class AlpacaError(Exception):
    """An error answer; `code=None` writes Alpaca's code-less body (`{"message": "forbidden."}`)."""

    def __init__(self, status: int, code: int | None, message: str, **context: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.context = context

    def body(self) -> dict[str, Any]:
        head: dict[str, Any] = {} if self.code is None else {"code": self.code}
        return {**head, "message": self.message, **self.context}


def code_for(status: int) -> int | None:
    """Alpaca's usual `code` for an HTTP status (None: a code-less body)."""
    return {
        400: MALFORMED,
        401: UNAUTHORIZED,
        403: FORBIDDEN,
        404: NOT_FOUND,
        422: UNPROCESSABLE,
        429: RATE_LIMITED,
        500: INTERNAL,
    }.get(status)


def malformed(message: str) -> AlpacaError:
    return AlpacaError(400, MALFORMED, message)


def invalid(message: str) -> AlpacaError:
    return AlpacaError(422, MALFORMED, message)


def unprocessable(message: str) -> AlpacaError:
    return AlpacaError(422, UNPROCESSABLE, message)


def forbidden(message: str, **context: Any) -> AlpacaError:
    return AlpacaError(403, FORBIDDEN, message, **context)


def not_found(message: str) -> AlpacaError:
    return AlpacaError(404, NOT_FOUND, message)


def duplicate_client_order_id() -> AlpacaError:
    return invalid("client_order_id must be unique")


def rate_limited() -> AlpacaError:
    return AlpacaError(429, RATE_LIMITED, "rate limit exceeded")


def internal() -> AlpacaError:
    return AlpacaError(500, INTERNAL, "internal server error occurred")
