"""Slippage and commission models: small frozen objects the kernel calls once per fill."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "CommissionModel",
    "FixedBps",
    "MakerTaker",
    "NoCommission",
    "NoSlippage",
    "PerOrder",
    "PerShare",
    "PercentOfNotional",
    "SlippageModel",
    "SpreadSlippage",
]

_BPS = Decimal(10_000)


class SlippageModel:
    """Moves a taker fill price against the trader. Limit (maker) fills are never slipped."""

    def slip(self, price: int, is_buy: bool, spread: int | None) -> int:
        """The fill price, in the same scaled units as `price` (and `spread`, the ask-bid gap if known)."""
        return price


@dataclass(frozen=True, slots=True)
class NoSlippage(SlippageModel):
    """Fill exactly at the model price (the default)."""


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


@dataclass(frozen=True, slots=True)
class FixedBps(SlippageModel):
    """Worsen every taker fill by `bps` basis points, rounded to the tick away from the trader."""

    bps: Decimal

    def slip(self, price: int, is_buy: bool, spread: int | None) -> int:
        # exact rational move price*bps/10000, rounded adversely so slippage is never understated
        num, den = Decimal(self.bps).as_integer_ratio()
        move_num, move_den = price * num, den * 10_000
        move = _ceil_div(move_num, move_den)
        return price + move if is_buy else price - move


@dataclass(frozen=True, slots=True)
class SpreadSlippage(SlippageModel):
    """Worsen taker fills by `fraction` of the quoted spread (quotes); on bars by `bar_bps` instead."""

    fraction: Decimal = Decimal("0.5")
    bar_bps: Decimal = Decimal(0)

    def slip(self, price: int, is_buy: bool, spread: int | None) -> int:
        if spread is None:
            return FixedBps(self.bar_bps).slip(price, is_buy, None) if self.bar_bps else price
        num, den = Decimal(self.fraction).as_integer_ratio()
        move = _ceil_div(spread * num, den)
        return price + move if is_buy else price - move


class CommissionModel:
    """Fee charged on one fill, in account currency (exact Decimal; the kernel rounds to the money scale)."""

    def fee(self, quantity: Decimal, price: Decimal, is_maker: bool, first_fill: bool) -> Decimal:
        """Commission for a fill of `quantity` at `price`; `first_fill` is true for an order's first fill."""
        return Decimal(0)


@dataclass(frozen=True, slots=True)
class NoCommission(CommissionModel):
    """Free trading (the default)."""


@dataclass(frozen=True, slots=True)
class PerShare(CommissionModel):
    """`rate` per unit of quantity, at least `minimum` per fill."""

    rate: Decimal
    minimum: Decimal = Decimal(0)

    def fee(self, quantity: Decimal, price: Decimal, is_maker: bool, first_fill: bool) -> Decimal:
        return max(quantity * self.rate, self.minimum)


@dataclass(frozen=True, slots=True)
class PercentOfNotional(CommissionModel):
    """`percent` % of the fill's notional (0.1 means 0.1 %)."""

    percent: Decimal

    def fee(self, quantity: Decimal, price: Decimal, is_maker: bool, first_fill: bool) -> Decimal:
        return quantity * price * self.percent / 100


@dataclass(frozen=True, slots=True)
class PerOrder(CommissionModel):
    """A flat `amount` per order, charged on its first fill."""

    amount: Decimal

    def fee(self, quantity: Decimal, price: Decimal, is_maker: bool, first_fill: bool) -> Decimal:
        return self.amount if first_fill else Decimal(0)


@dataclass(frozen=True, slots=True)
class MakerTaker(CommissionModel):
    """Basis points of notional: `maker_bps` for resting limit fills, `taker_bps` otherwise (Binance-like)."""

    maker_bps: Decimal
    taker_bps: Decimal

    def fee(self, quantity: Decimal, price: Decimal, is_maker: bool, first_fill: bool) -> Decimal:
        return quantity * price * (self.maker_bps if is_maker else self.taker_bps) / _BPS
