"""Schemathesis hooks for `nox -s schemathesis`: the request rules JSON Schema cannot state.

The OpenAPI document states them in prose: a decimal sent as a JSON number must be written without an
exponent and keep the decimal bounds; display_quantity must be below quantity. Without these hooks the
generator would send "valid" requests the server rightly refuses. Only positive cases (those meant to
be accepted) are touched; negative ones are refused either way.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import schemathesis
from schemathesis.generation.modes import GenerationMode

from tradewire.protocol import decimals

#: Body fields that hold decimals (rest.md: every one a client sends is above zero).
DECIMALS = (
    "quantity",
    "limit_price",
    "stop_price",
    "trailing_distance",
    "stop_loss",
    "take_profit",
    "display_quantity",
    "leverage",
    "notional",
)


def _positive_body(case: schemathesis.Case) -> dict[str, Any] | None:
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE or not isinstance(case.body, dict):
        return None
    return case.body


def _text(value: Any) -> str | None:
    """The plain decimal text of a JSON number (Python's json writes 1e-05 where a client writes 0.00001)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return format(Decimal(repr(value)), "f") if "e" in json.dumps(value).lower() else json.dumps(value)


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    """Skip a positive case holding a number whose plain text breaks the decimal bounds."""
    body = _positive_body(case)
    if body is None:
        return True
    texts = (_text(body.get(name)) for name in DECIMALS)
    return not any(text is not None and decimals.excess(text) is not None for text in texts)


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Send exponent-form numbers as plain decimal text; drop a display_quantity not below quantity."""
    body = _positive_body(case)
    if body is None:
        return case
    for name in DECIMALS:
        value = body.get(name)
        if isinstance(value, float) and "e" in json.dumps(value).lower():
            body[name] = _text(value)
    shown, total = body.get("display_quantity"), body.get("quantity")
    if shown is not None and total is not None and Decimal(str(shown)) >= Decimal(str(total)):
        del body["display_quantity"]
    return case
