"""A sweep's honesty checks: the deflated Sharpe ratio of the best trial and PBO over all of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SweepStatistics", "sweep_statistics"]


@dataclass(frozen=True, slots=True)
class SweepStatistics:
    """Attributes:
    trials: Trials that finished (failed ones are not counted).
    observations: Daily returns each trial's statistics are measured on.
    best_sharpe: The best trial's daily Sharpe ratio (not annualised).
    deflated_sharpe: Probability that the best trial's true Sharpe ratio is above zero given how
        many trials it was picked from (Bailey & López de Prado 2014); None with fewer than 2 trials.
    pbo: Probability of backtest overfitting by CSCV over the trials' daily returns (Bailey et al.
        2017); None with fewer than 2 trials or too few days.
    groups: Blocks the days were cut into for PBO.
    """

    trials: int
    observations: int
    best_sharpe: float | None
    deflated_sharpe: float | None
    pbo: float | None
    groups: int

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def _groups(days: int) -> int:
    """16 blocks (the paper's choice) when there are enough days, fewer (even, >= 2) otherwise."""
    groups = min(16, days // 4)
    return groups - groups % 2


def sweep_statistics(rows: Sequence[Mapping[str, Any]], best: Mapping[str, Any] | None) -> SweepStatistics:
    """Statistics of the finished `rows` (one phase: full runs or one window's in-sample runs)."""
    from tradewire.sdk.transports.inprocess import sweep_support as engine

    ok = [r for r in rows if r["status"] == "ok" and r["returns"]]
    if len(ok) < 2 or best is None or best["status"] != "ok":
        return SweepStatistics(len(ok), 0, None, None, None, 0)
    length = min(len(r["returns"]) for r in ok)
    matrix = np.array([r["returns"][:length] for r in ok], dtype=np.float64).T
    sharpes = np.array([engine.return_moments(matrix[:, j])[0] for j in range(matrix.shape[1])])
    sharpe, skew, kurtosis, n = engine.return_moments(np.asarray(best["returns"][:length], dtype=np.float64))
    variance = float(np.var(sharpes, ddof=1))
    dsr = engine.deflated_sharpe(sharpe, len(ok), variance, n, skew, kurtosis)
    groups = _groups(length)
    pbo = engine.overfitting_probability(matrix, groups) if groups >= 2 else None
    return SweepStatistics(len(ok), n, sharpe, dsr, pbo, groups)
