"""The rows a result holds: fills and round trips, in exact decimals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["FillRecord", "RoundTrip"]


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One execution with exact decimal text fields."""

    id: str
    order_id: str
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    commission: Decimal
    is_maker: bool
    time_ns: int


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """A position from flat back to flat (a flip closes one trip and opens the next)."""

    symbol: str
    side: str
    quantity: Decimal
    entry_time_ns: int
    exit_time_ns: int
    entry_price: Decimal
    exit_price: Decimal
    pnl: Decimal
    fees: Decimal
