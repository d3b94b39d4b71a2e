"""Binance's JSON conventions: decimals as fixed 8-place strings, ms integers, request parameters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from tradewire.testkit.fakes.binance import errors

Json = Any
_PLACES = Decimal("1E-8")
ZERO = Decimal(0)


def d8(value: Decimal) -> str:
    """`"1.00000000"`: Binance writes every price, quantity and balance with eight decimals."""
    return format(value.quantize(_PLACES), "f")


def dumps(body: Json) -> str:
    return json.dumps(body, separators=(",", ":"))


def loads(text: str | bytes) -> Json:
    """JSON with decimals kept exact (WS API numbers become Decimal, never float)."""
    return json.loads(text, parse_float=Decimal)


def decimal_param(params: Mapping[str, str], name: str, required: bool = False) -> Decimal | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise errors.mandatory(name)
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise errors.mandatory(name) from None
    if not value.is_finite() or value < 0:
        raise errors.invalid_value(name)
    if value.as_tuple().exponent < -8:  # type: ignore[operator]
        raise errors.too_much_precision(name)
    return value


def int_param(params: Mapping[str, str], name: str, required: bool = False) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise errors.mandatory(name)
        return None
    try:
        return int(raw)
    except ValueError:
        raise errors.mandatory(name) from None


def text(value: object) -> str:
    """A WS API parameter as its signature payload writes it: JSON scalars, not re-encoded."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return dumps(value)
    return str(value)
