"""What the server refuses beyond the wire types, as JSON Schema: the request side of the OpenAPI document."""

# Every rule here is one the gateway enforces with a 400 (tradewire.protocol.order_rules, the codec, the
# query plumbing); the document states them so that a client, or a fuzzer, can tell a valid request from
# an invalid one without sending it. Rules JSON Schema cannot state (display_quantity below quantity, a
# JSON number written without an exponent) are in the descriptions.

from __future__ import annotations

from typing import Any

from tradewire.protocol import decimals, routes
from tradewire.protocol._generated.wire_table import ENUMS
from tradewire.protocol.messages import OrderType, TrailingType
from tradewire.protocol.order_rules import MAX_ID, MAX_SYMBOL, NOTIONAL_FORBIDDEN, PRICE_RULES

#: A decimal string above zero: digits with at least one non-zero, optional fraction, no sign.
POSITIVE_DECIMAL_PATTERN = r"^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)$"
#: A decimal with more than decimals.MAX_DIGITS significant digits (the first non-zero one and every
#: one after it, the point aside); refused with 400 like one longer than decimals.MAX_CHARS characters.
TOO_MANY_DIGITS_PATTERN = rf"^-?0*\.?0*[1-9](\.?[0-9]){{{decimals.MAX_DIGITS}}}"
#: The largest JSON number within the decimal bounds: MAX_DIGITS nines.
LARGEST_NUMBER = 10**decimals.MAX_DIGITS - 1
#: A decimal string below 100 (two integer digits at most, leading zeros aside).
BELOW_100_PATTERN = r"^0*[0-9]{1,2}(\.[0-9]+)?$"
#: Most digits the query decoder reads for an integer (codec.decode_query); longer is a 400.
QUERY_INT_DIGITS = 12
#: Messages sent as request bodies: every decimal in them must be above zero (rest.md).
BODY_MESSAGES = frozenset(
    {"SubmitOrderRequest", "ModifyOrderRequest", "ClosePositionRequest", "ModifyPositionExitsRequest"}
)
#: (message, field) → (min, max) characters.
STRING_LENGTHS: dict[tuple[str, str], tuple[int, int]] = {
    ("SubmitOrderRequest", "symbol"): (1, MAX_SYMBOL),
    ("SubmitOrderRequest", "client_order_id"): (0, MAX_ID),
    ("SubmitOrderRequest", "oco_group_id"): (0, MAX_ID),
}
#: The component every decimal of a request body refers to.
POSITIVE_DECIMAL = "PositiveDecimalInput"
NULL: dict[str, Any] = {"type": "null"}
NOT_NULL: dict[str, Any] = {"not": NULL}


def spellings(enum: str, *values: int) -> list[str]:
    """Every spelling the decoder accepts for these values of `enum` (`LIMIT` and `limit`)."""
    return sorted(text for text, value in ENUMS[enum]["accept"].items() if value in values)


def positive_decimal() -> dict[str, Any]:
    """A decimal a client sends: a string above zero, or (Tradewire's leniency) a JSON number above zero."""
    return {
        "anyOf": [
            {
                "type": "string",
                "pattern": POSITIVE_DECIMAL_PATTERN,
                "maxLength": decimals.MAX_CHARS,
                "not": {"pattern": TOO_MANY_DIGITS_PATTERN},
            },
            {"type": "number", "exclusiveMinimum": 0, "maximum": LARGEST_NUMBER},
        ],
        "description": (
            f"Decimal above zero, as a JSON string of at most {decimals.MAX_CHARS} characters and "
            f"{decimals.MAX_DIGITS} significant digits. A JSON number is accepted too when its text keeps "
            "those bounds and has no exponent (1e-5 is refused with 400)."
        ),
    }


def below_100() -> dict[str, Any]:
    """A PERCENT trailing distance: below 100 (its positivity comes from the field's own schema)."""
    return {
        "anyOf": [
            {"type": "string", "pattern": BELOW_100_PATTERN},
            {"type": "number", "exclusiveMaximum": 100},
        ]
    }


def component_schemas() -> dict[str, Any]:
    """The shared schemas the request bodies refer to."""
    return {POSITIVE_DECIMAL: positive_decimal()}


def body_field(message: str, name: str, kind: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    """The schema of one request body field: positivity and lengths added; optional ones may be null."""
    if kind == "decimal":
        schema = {"$ref": f"#/components/schemas/{POSITIVE_DECIMAL}"}
    lengths = STRING_LENGTHS.get((message, name))
    if lengths is not None:
        schema = {**schema, "minLength": lengths[0], "maxLength": lengths[1]}
    # The decoder reads a JSON null as an absent optional field.
    return schema if required else {"anyOf": [schema, NULL]}


def _order_type_branch(order_type: OrderType, trailing: TrailingType | None = None) -> dict[str, Any]:
    required, forbidden = PRICE_RULES[order_type]
    props: dict[str, Any] = {"order_type": {"enum": spellings("OrderType", order_type)}}
    for name in required:
        props[name] = NOT_NULL
    for name in forbidden:
        props[name] = NULL
    title = order_type.name
    if trailing is not None:
        props["trailing_type"] = {"enum": spellings("TrailingType", trailing)}
        if trailing == TrailingType.PERCENT:
            props["trailing_distance"] = below_100()
        title += f" ({trailing.name})"
    return {"title": f"{title} order", "properties": props, "required": ["order_type", *required]}


def _sizing_branches() -> list[dict[str, Any]]:
    """rest.md: an order is sized by quantity, or (MARKET only, no exits) by quote notional; never both."""
    by_notional: dict[str, Any] = {
        "notional": NOT_NULL,
        "quantity": NULL,
        "order_type": {"enum": spellings("OrderType", OrderType.MARKET)},
    }
    by_notional |= {name: NULL for name in NOTIONAL_FORBIDDEN}
    return [
        {
            "title": "Sized by quantity",
            "properties": {"quantity": NOT_NULL, "notional": NULL},
            "required": ["quantity"],
        },
        {"title": "Sized by notional", "properties": by_notional, "required": ["notional", "order_type"]},
    ]


def submit_rules() -> dict[str, Any]:
    """rest.md "Price fields per order type" (one branch per type, a trailing stop per trailing type),
    and how the order is sized (quantity or notional)."""
    branches = []
    for order_type in PRICE_RULES:
        if order_type == OrderType.TRAILING_STOP:
            branches += [
                _order_type_branch(order_type, t) for t in (TrailingType.ABSOLUTE, TrailingType.PERCENT)
            ]
        else:
            branches.append(_order_type_branch(order_type))
    return {
        "allOf": [{"oneOf": branches}, {"oneOf": _sizing_branches()}],
        "description": (
            "Price fields per order type: a missing required one is 400 INVALID_REQUEST, a forbidden one "
            "400 INVALID_VALUE. display_quantity must be below quantity (400 INVALID_VALUE). An order is "
            "sized by quantity or, MARKET only and without stop_loss, take_profit, oco_group_id or "
            "display_quantity, by notional (an amount of the quote currency); a venue without the "
            "notional_orders feature answers 501 UNSUPPORTED_OPERATION."
        ),
    }


def close_rules() -> dict[str, Any]:
    """A position closes at market (the default) or with a LIMIT order, which needs limit_price."""
    market = spellings("OrderType", OrderType.MARKET)
    limit = spellings("OrderType", OrderType.LIMIT)
    return {
        "anyOf": [
            {"title": "Market close", "properties": {"order_type": {"enum": [*market, None]}}},
            {
                "title": "Limit close",
                "properties": {"order_type": {"enum": limit}, "limit_price": NOT_NULL},
                "required": ["order_type", "limit_price"],
            },
        ]
    }


def exits_rules() -> dict[str, Any]:
    """At least one of stop_loss and take_profit (else 400 VALIDATION_ERROR)."""
    return {
        "anyOf": [
            {"properties": {name: NOT_NULL}, "required": [name]} for name in ("stop_loss", "take_profit")
        ]
    }


#: Cross-field rules of each body message, merged into its schema.
BODY_RULES = {
    "SubmitOrderRequest": submit_rules,
    "ClosePositionRequest": close_rules,
    "ModifyPositionExitsRequest": exits_rules,
}


def query_list_item(enum: str) -> dict[str, Any]:
    """One value of a repeatable enum query parameter: a spelling, or several comma-separated."""
    one = "|".join(sorted(ENUMS[enum]["accept"]))
    return {
        "type": "string",
        "pattern": f"^({one})?(,({one})?)*$",
        "description": f"A {enum}, or several comma-separated (empty parts are ignored)",
    }


def limit_param() -> dict[str, Any]:
    """The `limit` query parameter: any count up to QUERY_INT_DIGITS digits; above MAX_LIMIT it is capped."""
    return {
        "type": "integer",
        "minimum": 0,
        "maximum": 10**QUERY_INT_DIGITS - 1,
        "description": (
            f"Maximum items (default {routes.DEFAULT_LIMIT}); a larger value than {routes.MAX_LIMIT} "
            f"counts as {routes.MAX_LIMIT}"
        ),
    }
