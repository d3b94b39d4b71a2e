"""The per-sample equity curve, rebuilt after a run from the sampled marks and the fill log."""

# Equity is cash plus each position's quantity times its mark (Ledger.totals), and cash moves only at
# fills, so the curve at every sample follows from the fills up to that instant: the run records two
# numbers a step, and this builds the curve in a few vectorised passes.

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

import numpy as np

from tradewire.engine.core.events import FillLog
from tradewire.engine.core.instrument import Instrument

__all__ = ["equity_curve", "marks_of"]


def _column(values: array[Any], dtype: type[np.generic]) -> np.ndarray:
    if not len(values):
        return np.array([], dtype=dtype)
    return np.frombuffer(values, dtype=dtype).copy()


def marks_of(raw: array[int], inst: Instrument) -> np.ndarray:
    """A symbol's sampled marks as prices (NaN before its first price)."""
    px: np.ndarray = _column(raw, np.int64).astype(np.float64) / 10**inst.price_scale
    px[px == 0] = np.nan
    return px


def equity_curve(
    ts: np.ndarray,
    marks: list[np.ndarray],
    instruments: list[Instrument],
    fills: FillLog,
    start_cash: int,
    money_scale: int,
    qty_scale: int,
) -> np.ndarray:
    """Equity at each sample time `ts` after every fill up to and including that instant."""
    if ts.size == 0:
        return np.array([], dtype=np.float64)
    fts = _column(fills.ts, np.int64)
    upto = np.searchsorted(fts, ts, side="right")  # fills counted at each sample
    sym = _column(fills.sym, np.int32)
    side = _column(fills.side, np.int8)
    qty = _column(fills.qty, np.int64)
    signed = np.where(side == 1, qty, -qty)
    price = fills.price.tolist()
    factor = [instruments[s].factor for s in sym.tolist()]
    # exact integer cash after each fill (Python ints: notionals at money scale can pass 2**63)
    flows = (
        -(q * p * f + fills.fees.get(i, 0))
        for i, (q, p, f) in enumerate(zip(signed.tolist(), price, factor, strict=True))
    )
    cash = np.array(list(accumulate(flows, initial=start_cash)), dtype=object)
    equity = (cash / 10**money_scale).astype(np.float64)[upto]
    for inst, px in zip(instruments, marks, strict=True):
        mine = sym == inst.index
        if not mine.any():
            continue
        held = np.concatenate(([0], np.cumsum(signed[mine]))).astype(np.float64) / 10**qty_scale
        q = held[np.searchsorted(fts[mine], ts, side="right")]
        equity += np.where(q != 0, q * np.nan_to_num(px), 0.0)
    out: np.ndarray = equity
    return out
