"""Broker JSON with exact decimals: numbers parsed from their text into Decimal, never through float."""

# Alpaca's trading API sends decimals as strings, but its market data sends JSON numbers (`"bp":173.21`)
# and Binance mixes both; `json.loads` would turn those into floats before any code sees them. Parsing
# with `parse_float=Decimal` keeps the exact text; integers stay `int` (exact already, and ids and
# millisecond times are integers).

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from tradewire.protocol.decimals import excess

__all__ = ["BrokerJsonError", "decimal_field", "decimal_text", "loads", "optional_decimal"]


class BrokerJsonError(ValueError):
    """A broker answer that is not the JSON, or not the decimal, the adapter expects."""


def _no_constant(name: str) -> NoReturn:
    # The stdlib accepts NaN and Infinity by default; no broker sends them, so one means a bad body.
    raise BrokerJsonError(f"not a finite JSON number: {name}")


def loads(text: str | bytes) -> Any:
    """Parse a broker body: every JSON number with a fraction or exponent becomes a Decimal.

    Raises:
        BrokerJsonError: not JSON, or it holds NaN / Infinity.
    """
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise BrokerJsonError(f"broker sent invalid JSON: {e}") from e


def decimal_field(obj: Any, key: str) -> Decimal:
    """`obj[key]` as a finite Decimal, from a JSON string, a Decimal from `loads` or an int.

    A float (something parsed without `loads`) or a bool is refused: its exact value is already lost.

    Raises:
        BrokerJsonError: missing, null, a float or bool, not a number, not finite, or too long.
    """
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        raise BrokerJsonError(f"{key}: missing")
    return _decimal(key, value)


def optional_decimal(obj: Any, key: str) -> Decimal | None:
    """`decimal_field`, or None when the key is absent or null (Alpaca's `"filled_avg_price":null`)."""
    if not isinstance(obj, dict) or obj.get(key) is None:
        return None
    return _decimal(key, obj[key])


def _decimal(key: str, value: object) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise BrokerJsonError(f"{key}: {type(value).__name__} {value!r} is not an exact decimal")
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise BrokerJsonError(f"{key}: not a decimal: {value!r}") from None
    else:
        raise BrokerJsonError(f"{key}: not a decimal: {value!r}")
    if not result.is_finite():
        raise BrokerJsonError(f"{key}: not finite: {value!r}")
    reason = excess(format(result, "f"))
    if reason is not None:
        raise BrokerJsonError(f"{key}: {reason}")
    return result


def decimal_text(value: Decimal) -> str:
    """The text a broker is sent for a decimal: plain digits, never exponent notation, no trailing zeros.

    `Decimal("1E+2")` → `"100"`, `Decimal("0.000000010")` → `"0.00000001"`, `Decimal("-0")` → `"0"`.

    Raises:
        ValueError: `value` is not finite.
    """
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
