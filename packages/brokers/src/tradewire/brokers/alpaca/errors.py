"""Alpaca's error answers → the protocol's error table (mapping.md §7), Alpaca's code and message in details.

Alpaca answers `{"code": 40310000, "message": "insufficient buying power"}` (the code an integer;
some 401s carry only a message). The HTTP status and the message decide; the body is kept whole in
`details.broker` so nothing Alpaca said is lost.
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
    PositionNotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    SymbolNotFound,
    TradewireError,
    ValidationError,
)
from tradewire.protocol.messages import RejectReason

__all__ = ["Subject", "as_tradewire", "error_from_response"]

#: What a request was about: which 404 it gets, and whether an unknown outcome may be looked up.
Subject = str  # "order" | "submit" | "position" | "symbol" | "account" | "data"

#: Alpaca's integer codes (alpaca.md §8).
MALFORMED: Final = 40010001
FORBIDDEN: Final = 40310000
NOT_FOUND: Final = 40410000
UNPROCESSABLE: Final = 42210000

# Message fragments (lower case) → the reject reason of a refused order (mapping.md §7).
_REASONS: Final[tuple[tuple[str, RejectReason], ...]] = (
    ("insufficient buying power", RejectReason.INSUFFICIENT_BALANCE),
    ("insufficient qty", RejectReason.INSUFFICIENT_BALANCE),
    ("insufficient balance", RejectReason.INSUFFICIENT_BALANCE),
    ("insufficient day trading buying power", RejectReason.INSUFFICIENT_MARGIN),
    ("market is closed", RejectReason.MARKET_CLOSED),
    ("market closed", RejectReason.MARKET_CLOSED),
    ("halted", RejectReason.MARKET_CLOSED),
    ("sub-penny", RejectReason.INVALID_PRICE),
    ("price", RejectReason.INVALID_PRICE),
    ("qty", RejectReason.INVALID_QUANTITY),
    ("quantity", RejectReason.INVALID_QUANTITY),
    ("notional", RejectReason.INVALID_QUANTITY),
    ("not fractionable", RejectReason.INVALID_QUANTITY),
    ("fractional", RejectReason.INVALID_QUANTITY),
    ("not shortable", RejectReason.SYMBOL_NOT_TRADEABLE),
    ("not tradable", RejectReason.SYMBOL_NOT_TRADEABLE),
    ("not active", RejectReason.SYMBOL_NOT_TRADEABLE),
)
_NOT_CHANGEABLE: Final = ("not cancelable", "not replaceable", "not modifiable", "already", "cannot be")
_UNKNOWN_SYMBOL: Final = ("asset not found", "could not find asset", "unknown symbol", "invalid symbol")


def _message(body: object) -> str:
    if isinstance(body, Mapping):
        text = body.get("message")
        if isinstance(text, str):
            return text
    return "" if body is None else str(body)[:200]


def _code(body: object) -> int | None:
    if isinstance(body, Mapping):
        code = body.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            return code
    return None


def _details(status: int, body: object, **more: Any) -> dict[str, Any]:
    broker: dict[str, Any] = {"status": status, "message": _message(body)}
    code = _code(body)
    if code is not None:
        broker["code"] = code
    if isinstance(body, Mapping):  # the context some 403s add (symbol, related_orders, available)
        for key, value in body.items():
            if key not in ("code", "message") and isinstance(value, str | int | bool | list):
                broker[key] = value
    return {**more, "broker": broker}


def _reason(message: str) -> RejectReason:
    lower = message.lower()
    for fragment, reason in _REASONS:
        if fragment in lower:
            return reason
    return RejectReason.UNKNOWN


def error_from_response(
    status: int,
    body: object,
    subject: Subject = "order",
    retry_after: float | None = None,
    ident: str | None = None,
) -> Exception:
    """The exception for one Alpaca error answer.

    Args:
        status: The HTTP status (≥ 400).
        body: The decoded body (`_live.jsondecimal.loads`), or None when it was not JSON.
        subject: What the request was about ("submit" makes 5xx an unknown outcome and a duplicate
            client order id an adoption; "order" / "position" / "symbol" pick the 404).
        retry_after: Seconds from the rate-limit headers, for a 429.
        ident: The order id, position id or symbol the request named: a 404 / 409 about it carries
            rest.md's exact details (`{"resource","id"}`, `{"symbol"}`, `{"order_id"}`), and Alpaca's
            own words go into the message instead.
    """
    message = _message(body)
    lower = message.lower()
    details = _details(status, body)
    if status == 401 or (status == 403 and ("unauthorized" in lower or "forbidden" == lower)):
        return AuthenticationError("Alpaca refused the API keys", details)
    if status == 429:
        wait = retry_after if retry_after is not None else 1.0
        return RateLimited(
            f"Alpaca's rate limit is reached; retry in {wait:.0f} s",
            {**details, "retry_after_seconds": max(1, round(wait))},
            retry_after=wait,
        )
    if status >= 500:
        if subject == "submit":
            return OutcomeUnknown(f"Alpaca answered {status} to an order submit: {message}")
        if status in (502, 503, 504):
            return ProviderUnavailable(f"Alpaca is unavailable ({status})", details)
        return ProviderError(f"Alpaca answered {status}: {message}", details)
    if "client_order_id must be unique" in lower:
        if subject == "submit":
            return DuplicateClientId(message)
        return ValidationError("Validation error: client_order_id is already used", details)
    said = f" (Alpaca: {message})" if message else ""
    if status == 404:
        if subject == "position":
            if ident is not None:
                return PositionNotFound(
                    f"Position not found: {ident}{said}", {"resource": "position", "id": ident}
                )
            return PositionNotFound(f"Position not found: {message or 'no such position'}", details)
        if subject in ("symbol", "data", "submit") or any(s in lower for s in _UNKNOWN_SYMBOL):
            if ident is not None:
                return SymbolNotFound(f"Symbol not found: {ident}{said}", {"symbol": ident})
            return SymbolNotFound(f"Symbol not found: {message or 'unknown symbol'}", details)
        if ident is not None:
            return OrderNotFound(f"Order not found: {ident}{said}", {"resource": "order", "id": ident})
        return OrderNotFound(f"Order not found: {message or 'no such order'}", details)
    if subject == "order" and status == 422 and ident is not None:
        return OrderNotModifiable(f"Order not modifiable: {ident}{said}", {"order_id": ident})
    if subject == "order" and status == 422 and any(s in lower for s in _NOT_CHANGEABLE):
        return OrderNotModifiable(f"Order not modifiable: {message}", details)
    if subject == "submit" and any(s in lower for s in _UNKNOWN_SYMBOL):
        return SymbolNotFound(f"Symbol not found: {message}", details)
    if status in (403, 422) or (status == 400 and subject == "submit"):
        if subject == "order" and status == 422:
            return OrderNotModifiable(f"Order not modifiable: {message}", details)
        error = reject_codes.rejected(_reason(message))
        error.details = {**error.details, **details}
        return error
    if status == 400:
        return ValidationError(f"Validation error: Alpaca refused the request: {message}", details)
    return ProviderError(f"Alpaca answered {status}: {message}", details)


def as_tradewire(error: Exception) -> TradewireError:
    """An error for the wire: `OutcomeUnknown` / `DuplicateClientId` outside a submit are provider errors."""
    if isinstance(error, TradewireError):
        return error
    return ProviderError(f"Alpaca: {error}")
