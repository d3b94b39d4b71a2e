"""Seeded synthetic bars: a geometric random walk per symbol, generated chunk by chunk (flat memory)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np

from tradewire.engine.data.series import Series
from tradewire.engine.data.timeframes import TIMEFRAME_NS

__all__ = ["synthetic_bars"]


def synthetic_bars(
    symbol: str,
    bars: int,
    *,
    seed: int = 42,
    start: str = "2024-01-01T00:00:00",
    timeframe: str = "1m",
    price: float = 100.0,
    volatility: float = 0.0005,
    price_decimals: int = 2,
    chunk_rows: int = 65_536,
) -> Series:
    """`bars` OHLCV bars of `symbol`; the same (symbol, seed, arguments) always give the same data.

    Each chunk draws from its own generator seeded by (seed, symbol, chunk index), so data can be
    regenerated chunk by chunk in a second pass without holding the history.
    """
    t0 = int(np.datetime64(start, "ns").astype(np.int64))
    tf = TIMEFRAME_NS[timeframe]
    sym_key = zlib.crc32(symbol.encode())

    def raw() -> Iterator[dict[str, np.ndarray]]:
        last = price
        for ci, i in enumerate(range(0, bars, chunk_rows)):
            n = min(chunk_rows, bars - i)
            rng = np.random.default_rng([seed, sym_key, ci])
            close = last * np.exp(np.cumsum(rng.normal(0.0, volatility, n)))
            open_ = np.empty(n)
            open_[0] = last
            open_[1:] = close[:-1]
            high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0.0, volatility * 0.6, n)))
            low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0.0, volatility * 0.6, n)))
            volume = rng.integers(100, 10_000, n).astype(np.int64)
            o, h, lo, c = (np.round(a, price_decimals) for a in (open_, high, low, close))
            h = np.maximum(h, np.maximum(o, c))
            lo = np.minimum(lo, np.minimum(o, c))
            last = float(close[-1])
            ts = t0 + (np.arange(n, dtype=np.int64) + i) * tf
            yield {"ts": ts, "open": o, "high": h, "low": lo, "close": c, "volume": volume}

    return Series(
        symbol,
        raw,
        source=f"synthetic[{symbol}]",
        kind="bar",
        timeframe=timeframe,
        price_decimals=price_decimals,
        volume_decimals=0,
    )
