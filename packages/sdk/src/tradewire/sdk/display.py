"""How figures are shown to people: money rounded to its currency, quantities without trailing zeros."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

__all__ = ["money_text", "percent_text", "quantity_text"]

#: ISO 4217 currencies without minor units; every other currency (and USDT, USDC) shows cents.
_NO_MINOR_UNITS = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "HUF"})


def money_text(amount: Decimal | float | int | str, currency: str = "") -> str:
    """`amount` rounded half-even to the currency's minor unit, with thousands separators and the
    currency after it ("109,956.50 USD")."""
    places = 0 if currency.upper() in _NO_MINOR_UNITS else 2
    value = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = f"{value:,.{places}f}"
    return f"{text} {currency}" if currency else text


def quantity_text(quantity: Decimal | int | str) -> str:
    """An exact quantity without trailing zeros ("100", "0.5"), never in exponent form."""
    q = Decimal(str(quantity))
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent_text(fraction: float | None, signed: bool = False, places: int = 2) -> str:
    """A fraction as a percentage ("+4.69 %"), or "n/a" when it is not defined."""
    if fraction is None:
        return "n/a"
    return f"{fraction * 100:{'+' if signed else ''}.{places}f} %"
