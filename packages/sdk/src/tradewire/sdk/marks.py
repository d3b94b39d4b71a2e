"""Marking to market: a symbol's latest price from its market data, positions and account valued at it."""

# One function set for every transport: in-process and over the wire the strategy's state is marked by
# this code from the same inputs (the venue's last account and position reports and the market data of
# the instant), so both give the same text, digit for digit. All arithmetic is exact Decimal.

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import ROUND_FLOOR, Context, Decimal

from tradewire.protocol import messages as m
from tradewire.sdk.market import Candle, Tick

__all__ = ["mark_account", "mark_position", "money_text", "price_of", "signed_quantity"]

# Wide enough that no sum or product of wire decimals (at most a few dozen digits) is ever rounded.
_EXACT = Context(prec=200)
_ZERO = Decimal(0)


def money_text(value: Decimal) -> str:
    """Exact money text: trailing fractional zeros trimmed, at least two decimals ("98499.80", "0.0099")."""
    text = format(value, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if len(frac) < 2:
        frac = frac.ljust(2, "0")
    if whole == "-0" and not frac.strip("0"):
        whole = "0"
    return f"{whole}.{frac}"


def price_of(market: Candle | Tick) -> Decimal:
    """The mark a market object gives its symbol: a candle's close, or a quote's mid.

    The mid is rounded down to the finer of the bid's and ask's decimal places, as a venue marks on
    its tick grid (the engine's integer `(bid + ask) // 2`).
    """
    if isinstance(market, Tick):
        bid, ask = market.decimal("bid"), market.decimal("ask")
        exp = min(bid.as_tuple().exponent, ask.as_tuple().exponent)
        assert isinstance(exp, int)
        mid = _EXACT.divide(_EXACT.add(bid, ask), Decimal(2))
        return mid.quantize(Decimal(1).scaleb(exp), rounding=ROUND_FLOOR, context=_EXACT)
    close: Decimal = market.decimal("close")
    return close


def signed_quantity(position: m.Position) -> Decimal:
    """The position's quantity, negative when short."""
    qty = Decimal(position.quantity)
    return -qty if position.side == m.PositionSide.SHORT and qty > 0 else qty


def mark_position(position: m.Position, price: Decimal) -> m.Position:
    """`position` valued at `price`: its current price and unrealized P&L moved, the rest as reported."""
    text = format(price, "f")
    if text == position.current_price:
        return position
    moved = _EXACT.multiply(
        signed_quantity(position), _EXACT.subtract(price, Decimal(position.current_price))
    )
    pnl = _EXACT.add(Decimal(position.unrealized_pnl), moved)
    return dataclasses.replace(position, current_price=text, unrealized_pnl=money_text(pnl))


def mark_account(account: m.Account, positions: Mapping[str, m.Position]) -> m.Account:
    """`account` with equity and unrealized P&L taken from `positions` (already marked).

    Equity is the balance plus the signed market value of every open position; the margin fields stay
    as the venue last reported them (they depend on its leverage rules).
    """
    if not positions:
        return account
    value = unrealized = _ZERO
    for p in positions.values():
        value = _EXACT.add(value, _EXACT.multiply(signed_quantity(p), Decimal(p.current_price)))
        unrealized = _EXACT.add(unrealized, Decimal(p.unrealized_pnl))
    equity = money_text(_EXACT.add(Decimal(account.balance), value))
    pnl = money_text(unrealized)
    if equity == account.equity and pnl == account.unrealized_pnl:
        return account
    return dataclasses.replace(account, equity=equity, unrealized_pnl=pnl)
