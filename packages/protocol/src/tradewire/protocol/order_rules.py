"""The order rules of rest.md every venue and the gateway apply: fields per order type, positivity, lengths."""

# One implementation and one set of messages: the gateway checks a decoded request with
# `check_submit` & co. before any venue sees it; a venue used in process (the engine) checks its
# plain arguments with the pieces below, so both answer the same error with the same words.

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

from tradewire.protocol import codec, decimals
from tradewire.protocol.errors import InvalidRequest, InvalidValue, UnsupportedOperation, ValidationError
from tradewire.protocol.messages import (
    ClosePositionRequest,
    ModifyOrderRequest,
    ModifyPositionExitsRequest,
    OrderType,
    SubmitOrderRequest,
    TrailingType,
)

__all__ = [
    "MAX_ID",
    "MAX_SYMBOL",
    "NOTIONAL_FEATURE",
    "NOTIONAL_FORBIDDEN",
    "PRICE_FIELDS",
    "PRICE_RULES",
    "check_close",
    "check_close_type",
    "check_display",
    "check_exits",
    "check_id",
    "check_modify",
    "check_notional",
    "check_price_fields",
    "check_submit",
    "check_symbol",
    "check_trailing",
    "decimal_value",
    "positive",
    "quantity_of",
    "type_label",
]

#: The price fields whose presence depends on the order type.
PRICE_FIELDS: Final = ("limit_price", "stop_price", "trailing_distance")
#: order type → (required fields in report order, forbidden fields); rest.md "Price fields per order type".
PRICE_RULES: Final[Mapping[OrderType, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    OrderType.MARKET: ((), ("limit_price", "stop_price", "trailing_distance")),
    OrderType.LIMIT: (("limit_price",), ("stop_price", "trailing_distance")),
    OrderType.STOP: (("stop_price",), ("limit_price", "trailing_distance")),
    OrderType.STOP_LIMIT: (("stop_price", "limit_price"), ("trailing_distance",)),
    OrderType.TRAILING_STOP: (("trailing_distance", "trailing_type"), ("limit_price", "stop_price")),
}
#: Longest symbol, in characters.
MAX_SYMBOL: Final = 20
#: Longest `client_order_id` / `oco_group_id`, in characters.
MAX_ID: Final = 64
#: The capabilities feature of a venue that takes MARKET orders sized by quote notional.
NOTIONAL_FEATURE: Final = "notional_orders"
#: What an order sized by notional may not carry: exits, an OCO pairing and an iceberg size need a
#: quantity up front.
NOTIONAL_FORBIDDEN: Final = ("stop_loss", "take_profit", "oco_group_id", "display_quantity")
_HUNDRED: Final = Decimal(100)
_MODIFY_PRICES: Final = ("limit_price", "stop_price", "stop_loss", "take_profit", "trailing_distance")
_SUBMIT_POSITIVE: Final = (*PRICE_FIELDS, "stop_loss", "take_profit", "leverage", "display_quantity")


def type_label(order_type: OrderType) -> str:
    """`STOP_LIMIT` → `Stop limit` (as in "Stop limit orders require stop_price")."""
    return codec.enum_spelling(order_type).replace("_", " ").capitalize()


def _text(value: object) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def decimal_value(field: str, value: object) -> Decimal:
    """`value` (decimal text, int or Decimal; never a float) as a finite Decimal within the input bounds.

    Raises InvalidRequest naming `field` for anything else, including a value longer than
    `decimals.MAX_CHARS` characters or `decimals.MAX_DIGITS` significant digits.
    """
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        try:
            d = Decimal(value)
        except InvalidOperation:
            d = Decimal("NaN")
    else:
        d = Decimal("NaN")
    if not d.is_finite():
        raise InvalidRequest(f"Invalid request: {field} is not a decimal: {value!r}", {"field": field})
    if isinstance(value, str) and len(value) < decimals.SHORT:
        return d  # too short to break a bound
    reason = decimals.too_long(d)
    if reason is not None:
        raise InvalidRequest(f"Invalid request: {field} is too long: {reason}", {"field": field})
    return d


def positive(
    field: str, value: object, error: type[InvalidValue | ValidationError] = InvalidValue
) -> Decimal:
    """`value` as a Decimal that is greater than 0; else `error` (INVALID_VALUE, VALIDATION_ERROR for quantities)."""
    d = decimal_value(field, value)
    if d <= 0:
        prefix = "Validation error" if error is ValidationError else "Invalid value"
        raise error(f"{prefix}: {field} must be greater than 0", {"field": field, "provided": _text(value)})
    return d


def check_symbol(symbol: str) -> None:
    """A symbol is 1 to MAX_SYMBOL characters."""
    if not 1 <= len(symbol) <= MAX_SYMBOL:
        raise ValidationError(
            f"Validation error: symbol must be 1-{MAX_SYMBOL} characters", {"field": "symbol"}
        )


def check_id(field: str, value: str | None) -> None:
    """A client-chosen id is at most MAX_ID characters."""
    if value is not None and len(value) > MAX_ID:
        raise ValidationError(
            f"Validation error: {field} must be at most {MAX_ID} characters", {"field": field}
        )


def check_price_fields(
    order_type: OrderType,
    limit_price: object = None,
    stop_price: object = None,
    trailing_distance: object = None,
    trailing_type: object = None,
) -> None:
    """Required (400 INVALID_REQUEST) and forbidden (400 INVALID_VALUE) price fields of `order_type`."""
    given = {
        "limit_price": limit_price,
        "stop_price": stop_price,
        "trailing_distance": trailing_distance,
        "trailing_type": trailing_type,
    }
    required, forbidden = PRICE_RULES[order_type]
    for name in required:
        if given[name] is None:
            label = type_label(order_type)
            raise InvalidRequest(f"Invalid request: {label} orders require {name}", {"field": name})
    for name in forbidden:
        value = given[name]
        if value is not None:
            raise InvalidValue(
                f"Invalid value: {name} is not allowed for {type_label(order_type)} orders",
                {"field": name, "provided": _text(value)},
            )


def check_trailing(trailing_type: TrailingType | int | None, distance: Decimal, provided: object) -> None:
    """A PERCENT trailing distance is below 100 (its positivity is `positive`'s)."""
    if trailing_type == TrailingType.PERCENT and distance >= _HUNDRED:
        raise InvalidValue(
            "Invalid value: a PERCENT trailing_distance must be below 100",
            {"field": "trailing_distance", "provided": _text(provided)},
        )


def check_display(display_quantity: Decimal, quantity: Decimal, provided: object) -> None:
    """The shown part of an iceberg order is below its quantity."""
    if display_quantity >= quantity:
        raise InvalidValue(
            "Invalid value: display_quantity must be below quantity",
            {"field": "display_quantity", "provided": _text(provided)},
        )


def check_notional(
    order_type: OrderType, notional: object, quantity: object = None, **others: object
) -> Decimal:
    """An order sized by quote notional: MARKET only, no quantity, no exits or iceberg size; > 0.

    `others` are the NOTIONAL_FORBIDDEN fields as given (None when absent). Returns the notional.
    """
    if quantity is not None:
        raise InvalidValue(
            "Invalid value: give quantity or notional, not both",
            {"field": "quantity", "provided": _text(quantity)},
        )
    if order_type != OrderType.MARKET:
        raise InvalidValue(
            f"Invalid value: notional is not allowed for {type_label(order_type)} orders; "
            "only Market orders are sized by notional",
            {"field": "notional", "provided": _text(notional)},
        )
    for name in NOTIONAL_FORBIDDEN:
        value = others.get(name)
        if value is not None:
            raise InvalidValue(
                f"Invalid value: {name} is not allowed on an order sized by notional",
                {"field": name, "provided": _text(value)},
            )
    return positive("notional", notional, ValidationError)


def quantity_of(req: SubmitOrderRequest, venue: str) -> str:
    """The quantity of a checked request, for a venue that sizes orders by quantity only.

    An order sized by notional gets 501 UNSUPPORTED_OPERATION naming `venue` (rest.md: a venue
    without the `notional_orders` feature).
    """
    if req.quantity is None:
        raise UnsupportedOperation(
            f"Unsupported operation: orders sized by notional are not supported on {venue}; give quantity",
            {"platform": venue, "field": "notional"},
        )
    return req.quantity


def check_submit(req: SubmitOrderRequest) -> None:
    """Raise the spec's error for an order request that decodes but breaks a rule."""
    if req.quantity is None and req.notional is None:
        # The answer from before notional existed, when quantity was a required field of the schema.
        raise codec.DecodeError("quantity", "missing required field")
    check_symbol(req.symbol)
    quantity: Decimal | None = None
    if req.notional is not None:
        check_notional(
            OrderType(req.order_type),
            req.notional,
            req.quantity,
            stop_loss=req.stop_loss,
            take_profit=req.take_profit,
            oco_group_id=req.oco_group_id,
            display_quantity=req.display_quantity,
        )
    else:
        quantity = positive("quantity", req.quantity, ValidationError)
    check_id("client_order_id", req.client_order_id)
    check_id("oco_group_id", req.oco_group_id)
    check_price_fields(
        req.order_type, req.limit_price, req.stop_price, req.trailing_distance, req.trailing_type
    )
    for name in _SUBMIT_POSITIVE:
        value = getattr(req, name)
        if value is not None:
            positive(name, value)
    if req.trailing_distance is not None:
        check_trailing(req.trailing_type, Decimal(req.trailing_distance), req.trailing_distance)
    if req.display_quantity is not None and quantity is not None:
        check_display(Decimal(req.display_quantity), quantity, req.display_quantity)


def check_modify(req: ModifyOrderRequest) -> None:
    """Every given amendment value must be positive."""
    if req.quantity is not None:
        positive("quantity", req.quantity, ValidationError)
    for name in _MODIFY_PRICES:
        value = getattr(req, name)
        if value is not None:
            positive(name, value)


def check_exits(req: ModifyPositionExitsRequest) -> None:
    """At least one exit to move, and positive."""
    if req.stop_loss is None and req.take_profit is None:
        raise ValidationError("Validation error: give stop_loss and/or take_profit", {"field": "stop_loss"})
    for name, value in (("stop_loss", req.stop_loss), ("take_profit", req.take_profit)):
        if value is not None:
            positive(name, value)


def check_close_type(order_type: OrderType | int | None, limit_price: object) -> None:
    """A position closes with a MARKET order (the default) or a LIMIT one, which needs limit_price."""
    if order_type not in (None, OrderType.MARKET, OrderType.LIMIT):
        raise InvalidValue(
            "Invalid value: a position closes with a MARKET or LIMIT order",
            {"field": "order_type", "provided": codec.enum_spelling(OrderType(order_type))},
        )
    if order_type == OrderType.LIMIT and limit_price is None:
        raise InvalidRequest("Invalid request: Limit orders require limit_price", {"field": "limit_price"})


def check_close(req: ClosePositionRequest) -> None:
    """Positive quantity/price; MARKET or LIMIT, and a LIMIT close needs limit_price."""
    if req.quantity is not None:
        positive("quantity", req.quantity, ValidationError)
    if req.limit_price is not None:
        positive("limit_price", req.limit_price)
    check_close_type(req.order_type, req.limit_price)
