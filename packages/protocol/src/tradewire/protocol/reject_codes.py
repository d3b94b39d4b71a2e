"""Refused orders: the `details.reject_code` values (enums.md) and one 422 message per reason, for every package."""

from __future__ import annotations

from typing import Final

from tradewire.protocol.errors import OrderRejected
from tradewire.protocol.messages import RejectReason

__all__ = [
    "FUNDS",
    "INSUFFICIENT_BALANCE",
    "INSUFFICIENT_FUNDS",
    "INSUFFICIENT_MARGIN",
    "INVALID_PRICE",
    "INVALID_QUANTITY",
    "INVALID_SYMBOL",
    "KEY",
    "MARKET_CLOSED",
    "POST_ONLY_VIOLATED",
    "REASON_KEY",
    "REDUCE_ONLY_VIOLATED",
    "UNKNOWN",
    "UNSUPPORTED_ORDER_TYPE",
    "code_in",
    "code_of",
    "rejected",
]

#: The `details` key of an error body that carries the code.
KEY: Final = "reject_code"
#: The older `details` key some venues use for the same value; read it when `KEY` is absent.
REASON_KEY: Final = "reject_reason"

# The codes that are also `RejectReason` values take their spelling from the schema.
INSUFFICIENT_MARGIN: Final[str] = RejectReason.INSUFFICIENT_MARGIN.name
INSUFFICIENT_BALANCE: Final[str] = RejectReason.INSUFFICIENT_BALANCE.name
INVALID_QUANTITY: Final[str] = RejectReason.INVALID_QUANTITY.name
INVALID_PRICE: Final[str] = RejectReason.INVALID_PRICE.name
MARKET_CLOSED: Final[str] = RejectReason.MARKET_CLOSED.name
REDUCE_ONLY_VIOLATED: Final[str] = RejectReason.REDUCE_ONLY_VIOLATED.name
POST_ONLY_VIOLATED: Final[str] = RejectReason.POST_ONLY_VIOLATED.name
UNKNOWN: Final[str] = RejectReason.UNKNOWN.name
# Codes of the error body that name no RejectReason (enums.md lists the first two as canonical).
INSUFFICIENT_FUNDS: Final = "INSUFFICIENT_FUNDS"
INVALID_SYMBOL: Final = "INVALID_SYMBOL"
#: With 501 UNSUPPORTED_OPERATION: the account model or venue lacks the order type or feature.
UNSUPPORTED_ORDER_TYPE: Final = "UNSUPPORTED_ORDER_TYPE"

#: Every code that means "not enough money".
FUNDS: Final = frozenset({INSUFFICIENT_FUNDS, INSUFFICIENT_BALANCE, INSUFFICIENT_MARGIN})

# Reasons whose error-body code is a canonical name other than their own.
_CODE_OF_REASON: Final = {
    RejectReason.INSUFFICIENT_MARGIN: INSUFFICIENT_FUNDS,
    RejectReason.INSUFFICIENT_BALANCE: INSUFFICIENT_FUNDS,
    RejectReason.SYMBOL_NOT_TRADEABLE: INVALID_SYMBOL,
}

# What the 422's message says for each reason ("Order rejected: <text>").
_TEXT: Final = {
    RejectReason.INSUFFICIENT_MARGIN: "insufficient buying power (margin)",
    RejectReason.INSUFFICIENT_BALANCE: "insufficient balance",
    RejectReason.INVALID_QUANTITY: "invalid quantity",
    RejectReason.INVALID_PRICE: "invalid price",
    RejectReason.SYMBOL_NOT_TRADEABLE: "symbol not tradeable",
    RejectReason.MARKET_CLOSED: "market closed",
    RejectReason.REDUCE_ONLY_VIOLATED: "reduce-only order would increase the position",
    RejectReason.POST_ONLY_VIOLATED: "post-only order would take liquidity",
    RejectReason.RATE_LIMITED: "rate limited by the venue",
}


def code_of(reason: RejectReason) -> str:
    """The `details.reject_code` a venue sends for an order refused with `reason`."""
    if reason == RejectReason.UNSPECIFIED:
        return UNKNOWN
    return _CODE_OF_REASON.get(reason) or reason.name


def code_in(details: object) -> str | None:
    """The reject code an error's `details` carries (`reject_code`, else `reject_reason`), if any."""
    if isinstance(details, dict):
        code = details.get(KEY) or details.get(REASON_KEY)
        return code if isinstance(code, str) else None
    return None


def rejected(reason: RejectReason, **details: object) -> OrderRejected:
    """The 422 ORDER_REJECTED for an order refused with `reason`: one message and code on every venue.

    `details` (such as `order_id`) are added after the reject code.
    """
    text = _TEXT.get(reason, "rejected")
    return OrderRejected(f"Order rejected: {text}", {KEY: code_of(reason), **details})
