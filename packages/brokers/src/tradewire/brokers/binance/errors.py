"""Binance's error answers → the protocol's errors (mapping.md §7, binance.md §10), its code in details.

Binance answers `{"code": -2010, "msg": "Account has insufficient balance for requested action."}`;
the code decides, `msg` refines -2010 and -1013. The body is kept in `details.broker`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tradewire.brokers._live.submit import DuplicateClientId, OutcomeUnknown
from tradewire.protocol import reject_codes
from tradewire.protocol.errors import (
    AuthenticationError,
    OrderNotFound,
    OrderNotModifiable,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
    TradewireError,
    ValidationError,
)
from tradewire.protocol.messages import RejectReason

__all__ = [
    "BAD_SIGNATURE",
    "DUPLICATE",
    "TIMESTAMP",
    "UNKNOWN_ORDER",
    "ClockSkew",
    "Subject",
    "as_tradewire",
    "code_of",
    "error_from_response",
]

#: What a request was about: "submit" makes an unknown outcome looked up; "order" / "symbol" pick the 404.
Subject = str

TIMESTAMP: Final = -1021
BAD_SIGNATURE: Final = -1022
UNKNOWN_ORDER: Final = -2013
DUPLICATE: Final = "duplicate order sent"
_UNKNOWN_OUTCOME: Final = frozenset({-1006, -1007})
_RATE: Final = frozenset({-1003, -1015})
_AUTH: Final = frozenset({-2014, -2015, BAD_SIGNATURE})
_NOT_FOUND: Final = frozenset({UNKNOWN_ORDER, -2026})
_NOT_CHANGEABLE: Final = frozenset({-2011, -2021, -2022})
# -2010 messages (lower case) → reject reasons (mapping.md §7).
_REASONS: Final[tuple[tuple[str, RejectReason], ...]] = (
    ("insufficient balance", RejectReason.INSUFFICIENT_BALANCE),
    ("market is closed", RejectReason.MARKET_CLOSED),
    ("would trigger immediately", RejectReason.INVALID_PRICE),
    ("immediately match and take", RejectReason.POST_ONLY_VIOLATED),
)
_PRICE_FILTERS: Final = ("PRICE_FILTER", "PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE", "TRAILING_DELTA")


class ClockSkew(Exception):
    """-1021: the timestamp fell outside recvWindow; the request was not executed (resync, retry once)."""


#: -2010 messages of an order the market has already gone past: a stop that would trigger at once, an
#: OCO list whose prices no longer bracket the last price, or whose LIMIT_MAKER leg the book has passed.
_MARKET_PAST: Final = (
    "would trigger immediately",
    "relationship of the prices",
    "immediately match and take",
)


def market_is_past(error: TradewireError) -> bool:
    """Whether Binance refused an order because the market is already past one of its prices."""
    broker = error.details.get("broker") if isinstance(error.details, Mapping) else None
    text = broker.get("message") if isinstance(broker, Mapping) else None
    return isinstance(text, str) and any(m in text.lower() for m in _MARKET_PAST)


def code_of(body: object) -> int | None:
    """Binance's error code in a body, if any."""
    if isinstance(body, Mapping):
        code = body.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            return code
    return None


def _message(body: object) -> str:
    if isinstance(body, Mapping):
        text = body.get("msg")
        if isinstance(text, str):
            return text
    return "" if body is None else str(body)[:200]


def _details(status: int, body: object) -> dict[str, Any]:
    broker: dict[str, Any] = {"status": status, "message": _message(body)}
    code = code_of(body)
    if code is not None:
        broker["code"] = code
    return {"broker": broker}


def _rejection(reason: RejectReason, details: dict[str, Any], message: str) -> TradewireError:
    error = reject_codes.rejected(reason)
    error.details = {**error.details, **details}
    if message:
        error.args = (f"{error.args[0]} (Binance: {message})",)
    return error


def error_from_response(
    status: int,
    body: object,
    subject: Subject = "order",
    retry_after: float | None = None,
    ident: str | None = None,
) -> Exception:
    """The exception for one Binance error answer (HTTP status ≥ 400, or a WS API error object).

    Args:
        status: The HTTP status (the WS API's `status`).
        body: The decoded body, `{"code","msg"}` (None when it was not JSON).
        subject: "submit" turns 5xx / -1007 into OutcomeUnknown and "Duplicate order sent." into
            DuplicateClientId; "order" / "symbol" pick the 404.
        retry_after: Seconds from `Retry-After`, for 429 / 418.
        ident: The order id or symbol the request named.
    """
    code = code_of(body)
    message = _message(body)
    lower = message.lower()
    details = _details(status, body)
    if code == TIMESTAMP:
        return ClockSkew(message)
    if status in (429, 418) or code in _RATE:
        wait = retry_after if retry_after is not None else 60.0
        return RateLimited(
            f"Binance's rate limit is reached; retry in {wait:.0f} s",
            {**details, "retry_after_seconds": max(1, round(wait))},
            retry_after=wait,
        )
    if status >= 500 or code in _UNKNOWN_OUTCOME:
        if subject == "submit":
            return OutcomeUnknown(f"Binance answered {status} ({code}) to an order: {message}")
        if status in (502, 503, 504) or code in _UNKNOWN_OUTCOME:
            return ProviderUnavailable(f"Binance is unavailable ({status})", details)
        return ProviderError(f"Binance answered {status}: {message}", details)
    if status == 401 or code in _AUTH:
        return AuthenticationError("Binance refused the API key or signature", details)
    if status == 403:
        return ProviderUnavailable("Binance's firewall refused the request (403)", details)
    if code == -1121:
        shown = ident or message
        return SymbolNotFound(f"Symbol not found: {shown}", {"symbol": ident} if ident else details)
    if code in _NOT_FOUND or (code == -2011 and "unknown order" in lower and subject != "modify"):
        if ident is not None:
            return OrderNotFound(f"Order not found: {ident}", {"resource": "order", "id": ident})
        return OrderNotFound(f"Order not found: {message}", details)
    if code in _NOT_CHANGEABLE:
        about = {"order_id": ident} if ident else details
        return OrderNotModifiable(f"Order not modifiable: {ident or message}", about)
    if code == -2010:
        if DUPLICATE in lower:
            if subject == "submit":
                return DuplicateClientId(message)
            return ValidationError("Validation error: client_order_id is already used", details)
        for fragment, reason in _REASONS:
            if fragment in lower:
                return _rejection(reason, details, message)
        return _rejection(RejectReason.UNKNOWN, details, message)
    if code == -1013:
        price = any(name in message for name in _PRICE_FILTERS)
        reason = RejectReason.INVALID_PRICE if price else RejectReason.INVALID_QUANTITY
        return _rejection(reason, details, message)
    if code == -1111:
        return _rejection(RejectReason.INVALID_QUANTITY, details, message)
    if status == 400:
        return ValidationError(f"Validation error: Binance refused the request: {message}", details)
    return ProviderError(f"Binance answered {status}: {message}", details)


def as_tradewire(error: Exception) -> TradewireError:
    """An error for the wire: OutcomeUnknown, DuplicateClientId, ClockSkew outside their paths are 502."""
    if isinstance(error, TradewireError):
        return error
    if isinstance(error, ClockSkew):
        return ProviderError(f"Binance refused our timestamp twice (clock skew): {error}")
    if isinstance(error, OutcomeUnknown | DuplicateClientId):
        return ProviderError(f"Binance: {error}")
    return ProviderError(f"Binance: {error}")
