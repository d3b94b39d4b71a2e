"""Request rules the codec cannot express: positivity, lengths, per-order-type price fields (rest.md)."""

from __future__ import annotations

from decimal import Decimal

from tradewire.protocol import codec
from tradewire.protocol.errors import InvalidRequest, InvalidValue, ValidationError
from tradewire.protocol.messages import (
    ClosePositionRequest,
    ModifyOrderRequest,
    ModifyPositionExitsRequest,
    OrderType,
    SubmitOrderRequest,
    TrailingType,
)

_PRICES = ("limit_price", "stop_price", "trailing_distance")
#: order type → (required fields in report order, forbidden fields); rest.md "Price fields per order type".
PRICE_RULES: dict[OrderType, tuple[tuple[str, ...], tuple[str, ...]]] = {
    OrderType.MARKET: ((), ("limit_price", "stop_price", "trailing_distance")),
    OrderType.LIMIT: (("limit_price",), ("stop_price", "trailing_distance")),
    OrderType.STOP: (("stop_price",), ("limit_price", "trailing_distance")),
    OrderType.STOP_LIMIT: (("stop_price", "limit_price"), ("trailing_distance",)),
    OrderType.TRAILING_STOP: (("trailing_distance", "trailing_type"), ("limit_price", "stop_price")),
}
MAX_SYMBOL = 20
MAX_ID = 64


def type_label(order_type: OrderType) -> str:
    """`STOP_LIMIT` → `Stop limit` (as in "Stop limit orders require stop_price")."""
    return codec.enum_spelling(order_type).replace("_", " ").capitalize()


def _positive(
    message: object, names: tuple[str, ...], error: type[InvalidValue | ValidationError] = InvalidValue
) -> None:
    for name in names:
        value = getattr(message, name)
        if value is not None and Decimal(value) <= 0:
            raise error(f"Invalid value: {name} must be greater than 0", {"field": name, "provided": value})


def check_submit(req: SubmitOrderRequest) -> None:
    """Raise the spec's error for an order request that decodes but breaks a rule."""
    if not 1 <= len(req.symbol) <= MAX_SYMBOL:
        raise ValidationError(
            f"Validation error: symbol must be 1-{MAX_SYMBOL} characters", {"field": "symbol"}
        )
    if Decimal(req.quantity) <= 0:
        raise ValidationError(
            "Validation error: quantity must be greater than 0",
            {"field": "quantity", "provided": req.quantity},
        )
    for name in ("client_order_id", "oco_group_id"):
        value = getattr(req, name)
        if value is not None and len(value) > MAX_ID:
            raise ValidationError(
                f"Validation error: {name} must be at most {MAX_ID} characters", {"field": name}
            )
    required, forbidden = PRICE_RULES[req.order_type]
    label = type_label(req.order_type)
    for name in required:
        if getattr(req, name) is None:
            raise InvalidRequest(f"Invalid request: {label} orders require {name}", {"field": name})
    for name in forbidden:
        value = getattr(req, name)
        if value is not None:
            raise InvalidValue(
                f"Invalid value: {name} is not allowed for {label} orders", {"field": name, "provided": value}
            )
    _positive(req, (*_PRICES, "stop_loss", "take_profit", "leverage", "display_quantity"))
    if (
        req.trailing_type == TrailingType.PERCENT
        and req.trailing_distance is not None
        and Decimal(req.trailing_distance) >= 100
    ):
        raise InvalidValue(
            "Invalid value: a PERCENT trailing_distance must be below 100",
            {"field": "trailing_distance", "provided": req.trailing_distance},
        )
    if req.display_quantity is not None and Decimal(req.display_quantity) >= Decimal(req.quantity):
        raise InvalidValue(
            "Invalid value: display_quantity must be below quantity",
            {"field": "display_quantity", "provided": req.display_quantity},
        )


def check_modify(req: ModifyOrderRequest) -> None:
    """Every given amendment value must be positive."""
    _positive(req, ("quantity",), ValidationError)
    _positive(req, ("limit_price", "stop_price", "stop_loss", "take_profit", "trailing_distance"))


def check_exits(req: ModifyPositionExitsRequest) -> None:
    """At least one exit to move, and positive."""
    if req.stop_loss is None and req.take_profit is None:
        raise ValidationError("Validation error: give stop_loss and/or take_profit", {"field": "stop_loss"})
    _positive(req, ("stop_loss", "take_profit"))


def check_close(req: ClosePositionRequest) -> None:
    """Positive quantity/price; a LIMIT close needs limit_price."""
    _positive(req, ("quantity",), ValidationError)
    _positive(req, ("limit_price",))
    if req.order_type == OrderType.LIMIT and req.limit_price is None:
        raise InvalidRequest("Invalid request: Limit orders require limit_price", {"field": "limit_price"})
    if req.order_type not in (None, OrderType.MARKET, OrderType.LIMIT):
        raise InvalidValue(
            "Invalid value: a position closes with a MARKET or LIMIT order",
            {"field": "order_type", "provided": codec.enum_spelling(req.order_type)},
        )
