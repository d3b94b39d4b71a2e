"""The per-sample equity curve, rebuilt after a run from the sampled marks and the fills."""

# Equity is cash plus each position's quantity times its mark (Ledger.totals), and cash moves only at
# fills, so the curve at every sample follows from the fills up to that instant: a run records two
# numbers a step, and this builds the curve in a few vectorised passes. It reads FillRecords, so a
# client that rebuilds a result from the wire's trades gets the same curve as the engine.

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import accumulate

import numpy as np

from tradewire.engine.results.records import FillRecord

__all__ = ["equity_curve", "marks_of"]


def marks_of(raw: array[int], price_scale: int) -> np.ndarray:
    """A symbol's sampled marks (scaled ints, 0 before its first price) as prices (NaN there)."""
    if not len(raw):
        return np.array([], dtype=np.float64)
    px: np.ndarray = np.frombuffer(raw, dtype=np.int64).astype(np.float64) / 10**price_scale
    px[px == 0] = np.nan
    return px


def equity_curve(
    ts: np.ndarray, marks: Mapping[str, np.ndarray], fills: Sequence[FillRecord], start_cash: Decimal
) -> np.ndarray:
    """Equity at each sample time `ts` after every fill up to and including that instant."""
    if ts.size == 0:
        return np.array([], dtype=np.float64)
    fts = np.array([f.time_ns for f in fills], dtype=np.int64)
    upto = np.searchsorted(fts, ts, side="right")  # fills counted at each sample
    signed = [f.quantity if f.side == "BUY" else -f.quantity for f in fills]
    flows = (-(q * f.price + f.commission) for q, f in zip(signed, fills, strict=True))
    cash = np.array([float(c) for c in accumulate(flows, initial=start_cash)], dtype=np.float64)
    equity: np.ndarray = cash[upto]
    symbols = np.array([f.symbol for f in fills], dtype=object)
    for symbol, px in marks.items():
        mine = np.flatnonzero(symbols == symbol)
        if mine.size == 0:
            continue
        held_exact = accumulate((signed[i] for i in mine.tolist()), initial=Decimal(0))
        held = np.array([float(q) for q in held_exact], dtype=np.float64)
        q = held[np.searchsorted(fts[mine], ts, side="right")]
        equity += np.where(q != 0, q * np.nan_to_num(px), 0.0)
    return equity
