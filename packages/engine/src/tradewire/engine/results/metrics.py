"""Performance metrics from a per-bar equity curve and round trips (pure numpy; returns plain floats)."""

# The definitions are empyrical's (and quantstats'): the tests check every figure against
# empyrical-reloaded on the same return series. Returns are simple per-sample returns, the first one
# from the starting cash; annualisation uses the samples' own frequency and calendar (calendar.py).

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from tradewire.engine.results.calendar import annualisation

__all__ = ["Metrics", "compute_metrics", "drawdown", "returns_of"]


@dataclass(frozen=True, slots=True)
class Metrics:
    """Headline figures of a run. Ratios are fractions (0.05 = 5 %); durations in days.

    None means "not defined": win rate, profit factor and average win/loss without round trips (or
    without wins/losses), Calmar without a drawdown, ratios without two returns.
    """

    start_value: float
    end_value: float
    total_return: float
    cagr: float
    volatility: float
    sharpe: float | None
    sortino: float | None
    max_drawdown: float
    max_drawdown_days: float
    trades: int
    win_rate: float | None
    profit_factor: float | None
    exposure: float
    turnover: float
    fees: float
    calmar: float | None = None
    avg_win: float | None = None
    avg_loss: float | None = None
    slippage: float | None = 0.0  # None: not known (a run seen over the wire)
    risk_free_rate: float = 0.0
    periods_per_year: float = 0.0
    calendar: str = ""
    samples: int = 0

    def to_dict(self) -> dict[str, float | int | str | None]:
        return asdict(self)


def drawdown(values: np.ndarray) -> np.ndarray:
    """Drawdown at each point as a fraction below the running peak (<= 0)."""
    if values.size == 0:
        return values
    peak = np.maximum.accumulate(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(peak > 0, values / peak - 1.0, 0.0)


def returns_of(equity: np.ndarray, start_value: float) -> np.ndarray:
    """Simple returns between consecutive equity samples, the first from `start_value`."""
    if equity.size == 0:
        return np.array([], dtype=np.float64)
    values = np.concatenate(([start_value], equity))
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = np.diff(values) / values[:-1]
    return np.where(np.isfinite(rets), rets, 0.0)


def _max_dd_duration(ts: np.ndarray, values: np.ndarray) -> float:
    """Longest time (days) from a peak until equity regains it (or the run ends), vectorised."""
    if ts.size == 0:
        return 0.0
    peak = np.maximum.accumulate(values)
    at_peak = values >= peak
    # the time of the latest peak at or before each sample
    last_peak_t = np.maximum.accumulate(np.where(at_peak, ts, np.iinfo(np.int64).min))
    under = ~at_peak
    longest = int((ts[under] - last_peak_t[under]).max()) if under.any() else 0
    # a recovery ends the span at the sample that regains the peak
    regained = at_peak[1:] & under[:-1]
    if regained.any():
        longest = max(longest, int((ts[1:][regained] - last_peak_t[:-1][regained]).max()))
    return longest / 86_400e9


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 and math.isfinite(a / b) else None


def compute_metrics(
    ts: np.ndarray,
    equity: np.ndarray,
    start_value: float,
    trip_pnls: Sequence[float],
    exposure: float,
    traded_notional: float,
    fees: float,
    slippage: float | None = 0.0,
    risk_free_rate: float = 0.0,
    periods_per_year: float | None = None,
) -> Metrics:
    """Metrics over equity samples `equity` at times `ts` (ns), starting from `start_value`.

    `risk_free_rate` is annual (0.04 = 4 %), compounded to each period for Sharpe and Sortino;
    `periods_per_year` overrides the one found from `ts` (see `calendar.annualisation`).
    """
    ann = annualisation(ts)
    ppy = float(periods_per_year) if periods_per_year else ann.periods_per_year
    calendar = "given" if periods_per_year else ann.calendar
    rets = returns_of(equity, start_value)
    end = float(equity[-1]) if equity.size else start_value
    total = end / start_value - 1.0 if start_value else 0.0
    years = rets.size / ppy if ppy > 0 else 0.0
    growth = 1.0 + total
    cagr = growth ** (1.0 / years) - 1.0 if years > 0 and growth > 0 else 0.0
    rf = (1.0 + risk_free_rate) ** (1.0 / ppy) - 1.0 if ppy > 0 else 0.0
    excess = rets - rf
    root = math.sqrt(ppy) if ppy > 0 else 0.0
    sd = float(np.std(rets, ddof=1)) if rets.size > 1 else 0.0
    excess_sd = float(np.std(excess, ddof=1)) if rets.size > 1 else 0.0
    mean_excess = float(np.mean(excess)) if rets.size else 0.0
    downside = float(np.sqrt(np.mean(np.minimum(excess, 0.0) ** 2))) if rets.size else 0.0
    values = np.concatenate(([start_value], equity))
    times = np.concatenate(([ts[0]], ts)) if ts.size else np.array([0], dtype=np.int64)
    max_dd = float(drawdown(values).min())
    wins = [p for p in trip_pnls if p > 0]
    losses = [p for p in trip_pnls if p < 0]
    if not trip_pnls:
        pf = None
    elif losses:
        pf = sum(wins) / -sum(losses)
    else:
        pf = math.inf
    mean_eq = float(np.mean(values))
    return Metrics(
        start_value=start_value,
        end_value=end,
        total_return=total,
        cagr=float(cagr),
        volatility=sd * root,
        sharpe=_ratio(mean_excess * root, excess_sd) if rets.size > 1 else None,
        sortino=_ratio(mean_excess * root, downside) if rets.size > 1 else None,
        max_drawdown=max_dd,
        max_drawdown_days=_max_dd_duration(times, values),
        trades=len(trip_pnls),
        win_rate=len(wins) / len(trip_pnls) if trip_pnls else None,
        profit_factor=pf,
        exposure=exposure,
        turnover=traded_notional / mean_eq if mean_eq else 0.0,
        fees=fees,
        calmar=cagr / -max_dd if max_dd < 0 else None,
        avg_win=sum(wins) / len(wins) if wins else None,
        avg_loss=sum(losses) / len(losses) if losses else None,
        slippage=slippage,
        risk_free_rate=risk_free_rate,
        periods_per_year=ppy,
        calendar=calendar,
        samples=int(equity.size),
    )
