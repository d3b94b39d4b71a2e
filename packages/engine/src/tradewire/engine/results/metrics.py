"""Performance metrics from an equity curve and round trips (pure numpy; returns plain floats)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["Metrics", "compute_metrics", "drawdown"]

YEAR_NS = 365.25 * 86_400e9


@dataclass(frozen=True, slots=True)
class Metrics:
    """Headline figures of a run. Ratios are fractions (0.05 = 5 %); durations in days."""

    start_value: float
    end_value: float
    total_return: float
    cagr: float
    volatility: float
    sharpe: float
    sortino: float
    max_drawdown: float
    max_drawdown_days: float
    trades: int
    win_rate: float
    profit_factor: float
    exposure: float
    turnover: float
    fees: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def drawdown(values: np.ndarray) -> np.ndarray:
    """Drawdown at each point as a fraction below the running peak (<= 0)."""
    if values.size == 0:
        return values
    peak = np.maximum.accumulate(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peak > 0, values / peak - 1.0, 0.0)


def _max_dd_duration(ts: np.ndarray, values: np.ndarray) -> float:
    """Longest time (days) from a peak until equity regains it (or the run ends)."""
    longest = 0
    peak, peak_t, under = -math.inf, 0, False
    for t, v in zip(ts.tolist(), values.tolist(), strict=True):
        if v >= peak:
            if under:
                longest = max(longest, t - peak_t)
            peak, peak_t, under = v, t, False
        else:
            under = True
    if under and ts.size:
        longest = max(longest, int(ts[-1]) - peak_t)
    return longest / 86_400e9


def compute_metrics(
    ts: np.ndarray,
    equity: np.ndarray,
    start_value: float,
    trip_pnls: Sequence[float],
    exposure: float,
    traded_notional: float,
    fees: float,
) -> Metrics:
    """Metrics over equity samples `equity` at times `ts` (ns), starting from `start_value`."""
    values = np.concatenate(([start_value], equity)) if equity.size else np.array([start_value])
    times = np.concatenate(([ts[0]], ts)) if ts.size else np.array([0])
    end = float(values[-1])
    total = end / start_value - 1.0 if start_value else 0.0
    years = (times[-1] - times[0]) / YEAR_NS if times.size > 1 else 0.0
    cagr = (end / start_value) ** (1.0 / years) - 1.0 if years > 0 and end > 0 and start_value > 0 else 0.0
    rets = np.diff(values) / values[:-1] if values.size > 1 else np.array([])
    rets = rets[np.isfinite(rets)]
    ppy = rets.size / years if years > 0 else 0.0
    vol = float(np.std(rets, ddof=1) * math.sqrt(ppy)) if rets.size > 1 else 0.0
    mean = float(np.mean(rets)) if rets.size else 0.0
    sd = float(np.std(rets, ddof=1)) if rets.size > 1 else 0.0
    sharpe = mean / sd * math.sqrt(ppy) if sd > 0 else 0.0
    downside = rets[rets < 0]
    dsd = float(np.sqrt(np.mean(downside**2))) if downside.size else 0.0
    sortino = mean / dsd * math.sqrt(ppy) if dsd > 0 else 0.0
    dd = drawdown(values)
    wins = [p for p in trip_pnls if p > 0]
    losses = [p for p in trip_pnls if p < 0]
    pf = sum(wins) / -sum(losses) if losses else (math.inf if wins else 0.0)
    mean_eq = float(np.mean(values)) if values.size else 0.0
    return Metrics(
        start_value=start_value,
        end_value=end,
        total_return=total,
        cagr=float(cagr),
        volatility=vol,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown=float(dd.min()) if dd.size else 0.0,
        max_drawdown_days=_max_dd_duration(times, values),
        trades=len(trip_pnls),
        win_rate=len(wins) / len(trip_pnls) if trip_pnls else 0.0,
        profit_factor=pf,
        exposure=exposure,
        turnover=traded_notional / mean_eq if mean_eq else 0.0,
        fees=fees,
    )
