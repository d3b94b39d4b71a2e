"""Is the best of many backtests luck? The deflated Sharpe ratio and the probability of backtest overfitting."""

# Pure numpy (and the standard library's normal distribution). References:
# - Bailey, D. and López de Prado, M. (2014), "The Deflated Sharpe Ratio: Correcting for Selection
#   Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5).
# - Bailey, D., Borwein, J., López de Prado, M. and Zhu, Q. (2017), "The Probability of Backtest
#   Overfitting", Journal of Computational Finance 20(4): combinatorially symmetric cross-validation.

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = [
    "PBO",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "return_moments",
]

_EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()


def return_moments(returns: np.ndarray) -> tuple[float, float, float, int]:
    """(Sharpe ratio per period, skewness, kurtosis (3 for a normal law), observations) of `returns`."""
    r = np.asarray(returns, dtype=np.float64)
    n = int(r.size)
    if n < 2:
        return 0.0, 0.0, 3.0, n
    mean = float(r.mean())
    sd = float(r.std(ddof=1))
    if sd == 0.0:
        return 0.0, 0.0, 3.0, n
    z = (r - mean) / float(r.std(ddof=0))
    return mean / sd, float(np.mean(z**3)), float(np.mean(z**4)), n


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """The expected largest Sharpe ratio of `n_trials` unskilled strategies whose Sharpe ratios vary
    with `sharpe_variance` (the DSR's benchmark SR0, in the per-period units of the variance)."""
    if n_trials < 2 or sharpe_variance <= 0:
        return 0.0
    a = _NORMAL.inv_cdf(1.0 - 1.0 / n_trials)
    b = _NORMAL.inv_cdf(1.0 - 1.0 / (n_trials * math.e))
    return math.sqrt(sharpe_variance) * ((1.0 - _EULER_GAMMA) * a + _EULER_GAMMA * b)


def probabilistic_sharpe_ratio(
    sharpe: float, benchmark: float, observations: int, skew: float = 0.0, kurtosis: float = 3.0
) -> float:
    """The probability that the true Sharpe ratio exceeds `benchmark`, given `sharpe` measured over
    `observations` returns with this skewness and kurtosis (all per period, not annualised)."""
    if observations < 2:
        return 0.0
    spread = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if spread <= 0:
        return 0.0
    return _NORMAL.cdf((sharpe - benchmark) * math.sqrt(observations - 1) / math.sqrt(spread))


def deflated_sharpe_ratio(
    sharpe: float,
    n_trials: int,
    sharpe_variance: float,
    observations: int,
    skew: float = 0.0,
    kurtosis: float = 3.0,
) -> float:
    """The probability that the best of `n_trials` backtests has a true Sharpe ratio above zero once
    the selection is accounted for: the PSR against `expected_max_sharpe(n_trials, sharpe_variance)`.

    Args:
        sharpe: The selected trial's Sharpe ratio per period (not annualised).
        n_trials: How many independent trials the selection was made from.
        sharpe_variance: The variance of the trials' Sharpe ratios (per period).
        observations: How many returns the selected Sharpe ratio was measured on.
        skew, kurtosis: Of the selected trial's returns (kurtosis 3 for a normal law).
    """
    benchmark = expected_max_sharpe(n_trials, sharpe_variance)
    return probabilistic_sharpe_ratio(sharpe, benchmark, observations, skew, kurtosis)


@dataclass(frozen=True, slots=True)
class PBO:
    """Probability of backtest overfitting by CSCV.

    Attributes:
        pbo: The fraction of splits whose in-sample best ranks in the lower half out of sample.
        logits: λ = ln(ω / (1 - ω)) per split, ω the in-sample best's relative out-of-sample rank.
        splits: How many in-sample / out-of-sample splits were scored.
    """

    pbo: float
    logits: np.ndarray
    splits: int


def _sharpe_columns(total: np.ndarray, squares: np.ndarray, n: int) -> np.ndarray:
    mean = total / n
    var = (squares - n * mean**2) / max(n - 1, 1)
    sd = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, mean / sd, 0.0)


def probability_of_backtest_overfitting(returns: np.ndarray, groups: int = 16) -> PBO:
    """PBO of choosing the best column of `returns` (rows: periods, columns: trials) by Sharpe ratio.

    The rows are cut into `groups` equal blocks (rows beyond a multiple of `groups` are dropped from
    the end); every choice of half the blocks is an in-sample set, the other half its out-of-sample
    set. For each, the trial with the best in-sample Sharpe ratio is ranked out of sample (rank 1 the
    worst, N the best; ties share the mean rank), ω = rank / (N + 1), and PBO is the share of splits
    with ω ≤ 1/2 (λ ≤ 0).

    Raises:
        ValueError: fewer than 2 trials, an odd or too small `groups`, or fewer rows than groups.
    """
    m = np.asarray(returns, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] < 2:
        raise ValueError("returns must be a 2-D array with one column per trial (at least 2)")
    if groups < 2 or groups % 2:
        raise ValueError("groups must be an even number >= 2")
    per = m.shape[0] // groups
    if per < 1:
        raise ValueError(f"{m.shape[0]} periods cannot be cut into {groups} groups")
    blocks = m[: per * groups].reshape(groups, per, m.shape[1])
    total, squares = blocks.sum(axis=1), (blocks**2).sum(axis=1)
    trials = m.shape[1]
    logits = []
    everything = set(range(groups))
    for chosen in itertools.combinations(range(groups), groups // 2):
        ins = list(chosen)
        outs = sorted(everything.difference(chosen))
        n = per * len(ins)
        is_sr = _sharpe_columns(total[ins].sum(axis=0), squares[ins].sum(axis=0), n)
        oos_sr = _sharpe_columns(total[outs].sum(axis=0), squares[outs].sum(axis=0), n)
        best = int(np.argmax(is_sr))
        below = float(np.sum(oos_sr < oos_sr[best]))
        ties = float(np.sum(oos_sr == oos_sr[best]))
        omega = (below + (ties + 1.0) / 2.0) / (trials + 1.0)
        logits.append(math.log(omega / (1.0 - omega)))
    lam = np.array(logits)
    return PBO(pbo=float(np.mean(lam <= 0.0)), logits=lam, splits=int(lam.size))
