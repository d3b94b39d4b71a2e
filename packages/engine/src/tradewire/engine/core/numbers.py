"""Exact fixed-point helpers: decimal text <-> scaled integers, and float arrays -> scaled integers."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

__all__ = ["dec_text", "floor_scaled", "fmt_money", "fmt_qty", "fmt_scaled", "parse_scaled", "to_decimal"]

_POW10: list[int] = [int(10**i) for i in range(40)]
# Scaling only moves the exponent: a context as wide as any accepted input (decimals of at most 40
# significant digits) keeps every digit, where the default 28 would round a long value silently.
_EXACT = Context(prec=80)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """A finite Decimal from decimal text, int or Decimal; floats are refused (they are not exact)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"use decimal text, not {type(value).__name__}: {value!r}")
    try:
        d = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    return d


def parse_scaled(value: Decimal | int | str, scale: int) -> int:
    """`value` as an integer count of 10**-scale units; ValueError if it has more decimals."""
    d = to_decimal(value)
    scaled = _EXACT.scaleb(d, scale)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {scale} decimal places")
    return int(scaled)


def floor_scaled(value: Decimal, scale: int) -> int:
    """`value` floored to `scale` decimals, as a scaled integer (exact for any accepted input)."""
    return int(_EXACT.scaleb(value, scale).to_integral_value(ROUND_FLOOR))


def round_scaled(value: Decimal, scale: int) -> int:
    """`value` rounded half-even to `scale` decimals, as a scaled integer."""
    return int(value.scaleb(scale).to_integral_value(ROUND_HALF_EVEN))


def fmt_scaled(n: int, scale: int) -> str:
    """Wire text of a scaled integer with exactly `scale` decimals (keeps the data's scale)."""
    if scale == 0:
        return str(n)
    sign = "-" if n < 0 else ""
    s = str(-n if n < 0 else n).rjust(scale + 1, "0")
    return f"{sign}{s[:-scale]}.{s[-scale:]}"


def _trim(text: str, keep: int) -> str:
    """Drop trailing fractional zeros but keep at least `keep` decimals."""
    if "." not in text:
        return text if keep == 0 else text + "." + "0" * keep
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    if len(frac) < keep:
        frac = frac + "0" * (keep - len(frac))
    return f"{whole}.{frac}" if frac else whole


def fmt_qty(n: int, scale: int) -> str:
    """Quantity text: as few decimals as the value needs ("10", "0.5")."""
    return _trim(fmt_scaled(n, scale), 0)


def fmt_money(n: int, scale: int, keep: int = 2) -> str:
    """Money text: exact, trailing zeros trimmed down to `keep` decimals ("98499.80", "996347.0099")."""
    return _trim(fmt_scaled(n, scale), keep)


def dec_text(value: Decimal) -> str:
    """Plain decimal text without exponent."""
    return format(value, "f")


def ratio_text(num: int, den: int, scale: int, extra: int = 4) -> str:
    """num/den (both scaled by 10**scale in the result) as text with up to scale+extra decimals, trimmed to scale."""
    q = (Decimal(num) / Decimal(den)).scaleb(-scale)
    q = q.quantize(Decimal(1).scaleb(-(scale + extra)), rounding=ROUND_HALF_EVEN)
    return _trim(dec_text(q), scale)


def pow10(n: int) -> int:
    """10**n from a table."""
    return _POW10[n]
