"""Precision: an order's quantities and prices brought onto the instrument's grid (rest.md, "normalize, don't refuse")."""

# Clients size orders as notional / price and set exits as price x (1 +- pct) in full precision, so
# every venue moves such values onto its grid instead of refusing them: quantities floored to the lot
# step, prices moved to the tick grid in the direction that never makes the order more aggressive
# than asked. The arithmetic is exact: Python's default context keeps 28 digits, so it runs in a
# wider one that traps any rounding.

from __future__ import annotations

import decimal
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Final

from tradewire.protocol import codec, reject_codes
from tradewire.protocol.errors import OrderRejected
from tradewire.protocol.messages import (
    ModifyOrderRequest,
    ModifyPositionExitsRequest,
    Side,
    SubmitOrderRequest,
    TrailingType,
)

__all__ = [
    "DEFAULT_LOT_STEP",
    "Grid",
    "normalize_exits",
    "normalize_modify",
    "normalize_submit",
    "price",
    "quantity",
    "rounds_up",
    "to_step",
    "trailing_distance",
]

#: Lot step of a venue that knows none: 8 decimals.
DEFAULT_LOT_STEP: Final = Decimal("0.00000001")
# Wide enough for any bounded input (64 characters) over any sane step; a rounding would be a bug.
_EXACT: Final = decimal.Context(
    prec=200,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)
# Price field → the order side on which it moves up to the grid (on the other side it moves down).
# An entry's stop_loss is a stop of its exit side and its take_profit a limit of it.
_UP_SIDE: Final = {
    "limit_price": Side.SELL,
    "stop_price": Side.BUY,
    "stop_loss": Side.SELL,
    "take_profit": Side.BUY,
}


@dataclass(frozen=True, slots=True)
class Grid:
    """The grid of one instrument (broker filters, or a backtest's data).

    Attributes:
        tick_size: Price increment.
        lot_step: Quantity increment.
        min_quantity: Smallest order quantity (default: one lot step).
    """

    tick_size: Decimal
    lot_step: Decimal = DEFAULT_LOT_STEP
    min_quantity: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("tick_size", "lot_step", "min_quantity"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, Decimal) and value.is_finite() and value > 0):
                raise ValueError(f"Grid.{name} must be a positive Decimal, not {value!r}")

    @classmethod
    def of_scales(cls, price_scale: int, quantity_scale: int = 8) -> Grid:
        """The grid of prices with `price_scale` decimals and quantities with `quantity_scale`."""
        return cls(Decimal(1).scaleb(-price_scale), Decimal(1).scaleb(-quantity_scale))

    @property
    def minimum(self) -> Decimal:
        """The smallest quantity an order may have after flooring."""
        return self.lot_step if self.min_quantity is None else max(self.min_quantity, self.lot_step)


def to_step(value: Decimal, step: Decimal, up: bool) -> Decimal:
    """`value` unchanged when it is a multiple of `step`, else the multiple below it (above when `up`).

    Exact for positive values within the input bounds; the result carries `step`'s exponent.
    """
    if not _EXACT.remainder(value, step):
        return value  # the common case, and the client's own text is kept
    whole = _EXACT.divide_int(value, step)
    if up:
        whole = _EXACT.add(whole, 1)
    return _EXACT.multiply(whole, step)


def quantity(value: Decimal, grid: Grid, field: str = "quantity") -> Decimal:
    """`value` floored to the lot step; 422 INVALID_QUANTITY when that leaves less than the minimum."""
    floored = to_step(value, grid.lot_step, up=False)
    if floored < grid.minimum:
        raise OrderRejected(
            f"Order rejected: {field} {codec.dec(value)} is below the minimum {codec.dec(grid.minimum)}",
            {
                reject_codes.KEY: reject_codes.INVALID_QUANTITY,
                "field": field,
                "lot_step": codec.dec(grid.lot_step),
                "min_quantity": codec.dec(grid.minimum),
            },
        )
    return floored


def rounds_up(field: str, side: Side | int) -> bool:
    """Whether price `field` of an order on `side` moves up to the tick grid (else down).

    A buy limit goes down and a sell limit up; a buy stop up and a sell stop down; stop_loss and
    take_profit follow the stop / limit of the exit side (long: stop-loss down, take-profit up).
    """
    return _UP_SIDE[field] == side


def price(value: Decimal, grid: Grid, field: str, side: Side | int) -> Decimal:
    """Price `field` of an order on `side` on the tick grid, never more aggressive than `value`.

    A price below one tick that would move down to zero is 422 INVALID_PRICE.
    """
    moved = to_step(value, grid.tick_size, rounds_up(field, side))
    if not moved:
        raise OrderRejected(
            f"Order rejected: {field} {codec.dec(value)} is below one tick ({codec.dec(grid.tick_size)})",
            {
                reject_codes.KEY: reject_codes.INVALID_PRICE,
                "field": field,
                "tick_size": codec.dec(grid.tick_size),
            },
        )
    return moved


def trailing_distance(value: Decimal, grid: Grid, trailing_type: TrailingType | int | None) -> Decimal:
    """An ABSOLUTE distance widened to the tick grid (a wider trail never fires sooner); PERCENT as given."""
    if trailing_type == TrailingType.PERCENT:
        return value
    return to_step(value, grid.tick_size, up=True)


def _text(before: str | None, after: Decimal) -> str | None:
    """The wire text of a normalized value: the client's own text when the value did not move."""
    if before is None or Decimal(before) == after:
        return before
    return codec.dec(after)


def normalize_submit(req: SubmitOrderRequest, grid: Grid) -> SubmitOrderRequest:
    """The order request with every quantity and price on `grid` (the request itself when none moved).

    Expects a request that passed `order_rules.check_submit` (decimals positive and bounded).
    """
    side = req.side
    changes: dict[str, Any] = {}
    if req.quantity is not None:  # else sized by notional, which the venue brings to its quote precision
        changes["quantity"] = _text(req.quantity, quantity(Decimal(req.quantity), grid))
    if req.display_quantity is not None:
        display = quantity(Decimal(req.display_quantity), grid, "display_quantity")
        changes["display_quantity"] = _text(req.display_quantity, display)
    for field in ("limit_price", "stop_price", "stop_loss", "take_profit"):
        value = getattr(req, field)
        if value is not None:
            changes[field] = _text(value, price(Decimal(value), grid, field, side))
    if req.trailing_distance is not None:
        moved = trailing_distance(Decimal(req.trailing_distance), grid, req.trailing_type)
        changes["trailing_distance"] = _text(req.trailing_distance, moved)
    if all(getattr(req, k) == v for k, v in changes.items()):
        return req
    return replace(req, **changes)


def normalize_modify(
    req: ModifyOrderRequest, side: Side | int, grid: Grid, trailing_type: TrailingType | int | None = None
) -> ModifyOrderRequest:
    """An amendment of an order on `side` (trailing by `trailing_type`) with its values on `grid`.

    The request itself when no value moved.
    """
    changes: dict[str, Any] = {}
    if req.quantity is not None:
        changes["quantity"] = _text(req.quantity, quantity(Decimal(req.quantity), grid))
    for field in ("limit_price", "stop_price", "stop_loss", "take_profit"):
        value = getattr(req, field)
        if value is not None:
            changes[field] = _text(value, price(Decimal(value), grid, field, side))
    if req.trailing_distance is not None:
        moved = trailing_distance(Decimal(req.trailing_distance), grid, trailing_type)
        changes["trailing_distance"] = _text(req.trailing_distance, moved)
    if all(getattr(req, k) == v for k, v in changes.items()):
        return req
    return replace(req, **changes)


def normalize_exits(
    req: ModifyPositionExitsRequest, entry_side: Side | int, grid: Grid
) -> ModifyPositionExitsRequest:
    """New exits of a position opened on `entry_side` (BUY = long) on `grid`, moved as an entry's would be."""
    changes: dict[str, Any] = {}
    for field in ("stop_loss", "take_profit"):
        value = getattr(req, field)
        if value is not None:
            changes[field] = _text(value, price(Decimal(value), grid, field, entry_side))
    if all(getattr(req, k) == v for k, v in changes.items()):
        return req
    return replace(req, **changes)
