"""Predicates and assertions scenarios share: event matchers, expected errors, error bodies on the wire."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx

from tradewire.protocol import codec
from tradewire.protocol import errors as pe
from tradewire.protocol import messages as m
from tradewire.testkit.conformance.describe import describe, name
from tradewire.testkit.conformance.stream import kind

__all__ = ["D", "error_body", "expect_error", "is_order", "is_position", "is_type", "never", "wire_name"]

wire_name = name


def D(value: Any) -> Decimal:
    """Decimal of wire text (the comparison of `"10"` and `"10.00"` is numeric)."""
    return Decimal(str(value))


def is_type(t: str) -> Callable[[Any], bool]:
    """Events of wire type `t`."""
    return lambda e: kind(e) == t


def is_order(event: str, order_id: str | None = None) -> Callable[[Any], bool]:
    """`order` events named `event` (of one order when `order_id` is given)."""

    def pred(e: Any) -> bool:
        return (
            isinstance(e, m.OrderEvent)
            and name(e.event) == event
            and (order_id is None or (e.order is not None and e.order.id == order_id))
        )

    return pred


def is_position(event: str, symbol: str | None = None) -> Callable[[Any], bool]:
    """`position` events named `event` (of one symbol when given)."""

    def pred(e: Any) -> bool:
        return (
            isinstance(e, m.PositionEvent)
            and name(e.event) == event
            and (symbol is None or (e.position is not None and e.position.symbol == symbol))
        )

    return pred


def never(events: list[Any], pred: Callable[[Any], bool], what: str) -> None:
    """Assert no event matches `pred`; the message names the offending event."""
    for e in events:
        if pred(e):
            raise AssertionError(f"unexpected {what}: {describe(e)}")


async def expect_error(
    call: Awaitable[Any], error: type[pe.TradewireError], code: str | None = None, what: str = ""
) -> pe.TradewireError:
    """Await `call` and assert it raises `error` (with wire `code`); returns the exception.

    `what` names the request in the failure message (e.g. `display_quantity=10`).
    """
    label = f"{what}: " if what else ""
    try:
        result = await call
    except pe.TradewireError as e:
        if not isinstance(e, error):
            raise AssertionError(
                f"{label}expected {error.__name__}, got {type(e).__name__}: {e.message}"
            ) from e
        if code is not None and name(e.code) != code:
            raise AssertionError(f"{label}expected code {code}, got {name(e.code)}: {e.message}") from e
        return e
    raise AssertionError(f"{label}expected {error.__name__}, but the call succeeded with {result!r:.200}")


def error_body(
    response: httpx.Response, status: int | tuple[int, ...], code: str | tuple[str, ...] | None = None
) -> dict[str, Any]:
    """Assert an HTTP error answer: the status, JSON content type, and the protocol's error body."""
    want = (status,) if isinstance(status, int) else status
    where = f"{response.request.method} {response.request.url.path}"
    assert response.status_code in want, (
        f"{where}: expected HTTP {'/'.join(map(str, want))}, got {response.status_code}: {response.text[:300]}"
    )
    ctype = response.headers.get("content-type", "")
    assert ctype.startswith("application/json"), (
        f"{where}: error content type is {ctype!r}, not application/json"
    )
    try:
        body = codec.decode(m.ErrorBody, response.content)
    except codec.DecodeError as e:
        raise AssertionError(f"{where}: not the protocol's error body ({e}): {response.text[:300]}") from None
    got = name(body.code)
    if code is not None:
        codes = (code,) if isinstance(code, str) else code
        assert got in codes, f"{where}: expected code {'/'.join(codes)}, got {got}: {body.message}"
    assert pe.status_for(body.code) == response.status_code or response.status_code in (404, 405, 413), (
        f"{where}: code {got} belongs with HTTP {pe.status_for(body.code)}, not {response.status_code}"
    )
    return dict(response.json())


_DEC_TEXT = __import__("re").compile(r"-?[0-9]+(\.[0-9]+)?")
#: RFC 3339 UTC with `Z`; a fraction only when non-zero, as milliseconds or microseconds (README.md).
_TS_TEXT = __import__("re").compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.(?!000Z)(?!000000Z)([0-9]{3}|[0-9]{6}))?Z"
)
_SNAKE = __import__("re").compile(r"[a-z][a-z0-9_]*")
#: Keys that always hold decimals on the wire.
DECIMAL_KEYS = frozenset(
    {
        "quantity",
        "filled_quantity",
        "remaining_quantity",
        "limit_price",
        "stop_price",
        "stop_loss",
        "take_profit",
        "trailing_distance",
        "average_fill_price",
        "display_quantity",
        "leverage",
        "balance",
        "equity",
        "margin_used",
        "margin_available",
        "unrealized_pnl",
        "realized_pnl",
        "average_entry_price",
        "current_price",
        "liquidation_price",
        "price",
        "commission",
        "bid",
        "ask",
        "bid_size",
        "ask_size",
        "last",
        "volume",
        "open",
        "high",
        "low",
        "close",
        "amount",
        "trigger_price",
        "max_leverage",
    }
)
#: Keys that always hold RFC 3339 UTC timestamps on the wire.
TIMESTAMP_KEYS = frozenset(
    {"timestamp", "created_at", "updated_at", "opened_at", "last_heartbeat", "stale_since", "reset_at"}
)


def wire_shape(value: Any, where: str = "") -> None:
    """Assert the encoding rules on raw JSON: snake_case keys, no nulls, decimals as strings, `Z` timestamps."""
    if isinstance(value, list):
        for i, v in enumerate(value):
            wire_shape(v, f"{where}[{i}]")
        return
    if not isinstance(value, dict):
        return
    for k, v in value.items():
        at = f"{where}.{k}" if where else k
        assert _SNAKE.fullmatch(k), f"{at}: key is not snake_case"
        assert v is not None, f"{at}: null (absent optional values must be omitted)"
        if k in DECIMAL_KEYS and not isinstance(v, dict | list):
            assert isinstance(v, str) and _DEC_TEXT.fullmatch(v), (
                f"{at}: decimal must be a plain string, got {v!r}"
            )
        elif k in TIMESTAMP_KEYS and not (k == "timestamp" and isinstance(v, int)):
            assert isinstance(v, str) and _TS_TEXT.fullmatch(v), (
                f"{at}: timestamp must be RFC 3339 UTC with Z, got {v!r}"
            )
        wire_shape(v, at)


def on_grid(value: Decimal, like: str) -> str:
    """`value` rounded to the decimals of `like` (a price the venue printed), so it lies on the venue's grid."""
    exp = D(like).as_tuple().exponent
    step = Decimal(1).scaleb(exp if isinstance(exp, int) else -2)
    return str(value.quantize(step))
