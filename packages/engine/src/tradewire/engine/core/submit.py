"""Order requests from plain arguments: validation with the protocol's typed errors, then the kernel."""

from __future__ import annotations

import functools
import uuid
from decimal import Decimal
from typing import Any

from tradewire.engine.core.kernel import Kernel
from tradewire.engine.core.numbers import parse_scaled, pow10, to_decimal
from tradewire.engine.core.orders import (
    BUY,
    GTC,
    LIMIT,
    MARKET,
    REJECTED,
    SELL,
    STOP,
    STOP_LIMIT,
    TRAILING_STOP,
    OrderState,
)
from tradewire.protocol.errors import (
    InvalidRequest,
    InvalidValue,
    OrderRejected,
    SymbolNotFound,
    UnsupportedOperation,
    ValidationError,
)

__all__ = ["correlation_id", "enum_value", "submit_order"]

_SIDES = {"BUY": BUY, "buy": BUY, "SELL": SELL, "sell": SELL}
_TYPES = {"MARKET": 1, "LIMIT": 2, "STOP": 3, "STOP_LIMIT": 4, "TRAILING_STOP": 5}
_TIFS = {"GTC": 1, "DAY": 2, "IOC": 3, "FOK": 4}
_TRAIL = {"ABSOLUTE": 1, "PERCENT": 2}
_TYPE_NAMES = {v: k for k, v in _TYPES.items()}
_CASH_TYPES = frozenset({MARKET, LIMIT, STOP_LIMIT})
_CORR_NS = uuid.UUID("5b1c6f0e-7d7e-4d5a-9a57-7a1e3c0b2d11")
_REQUIRED = {
    LIMIT: ("limit_price",),
    STOP: ("stop_price",),
    STOP_LIMIT: ("stop_price", "limit_price"),
    TRAILING_STOP: ("trailing_distance", "trailing_type"),
}
_REJECT_CODES = {
    1: "INSUFFICIENT_FUNDS",
    2: "INSUFFICIENT_FUNDS",
    3: "INVALID_QUANTITY",
    4: "INVALID_PRICE",
    5: "INVALID_SYMBOL",
    7: "REDUCE_ONLY_VIOLATED",
    8: "POST_ONLY_VIOLATED",
    10: "UNKNOWN",
}
_REJECT_TEXT = {
    1: "insufficient buying power (margin)",
    2: "insufficient balance",
    3: "invalid quantity",
    4: "invalid price",
    7: "reduce-only order would increase the position",
    8: "post-only order would take liquidity",
    10: "rejected",
}


@functools.lru_cache(maxsize=4096)  # an order's id is asked for by each of its lifecycle messages
def correlation_id(order_id: str) -> str:
    """Deterministic tracing id of an order (a UUID derived from its id, so runs stay byte-identical).

    Public as `tradewire.engine.correlation_id`: the `correlation_id` of the order's OrderHandle
    and Order messages."""
    return str(uuid.uuid5(_CORR_NS, order_id))


def enum_value(value: Any, table: dict[str, int], field: str, lower_ok: bool = True) -> int:
    """An enum's int value from an int, a protocol enum or its wire spelling (upper or lower case)."""
    if isinstance(value, int):
        if value in table.values():
            return int(value)
    elif isinstance(value, str):
        v = (
            table.get(value)
            if value.isupper()
            else (table.get(value.upper()) if lower_ok and value.islower() else None)
        )
        if v is not None:
            return v
    raise InvalidRequest(f"Invalid request: unknown {field} {value!r}", {"field": field})


def _price(k: Kernel, sym: int, field: str, value: Any) -> int:
    try:
        d = to_decimal(value)
    except (TypeError, ValueError):
        raise InvalidRequest(
            f"Invalid request: {field} is not a decimal: {value!r}", {"field": field}
        ) from None
    if d <= 0:
        raise InvalidValue(f"{field} must be > 0", {"field": field, "provided": str(value)})
    try:
        return parse_scaled(d, k.instruments[sym].price_scale)
    except ValueError:
        raise OrderRejected(
            f"Order rejected: {field} {value} is off the tick grid of {k.instruments[sym].symbol}",
            {"reject_code": "INVALID_PRICE", "reject_reason": "INVALID_PRICE", "field": field},
        ) from None


def _qty(k: Kernel, value: Any) -> int:
    if type(value) is int:  # fast path for the in-process API
        if value <= 0:
            raise ValidationError("quantity must be > 0", {"field": "quantity"})
        return value * pow10(k.qs)
    try:
        d = to_decimal(value)
    except (TypeError, ValueError):
        raise InvalidRequest(
            f"Invalid request: quantity is not a decimal: {value!r}", {"field": "quantity"}
        ) from None
    if d <= 0:
        raise ValidationError("quantity must be > 0", {"field": "quantity", "provided": str(value)})
    try:
        return parse_scaled(d, k.qs)
    except ValueError:
        raise OrderRejected(
            f"Order rejected: quantity {value} is finer than the lot step 1e-{k.qs}",
            {"reject_code": "INVALID_QUANTITY", "reject_reason": "INVALID_QUANTITY"},
        ) from None


def _check_price_fields(
    ot: int, limit_price: Any, stop_price: Any, trailing_distance: Any, trailing_type: Any
) -> None:
    """Required and forbidden price fields per order type (rest.md, POST /v1/orders)."""
    name = _TYPE_NAMES[ot].replace("_", " ").title().replace(" ", "")
    required = _REQUIRED.get(ot, ())
    given = {
        "limit_price": limit_price,
        "stop_price": stop_price,
        "trailing_distance": trailing_distance,
        "trailing_type": trailing_type,
    }
    for f in required:
        if given[f] is None:
            raise InvalidRequest(f"Invalid request: {name} orders require {f}", {"field": f})
    for f in ("limit_price", "stop_price", "trailing_distance"):
        if f not in required and given[f] is not None:
            raise InvalidValue(
                f"{f} is not allowed for {_TYPE_NAMES[ot]} orders", {"field": f, "provided": str(given[f])}
            )


def _check_hints(k: Kernel, qty: int, display_quantity: Any, leverage: Any) -> None:
    """Venue hints the simulator accepts but does not model are still validated (rest.md)."""
    for field, value in (("display_quantity", display_quantity), ("leverage", leverage)):
        if value is None:
            continue
        try:
            d = to_decimal(value)
        except (TypeError, ValueError):
            raise InvalidRequest(
                f"Invalid request: {field} is not a decimal: {value!r}", {"field": field}
            ) from None
        if d <= 0 or (field == "display_quantity" and d.scaleb(k.qs) >= qty):
            rule = "> 0 and < quantity" if field == "display_quantity" else "> 0"
            raise InvalidValue(f"{field} must be {rule}", {"field": field, "provided": str(value)})


def raise_rejected(o: OrderState) -> None:
    """Raise OrderRejected for an order the kernel refused (its ORDER_REJECTED event is already out)."""
    r = o.reject or 10
    raise OrderRejected(
        f"Order rejected: {_REJECT_TEXT.get(r, 'rejected')}",
        {"reject_code": _REJECT_CODES.get(r, "UNKNOWN"), "order_id": o.id},
    )


def submit_order(
    k: Kernel,
    symbols: dict[str, int],
    symbol: str,
    side: Any,
    quantity: Any,
    order_type: Any = MARKET,
    time_in_force: Any = None,
    limit_price: Any = None,
    stop_price: Any = None,
    trailing_distance: Any = None,
    trailing_type: Any = None,
    stop_loss: Any = None,
    take_profit: Any = None,
    client_order_id: str | None = None,
    oco_group_id: str | None = None,
    reduce_only: bool | None = None,
    post_only: bool | None = None,
    display_quantity: Any = None,
    leverage: Any = None,
    raise_on_reject: bool = True,
) -> OrderState:
    """Validate a new order, hand it to the kernel and return it (FILLED already if it acted at once).

    Raises the protocol's typed errors: InvalidRequest / InvalidValue / ValidationError for bad
    fields, SymbolNotFound, UnsupportedOperation (order type the account model lacks), and
    OrderRejected (the ORDER_REJECTED event is emitted too) for business rejections.
    """
    if client_order_id is not None:
        if len(client_order_id) > 64:
            raise ValidationError(
                "client_order_id must be at most 64 characters", {"field": "client_order_id"}
            )
        known = k.by_cid.get(client_order_id)
        if known is not None:
            return known  # idempotent submit
    if oco_group_id is not None and len(oco_group_id) > 64:
        raise ValidationError("oco_group_id must be at most 64 characters", {"field": "oco_group_id"})
    if not symbol or len(symbol) > 20:
        raise ValidationError("symbol must be 1-20 characters", {"field": "symbol"})
    sym = symbols.get(symbol)
    if sym is None:
        raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})
    sd = side if side is BUY or side is SELL else enum_value(side, _SIDES, "side")
    ot = order_type if order_type is MARKET else enum_value(order_type, _TYPES, "order_type")
    tif = GTC if time_in_force is None else enum_value(time_in_force, _TIFS, "time_in_force")
    if ot != MARKET or limit_price is not None or stop_price is not None or trailing_distance is not None:
        _check_price_fields(ot, limit_price, stop_price, trailing_distance, trailing_type)
    if k.cash_account and ot not in _CASH_TYPES:
        raise UnsupportedOperation(
            f"{_TYPE_NAMES[ot]} orders are not supported by the cash (spot) account model",
            {"order_type": _TYPE_NAMES[ot], "reject_code": "UNSUPPORTED_ORDER_TYPE"},
        )
    if k.cash_account and (stop_loss is not None or take_profit is not None):
        raise UnsupportedOperation(
            "bracket exits are not supported by the cash (spot) account model",
            {"reject_code": "UNSUPPORTED_ORDER_TYPE"},
        )
    qty = _qty(k, quantity)
    if display_quantity is not None or leverage is not None:
        _check_hints(k, qty, display_quantity, leverage)
    o = k.new_order(sym, sd, ot, qty, tif)
    o.client_order_id = client_order_id
    o.oco = oco_group_id
    o.reduce_only = bool(reduce_only)
    o.post_only = bool(post_only)
    if limit_price is not None:
        o.limit = _price(k, sym, "limit_price", limit_price)
    if stop_price is not None:
        o.stop = _price(k, sym, "stop_price", stop_price)
    if stop_loss is not None:
        o.stop_loss = _price(k, sym, "stop_loss", stop_loss)
    if take_profit is not None:
        o.take_profit = _price(k, sym, "take_profit", take_profit)
    if ot == TRAILING_STOP:
        o.trail_type = enum_value(trailing_type, _TRAIL, "trailing_type")
        d = to_decimal(trailing_distance)
        if d <= 0 or (o.trail_type == 2 and d >= 100):
            raise InvalidValue(
                "trailing_distance must be > 0 (and < 100 for PERCENT)",
                {"field": "trailing_distance", "provided": str(trailing_distance)},
            )
        o.trail_text = format(d, "f")
        o.trail = _price(k, sym, "trailing_distance", d) if o.trail_type == 1 else int(d * 1_000_000)
    if client_order_id is not None:
        k.by_cid[client_order_id] = o
    reason = k.precheck(o)
    if reason is not None:
        k.reject(o, reason)
        if raise_on_reject:
            raise_rejected(o)
        return o
    k.accept(o)
    if o.status == REJECTED and raise_on_reject:
        raise_rejected(o)
    return o


def parse_modify(
    k: Kernel,
    o: OrderState,
    quantity: Any = None,
    limit_price: Any = None,
    stop_price: Any = None,
    stop_loss: Any = None,
    take_profit: Any = None,
    trailing_distance: Any = None,
) -> bool:
    """Apply a modify request to working order `o` in place; returns whether its exits changed."""
    from tradewire.protocol.errors import OrderNotModifiable

    changes: dict[str, int] = {}
    if quantity is not None:
        q = _qty(k, quantity)
        if q < o.filled:
            raise InvalidValue(
                "quantity must be >= filled_quantity", {"field": "quantity", "provided": str(quantity)}
            )
        changes["qty"] = q
    for f, attr, allowed in (
        ("limit_price", "limit", (LIMIT, STOP_LIMIT)),
        ("stop_price", "stop", (STOP, STOP_LIMIT)),
    ):
        v = limit_price if f == "limit_price" else stop_price
        if v is not None:
            if o.otype not in allowed:
                raise OrderNotModifiable(
                    f"{f} cannot be set on a {_TYPE_NAMES[o.otype]} order", {"order_id": o.id}
                )
            changes[attr] = _price(k, o.sym, f, v)
    if trailing_distance is not None:
        if o.otype != TRAILING_STOP:
            raise OrderNotModifiable(
                "trailing_distance applies to TRAILING_STOP orders only", {"order_id": o.id}
            )
        d = to_decimal(trailing_distance)
        if d <= 0 or (o.trail_type == 2 and d >= 100):
            raise InvalidValue("trailing_distance must be > 0", {"field": "trailing_distance"})
        o.trail_text = format(d, "f")
        o.trail = _price(k, o.sym, "trailing_distance", d) if o.trail_type == 1 else int(d * 1_000_000)
    exits = False
    for f, attr in (("stop_loss", "stop_loss"), ("take_profit", "take_profit")):
        v = stop_loss if f == "stop_loss" else take_profit
        if v is not None:
            if o.is_leg:
                raise OrderNotModifiable(f"{f} cannot be attached to an exit leg", {"order_id": o.id})
            changes[attr] = _price(k, o.sym, f, v)
            exits = True
    for attr, v in changes.items():
        setattr(o, attr, v)
    if o.filled >= o.qty and "qty" in changes:
        o.status = 5
    return exits


def dec(value: Decimal | int | str) -> Decimal:
    """Decimal from wire text (helper for shells)."""
    return to_decimal(value)
