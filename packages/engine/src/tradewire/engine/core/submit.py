"""Order requests from plain arguments: validation with the protocol's typed errors, then the kernel."""

from __future__ import annotations

import functools
import uuid
from decimal import Decimal
from typing import Any

from tradewire.engine.core.kernel import Kernel
from tradewire.engine.core.numbers import floor_scaled, parse_scaled, pow10, to_decimal
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
from tradewire.protocol import order_rules, precision, reject_codes
from tradewire.protocol.errors import (
    InvalidRequest,
    InvalidValue,
    SymbolNotFound,
    UnsupportedOperation,
    ValidationError,
)
from tradewire.protocol.messages import OrderType, RejectReason

__all__ = ["correlation_id", "enum_value", "quantity_lots", "submit_order"]

_SIDES = {"BUY": BUY, "buy": BUY, "SELL": SELL, "sell": SELL}
_TYPES = {"MARKET": 1, "LIMIT": 2, "STOP": 3, "STOP_LIMIT": 4, "TRAILING_STOP": 5}
_TIFS = {"GTC": 1, "DAY": 2, "IOC": 3, "FOK": 4}
_TRAIL = {"ABSOLUTE": 1, "PERCENT": 2}
_TYPE_NAMES = {v: k for k, v in _TYPES.items()}
_CASH_TYPES = frozenset({MARKET, LIMIT, STOP_LIMIT})
_CORR_NS = uuid.UUID("5b1c6f0e-7d7e-4d5a-9a57-7a1e3c0b2d11")


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


@functools.lru_cache(maxsize=64)
def _grid(price_scale: int, qty_scale: int) -> precision.Grid:
    """The grid of an instrument: its data's price scale and the run's quantity decimals (rest.md)."""
    return precision.Grid.of_scales(price_scale, qty_scale)


def _price(k: Kernel, sym: int, field: str, value: Any, side: int) -> int:
    """A positive price moved onto the instrument's tick grid, never more aggressive (rest.md)."""
    ps = k.instruments[sym].price_scale
    d = precision.price(order_rules.positive(field, value), _grid(ps, k.qs), field, side)
    return parse_scaled(d, ps)


def quantity_lots(k: Kernel, value: Any, field: str = "quantity") -> int:
    """A positive quantity floored to the lot step (10**-qs), in lots; 422 INVALID_QUANTITY if none is left."""
    if type(value) is int and value > 0:  # fast path for the in-process API
        return value * pow10(k.qs)
    # rest.md: a non-positive quantity is VALIDATION_ERROR, any other non-positive amount INVALID_VALUE
    error = ValidationError if field == "quantity" else InvalidValue
    d = precision.quantity(order_rules.positive(field, value, error), _grid(0, k.qs), field)
    return parse_scaled(d, k.qs)


def _trail(k: Kernel, sym: int, o: OrderState, value: Any) -> None:
    """Set a trailing stop's distance: positive, below 100 when PERCENT, an ABSOLUTE one widened to the tick."""
    d = order_rules.positive("trailing_distance", value)
    order_rules.check_trailing(o.trail_type, d, value)
    ps = k.instruments[sym].price_scale
    d = precision.trailing_distance(d, _grid(ps, k.qs), o.trail_type)
    o.trail_text = format(d, "f")
    o.trail = parse_scaled(d, ps) if o.trail_type == 1 else int(d * 1_000_000)


def _check_hints(k: Kernel, qty: int, display_quantity: Any, leverage: Any) -> None:
    """Venue hints the simulator accepts but does not model are still validated (rest.md)."""
    if leverage is not None:
        order_rules.positive("leverage", leverage)
    if display_quantity is not None:
        shown = quantity_lots(k, display_quantity, "display_quantity")
        order_rules.check_display(Decimal(shown), Decimal(qty), display_quantity)


def _notional(
    k: Kernel,
    order_type: int,
    notional: Any,
    quantity: Any,
    stop_loss: Any,
    take_profit: Any,
    oco_group_id: str | None,
    display_quantity: Any,
) -> int:
    """A checked notional (order_rules.check_notional, the gateway's words), floored to the money scale:
    never more is spent than asked (rest.md)."""
    d = order_rules.check_notional(
        OrderType(order_type),
        notional,
        quantity,
        stop_loss=stop_loss,
        take_profit=take_profit,
        oco_group_id=oco_group_id,
        display_quantity=display_quantity,
    )
    return floor_scaled(d, k.ms)


def raise_rejected(o: OrderState) -> None:
    """Raise OrderRejected for an order the kernel refused (its ORDER_REJECTED event is already out)."""
    raise reject_codes.rejected(RejectReason(o.reject or RejectReason.UNKNOWN), order_id=o.id)


def submit_order(
    k: Kernel,
    symbols: dict[str, int],
    symbol: str,
    side: Any,
    quantity: Any = None,
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
    *,
    notional: Any = None,
) -> OrderState:
    """Validate a new order, hand it to the kernel and return it (FILLED already if it acted at once).

    A MARKET order may give `notional` (an amount of the quote currency, rest.md "Sized by notional")
    instead of `quantity`: floored to the money scale, its quantity is worked out at the first fill.

    Raises the protocol's typed errors: InvalidRequest / InvalidValue / ValidationError for bad
    fields, SymbolNotFound, UnsupportedOperation (order type the account model lacks), and
    OrderRejected (the ORDER_REJECTED event is emitted too) for business rejections.
    """
    if client_order_id is not None:
        order_rules.check_id("client_order_id", client_order_id)
        known = k.by_cid.get(client_order_id)
        if known is not None:
            return known  # idempotent submit
    order_rules.check_id("oco_group_id", oco_group_id)
    order_rules.check_symbol(symbol)
    sym = symbols.get(symbol)
    if sym is None:
        raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})
    sd = side if side is BUY or side is SELL else enum_value(side, _SIDES, "side")
    ot = order_type if order_type is MARKET else enum_value(order_type, _TYPES, "order_type")
    tif = GTC if time_in_force is None else enum_value(time_in_force, _TIFS, "time_in_force")
    if notional is not None:
        notional = _notional(
            k, ot, notional, quantity, stop_loss, take_profit, oco_group_id, display_quantity
        )
    elif quantity is None:
        # the wire's words (order_rules.check_submit): quantity is required unless notional is given
        raise InvalidRequest("quantity: missing required field", {"field": "quantity"})
    if ot != MARKET or limit_price is not None or stop_price is not None or trailing_distance is not None:
        order_rules.check_price_fields(
            OrderType(ot), limit_price, stop_price, trailing_distance, trailing_type
        )
    if k.cash_account and ot not in _CASH_TYPES:
        raise UnsupportedOperation(
            f"{_TYPE_NAMES[ot]} orders are not supported by the cash (spot) account model",
            {"order_type": _TYPE_NAMES[ot], reject_codes.KEY: reject_codes.UNSUPPORTED_ORDER_TYPE},
        )
    if k.cash_account and (stop_loss is not None or take_profit is not None):
        raise UnsupportedOperation(
            "bracket exits are not supported by the cash (spot) account model",
            {reject_codes.KEY: reject_codes.UNSUPPORTED_ORDER_TYPE},
        )
    qty = 0 if notional is not None else quantity_lots(k, quantity)
    if display_quantity is not None or leverage is not None:
        _check_hints(k, qty, display_quantity, leverage)
    o = k.new_order(sym, sd, ot, qty, tif)
    o.notional = notional
    o.client_order_id = client_order_id
    o.oco = oco_group_id
    o.reduce_only = bool(reduce_only)
    o.post_only = bool(post_only)
    if limit_price is not None:
        o.limit = _price(k, sym, "limit_price", limit_price, sd)
    if stop_price is not None:
        o.stop = _price(k, sym, "stop_price", stop_price, sd)
    if stop_loss is not None:
        o.stop_loss = _price(k, sym, "stop_loss", stop_loss, sd)
    if take_profit is not None:
        o.take_profit = _price(k, sym, "take_profit", take_profit, sd)
    if ot == TRAILING_STOP:
        o.trail_type = enum_value(trailing_type, _TRAIL, "trailing_type")
        _trail(k, sym, o, trailing_distance)
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
    if o.notional is not None:
        # its quantity is worked out from the notional, and exits need one up front (rest.md "Sized by
        # notional", order_rules.NOTIONAL_FORBIDDEN); nothing else is modifiable on a MARKET order
        for name, value in (("quantity", quantity), ("stop_loss", stop_loss), ("take_profit", take_profit)):
            if value is not None:
                raise OrderNotModifiable(
                    f"{name} cannot be set on an order sized by notional", {"order_id": o.id}
                )
    if quantity is not None:
        q = quantity_lots(k, quantity)
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
            changes[attr] = _price(k, o.sym, f, v, o.side)
    if trailing_distance is not None:
        if o.otype != TRAILING_STOP:
            raise OrderNotModifiable(
                "trailing_distance applies to TRAILING_STOP orders only", {"order_id": o.id}
            )
        _trail(k, o.sym, o, trailing_distance)
    exits = False
    for f, attr in (("stop_loss", "stop_loss"), ("take_profit", "take_profit")):
        v = stop_loss if f == "stop_loss" else take_profit
        if v is not None:
            if o.is_leg:
                raise OrderNotModifiable(f"{f} cannot be attached to an exit leg", {"order_id": o.id})
            changes[attr] = _price(k, o.sym, f, v, o.side)
            exits = True
    for attr, v in changes.items():
        setattr(o, attr, v)
    if o.filled >= o.qty and "qty" in changes:
        o.status = 5
    return exits


def dec(value: Decimal | int | str) -> Decimal:
    """Decimal from wire text (helper for shells)."""
    return to_decimal(value)
