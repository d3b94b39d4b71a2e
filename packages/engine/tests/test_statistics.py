"""Walk-forward windows, the deflated Sharpe ratio and PBO against worked examples and known values."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from tradewire.engine import (
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probability_of_backtest_overfitting,
    walk_forward_windows,
)
from tradewire.engine.results.overfitting import probabilistic_sharpe_ratio, return_moments
from tradewire.engine.results.walkforward import add_span, parse_span


def ns(text: str) -> int:
    return int(np.datetime64(text, "ns").astype(np.int64))


def test_rolling_windows_tile_the_out_of_sample_spans_and_the_last_is_cut_at_the_data_end():
    got = walk_forward_windows(ns("2020-01-01"), ns("2022-12-31"), "1y", "6m")
    assert [(w.train_start, w.train_end, w.test_end) for w in got] == [
        (ns("2020-01-01"), ns("2021-01-01"), ns("2021-07-01")),
        (ns("2020-07-01"), ns("2021-07-01"), ns("2022-01-01")),
        (ns("2021-01-01"), ns("2022-01-01"), ns("2022-07-01")),
        (ns("2021-07-01"), ns("2022-07-01"), ns("2022-12-31") + 1),
    ]
    assert all(w.test_start == w.train_end for w in got)
    assert [w.index for w in got] == [0, 1, 2, 3]


def test_anchored_windows_all_start_at_the_beginning_and_grow_by_the_step():
    got = walk_forward_windows(ns("2020-01-01"), ns("2022-12-31"), "2y", "3m", step="6m", anchored=True)
    assert [(w.train_start, w.train_end, w.test_end) for w in got] == [
        (ns("2020-01-01"), ns("2022-01-01"), ns("2022-04-01")),
        (ns("2020-01-01"), ns("2022-07-01"), ns("2022-10-01")),
    ]


def test_spans_are_calendar_months_clamped_to_the_month_end():
    assert parse_span("2y") == (24, "m") and parse_span("30d") == (30, "d")
    assert add_span(ns("2024-01-31T09:30"), (1, "m")) == ns("2024-02-29T09:30")
    assert add_span(ns("2024-03-31"), (6, "m")) == ns("2024-09-30")
    assert add_span(ns("2024-03-01"), (2, "w")) == ns("2024-03-15")
    with pytest.raises(ValueError, match="not a span"):
        parse_span("6 months")
    with pytest.raises(ValueError, match="shorter than one in-sample span"):
        walk_forward_windows(ns("2024-01-01"), ns("2024-06-01"), "1y", "1m")


def test_deflated_sharpe_ratio_reproduces_bailey_and_lopez_de_prado_2014():
    # The paper's numerical example: 100 trials whose annualised Sharpe ratios vary by 0.5, the best
    # at 2.5 annualised over 1,250 daily returns with skewness -3 and kurtosis 10: SR0 ≈ 0.1132
    # (per day) and DSR ≈ 0.9004.
    per_year = 250
    variance = 0.5 / per_year
    assert expected_max_sharpe(100, variance) == pytest.approx(0.1132, abs=5e-5)
    dsr = deflated_sharpe_ratio(2.5 / math.sqrt(per_year), 100, variance, 1250, skew=-3.0, kurtosis=10.0)
    assert dsr == pytest.approx(0.9004, abs=5e-4)


def test_psr_is_one_half_at_the_benchmark_and_one_trial_has_no_deflation():
    assert probabilistic_sharpe_ratio(0.1, 0.1, 500) == pytest.approx(0.5)
    assert expected_max_sharpe(1, 0.01) == 0.0
    rng = np.random.default_rng(7)
    sharpe, skew, kurt, n = return_moments(rng.normal(0.001, 0.01, 200_000))
    assert sharpe == pytest.approx(0.1, abs=0.01) and n == 200_000
    assert skew == pytest.approx(0.0, abs=0.05) and kurt == pytest.approx(3.0, abs=0.05)


def _naive_pbo(m: np.ndarray, groups: int) -> float:
    """CSCV written out plainly (the paper's steps, one split at a time) to check the fast one."""
    blocks = np.array_split(m[: (m.shape[0] // groups) * groups], groups)
    below = 0
    splits = list(itertools.combinations(range(groups), groups // 2))
    for chosen in splits:
        ins = np.vstack([blocks[i] for i in chosen])
        outs = np.vstack([blocks[i] for i in range(groups) if i not in chosen])
        is_sr = ins.mean(axis=0) / ins.std(axis=0, ddof=1)
        oos_sr = outs.mean(axis=0) / outs.std(axis=0, ddof=1)
        best = int(np.argmax(is_sr))
        rank = 1 + int(np.sum(oos_sr < oos_sr[best]))
        below += rank / (m.shape[1] + 1) <= 0.5
    return below / len(splits)


def test_pbo_by_hand_on_a_small_matrix():
    # Two groups of three periods: trial 0 shines in the first half only, trial 1 in the second,
    # trial 2 hovers near zero. Whichever half is in-sample, its star is the worst out of sample: PBO = 1.
    m = np.array(
        [
            [0.03, -0.01, 0.001],
            [0.04, -0.02, -0.001],
            [0.05, -0.01, 0.0015],
            [-0.02, 0.03, -0.001],
            [-0.01, 0.05, 0.001],
            [-0.02, 0.04, -0.0005],
        ]
    )
    got = probability_of_backtest_overfitting(m, groups=2)
    assert got.splits == 2 and got.pbo == 1.0
    # ω = 1 / 4 in both splits: λ = ln(1/3)
    assert np.allclose(got.logits, math.log(1 / 3))


def test_pbo_matches_the_plain_cscv_and_separates_skill_from_noise():
    rng = np.random.default_rng(42)
    noise = rng.normal(0.0, 0.01, size=(1_000, 40))
    assert probability_of_backtest_overfitting(noise, groups=8).pbo == pytest.approx(_naive_pbo(noise, 8))
    assert 0.25 < probability_of_backtest_overfitting(noise, groups=16).pbo < 0.75
    skilled = noise.copy()
    skilled[:, 7] += 0.004  # one trial with a real edge, a Sharpe ratio of 0.4 per period
    assert probability_of_backtest_overfitting(skilled, groups=16).pbo == 0.0
    with pytest.raises(ValueError, match="even"):
        probability_of_backtest_overfitting(noise, groups=3)
