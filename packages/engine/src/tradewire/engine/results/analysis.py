"""The report's derived series and tables (pure numpy): benchmark, periodic returns, rolling ratios,
drawdown episodes, return histogram, and decimation for drawing."""

# Everything here feeds the report only: metrics never use a decimated series.

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tradewire.engine.results.records import FillRecord

__all__ = [
    "Episode",
    "benchmark",
    "decimate",
    "drawdown_episodes",
    "histogram",
    "marker_buckets",
    "period_returns",
    "rolling_sharpe_vol",
    "rolling_window",
]


def decimate(ts: np.ndarray, ys: np.ndarray, max_points: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """At most about `max_points` points that keep each bucket's first, lowest and highest value, so a
    line drawn through them shows every spike of the full series (min-max decimation)."""
    ok = np.isfinite(ys)
    ts, ys = ts[ok], ys[ok]
    n = ys.size
    if n <= max_points:
        return ts, ys
    size = math.ceil(n / (max_points // 3))
    full = n // size * size
    body = ys[:full].reshape(-1, size)
    base = np.arange(0, full, size)
    keep = np.concatenate((base, base + body.argmin(axis=1), base + body.argmax(axis=1), [n - 1]))
    if full < n:
        tail = ys[full:]
        keep = np.concatenate((keep, [full, full + int(tail.argmin()), full + int(tail.argmax())]))
    keep = np.unique(keep)
    return ts[keep], ys[keep]


def benchmark(prices: Mapping[str, np.ndarray], start_value: float) -> np.ndarray | None:
    """Buy and hold: `start_value` split equally over the symbols at each one's first price, then held.
    A symbol counts as cash until its first price. None without prices."""
    columns = []
    for px in prices.values():
        ok = np.flatnonzero(np.isfinite(px) & (px > 0))
        if ok.size == 0:
            continue
        first = px[ok[0]]
        rel = np.where(np.isfinite(px), px / first, np.nan)
        rel[: ok[0]] = 1.0
        columns.append(_fill_forward(rel))
    if not columns:
        return None
    return np.mean(columns, axis=0) * start_value  # type: ignore[no-any-return]


def _fill_forward(a: np.ndarray) -> np.ndarray:
    idx = np.where(np.isfinite(a), np.arange(a.size), 0)
    np.maximum.accumulate(idx, out=idx)
    return a[idx]


def period_returns(ts: np.ndarray, equity: np.ndarray, start_value: float, unit: str) -> dict[str, float]:
    """Compounded return per calendar month ("M": "2024-03") or year ("Y": "2024"), from the last
    equity of each period (the first from `start_value`)."""
    if ts.size == 0:
        return {}
    keys = ts.astype("datetime64[ns]").astype(f"datetime64[{unit}]")
    last = np.flatnonzero(np.append(keys[1:] != keys[:-1], True))
    ends = equity[last]
    starts = np.concatenate(([start_value], ends[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = ends / starts - 1.0
    return {str(k): float(r) for k, r in zip(keys[last], rets, strict=True)}


def rolling_window(periods_per_year: float, n: int) -> int:
    """About a month of samples (at least 20), smaller on short runs so the line has points."""
    month = round(periods_per_year / 12) if periods_per_year > 0 else 20
    return max(2, min(max(20, month), max(2, n // 4)))


def rolling_sharpe_vol(
    rets: np.ndarray, window: int, periods_per_year: float, rf_per_period: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Annualised rolling Sharpe and volatility over `window` samples (NaN until the window fills)."""
    n = rets.size
    sharpe = np.full(n, np.nan)
    vol = np.full(n, np.nan)
    if n < window or window < 2:
        return sharpe, vol
    x = rets - rf_per_period
    c1 = np.concatenate(([0.0], np.cumsum(x)))
    c2 = np.concatenate(([0.0], np.cumsum(x * x)))
    s1 = c1[window:] - c1[:-window]
    s2 = c2[window:] - c2[:-window]
    mean = s1 / window
    var = np.maximum(s2 - window * mean * mean, 0.0) / (window - 1)
    sd = np.sqrt(var)
    root = math.sqrt(periods_per_year) if periods_per_year > 0 else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe[window - 1 :] = np.where(sd > 1e-15, mean / sd * root, np.nan)
    raw = rets
    r1 = np.concatenate(([0.0], np.cumsum(raw)))
    r2 = np.concatenate(([0.0], np.cumsum(raw * raw)))
    m = (r1[window:] - r1[:-window]) / window
    v = np.maximum((r2[window:] - r2[:-window]) - window * m * m, 0.0) / (window - 1)
    vol[window - 1 :] = np.sqrt(v) * root
    return sharpe, vol


@dataclass(frozen=True, slots=True)
class Episode:
    """One drawdown: from a peak to its trough and back (recovery_ns None: not recovered by the end)."""

    peak_ns: int
    trough_ns: int
    recovery_ns: int | None
    depth: float


def drawdown_episodes(ts: np.ndarray, values: np.ndarray, top: int = 5) -> list[Episode]:
    """The `top` deepest drawdowns, deepest first."""
    if values.size == 0:
        return []
    peak = np.maximum.accumulate(values)
    under = values < peak
    if not under.any():
        return []
    edges = np.diff(np.concatenate(([False], under, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # first index at the peak again (== size: never)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peak > 0, values / peak - 1.0, 0.0)
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        low = a + int(dd[a:b].argmin())
        out.append(
            Episode(
                int(ts[a - 1]) if a > 0 else int(ts[a]),
                int(ts[low]),
                int(ts[b]) if b < values.size else None,
                float(dd[low]),
            )
        )
    out.sort(key=lambda e: e.depth)
    return out[:top]


def histogram(rets: np.ndarray, bins: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin centres of the non-zero returns (flat periods would swamp the shape)."""
    r = rets[np.isfinite(rets) & (rets != 0)]
    if r.size == 0:
        return np.array([]), np.array([])
    counts, edges = np.histogram(r, bins=bins)
    return counts, (edges[:-1] + edges[1:]) / 2


def marker_buckets(
    fills: Sequence[FillRecord], symbol: str, t0: int, t1: int, buckets: int = 400
) -> list[tuple[int, float, str, int]]:
    """Trade markers of `symbol` aggregated per time bucket and side: (time, mean price, side, count).
    A chart of 2 M bars and 100 000 fills stays readable and light."""
    span = max(1, t1 - t0)
    acc: dict[tuple[int, str], list[float]] = {}
    for f in fills:
        if f.symbol != symbol:
            continue
        b = min(buckets - 1, max(0, (f.time_ns - t0) * buckets // span))
        a = acc.setdefault((b, f.side), [0.0, 0.0, 0.0])
        a[0] += f.time_ns
        a[1] += float(f.price)
        a[2] += 1
    return [
        (int(a[0] / a[2]), a[1] / a[2], side, int(a[2]))
        for (_, side), a in sorted(acc.items(), key=lambda kv: kv[0])
    ]
