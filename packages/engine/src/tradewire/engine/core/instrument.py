"""A tradable symbol as the kernel sees it: its index, price scale and timeframe."""

from __future__ import annotations

__all__ = ["Instrument"]


class Instrument:
    """A tradable symbol: its index, price scale and the factor that lifts its notionals to money scale."""

    __slots__ = ("asset_class", "factor", "index", "price_scale", "symbol", "timeframe", "timeframe_ns")

    def __init__(
        self, index: int, symbol: str, price_scale: int, timeframe: str | None, timeframe_ns: int
    ) -> None:
        self.index = index
        self.symbol = symbol
        self.price_scale = price_scale
        self.timeframe = timeframe
        self.timeframe_ns = timeframe_ns
        self.factor = 1  # set by Ledger: 10**(money price scale - price_scale)
        self.asset_class = "CRYPTO" if "/" in symbol else "STOCK"
