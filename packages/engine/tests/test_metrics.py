"""Metrics on every bar size: per-bar equity, annualisation by the data's calendar, the risk-free rate,
and every figure checked against empyrical-reloaded on the same return series."""

from __future__ import annotations

import math
from decimal import Decimal

# The reference implementation, the engine's declared test dependency (its `test` group, which
# `nox -s tests` installs): imported, not skipped without it, so no run passes without the check.
import empyrical
import numpy as np
import pytest

from tradewire.engine import Backtest, BacktestConfig, FixedBps, PercentOfNotional, from_arrays
from tradewire.engine.results.calendar import annualisation
from tradewire.engine.results.metrics import compute_metrics, returns_of

MINUTE = 60 * 10**9
DAY = 86_400 * 10**9


def _minute_bars(n: int, start: str, seed: int = 7, symbol: str = "BTC/USD") -> object:
    rng = np.random.default_rng(seed)
    close = np.round(100 * np.exp(np.cumsum(rng.normal(0, 0.0008, n))), 2)
    opn = np.concatenate(([100.0], close[:-1]))
    ts = np.datetime64(start, "ns") + np.arange(n) * np.timedelta64(60, "s")
    return from_arrays(
        symbol,
        ts,
        open=opn,
        high=np.maximum(opn, close) + 0.01,
        low=np.minimum(opn, close) - 0.01,
        close=close,
        volume=np.full(n, 1000.0),
        timeframe="1m",
        price_decimals=2,
    )


class Flipper:
    """Buys on bar 10, sells on bar 1,000, buys on bar 1,500 and holds to the end."""

    def __init__(self) -> None:
        self.n = 0

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_bar(self, bar: object) -> None:
        self.n += 1
        if self.n in (10, 1500):
            self.bt.buy("BTC/USD", 100)
        elif self.n == 1000:
            self.bt.sell("BTC/USD", 100)


@pytest.fixture(scope="module")
def minute_run():
    """The issue's case: 3,000 one-minute bars (24/7, a Wednesday), a few trades, costs and a 4 % rate."""
    config = BacktestConfig(
        cash="100000",
        commission=PercentOfNotional(Decimal("0.1")),
        slippage=FixedBps(Decimal("2")),
        risk_free_rate="0.04",
    )
    return Backtest(_minute_bars(3000, "2024-03-06T00:00:00"), config=config).run(Flipper())


def _empyrical(rets: np.ndarray, ppy: float, rf_annual: float) -> dict[str, float]:
    rf = (1 + rf_annual) ** (1 / ppy) - 1
    return {
        "sharpe": empyrical.sharpe_ratio(rets, risk_free=rf, annualization=ppy),
        "sortino": empyrical.sortino_ratio(rets, required_return=rf, annualization=ppy),
        "volatility": empyrical.annual_volatility(rets, annualization=ppy),
        "cagr": empyrical.annual_return(rets, annualization=ppy),
        "max_drawdown": empyrical.max_drawdown(rets),
        "calmar": empyrical.calmar_ratio(rets, annualization=ppy),
        "total_return": empyrical.cum_returns_final(rets),
    }


def test_three_thousand_minute_bars_sample_every_bar_and_annualise_as_24_7(minute_run):
    m = minute_run.metrics
    assert minute_run.equity.size == 3000 == m.samples  # one equity point a bar, not one a day
    assert m.calendar == "24/7" and m.periods_per_year == 365 * 1440
    assert m.max_drawdown < 0  # the intraday dips are seen
    assert m.risk_free_rate == 0.04
    rets = returns_of(minute_run.equity, float(minute_run.start_value))
    ref = _empyrical(rets, m.periods_per_year, 0.04)
    for name, want in ref.items():
        assert getattr(m, name) == pytest.approx(want, rel=1e-9, abs=1e-12), name
    assert m.total_return == pytest.approx(float(minute_run.final_value) / 100_000 - 1)


def test_costs_are_counted(minute_run):
    m = minute_run.metrics
    assert m.fees == pytest.approx(sum(float(f.commission) for f in minute_run.fills)) and m.fees > 0
    plain = Backtest(_minute_bars(3000, "2024-03-06T00:00:00"), cash="100000").run(Flipper())
    moved = sum(
        abs(a.price - b.price) * a.quantity for a, b in zip(minute_run.fills, plain.fills, strict=True)
    )
    assert m.slippage == pytest.approx(float(moved)) and m.slippage > 0
    assert plain.metrics.slippage == 0 and plain.metrics.fees == 0
    assert m.trades == 1 and minute_run.open_positions == {"BTC/USD": 100}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_paths_match_empyrical(seed):
    rng = np.random.default_rng(seed)
    n = 500
    ts = np.datetime64("2023-01-02T00:00:00", "ns").astype(np.int64) + np.arange(1, n + 1) * DAY
    equity = 1000 * np.cumprod(1 + rng.normal(0.0005, 0.01, n))
    m = compute_metrics(ts, equity, 1000.0, [], 0.0, 0.0, 0.0, risk_free_rate=0.02)
    ref = _empyrical(returns_of(equity, 1000.0), m.periods_per_year, 0.02)
    for name, want in ref.items():
        assert getattr(m, name) == pytest.approx(want, rel=1e-9), name
    assert m.win_rate is None and m.profit_factor is None  # no round trips: not defined, not 0


@pytest.mark.parametrize(
    ("start", "step_s", "per_day", "n", "calendar", "ppy"),
    [
        ("2024-03-06T00:00", 60, 1440, 3000, "24/7", 365 * 1440),  # crypto minutes within a week
        ("2024-03-01T00:00", 60, 1440, 20_000, "24/7", 365 * 1440),  # crypto minutes over a weekend
        ("2024-03-04T14:30", 60, 390, 390 * 10, "sessions", 252 * 390),  # NYSE minutes, two weeks
        ("2024-03-04T00:00", 86_400, 1, 30, "24/7", 365),  # daily, weekends included
        ("2024-03-04T00:00", 86_400, 1, 30, "sessions", 252),  # daily, weekdays only
        ("2024-03-04T00:00", 7 * 86_400, 1, 30, "calendar", 365.25 / 7),  # weekly
    ],
)
def test_annualisation_follows_the_data(start, step_s, per_day, n, calendar, ppy):
    t0 = np.datetime64(start, "ns").astype(np.int64)
    step = step_s * 10**9
    if per_day * step < DAY:  # sessions: per_day samples on each weekday
        days = [d for d in range(40) if (int(t0 // DAY) + d + 3) % 7 < 5][: n // per_day]
        ts = np.concatenate([t0 + d * DAY + np.arange(1, per_day + 1) * step for d in days])
    else:
        ts = t0 + np.arange(1, n * 3 + 1) * step
        if calendar == "sessions":
            ts = ts[((ts - 1) // DAY + 3) % 7 < 5]
        ts = ts[:n]
    got = annualisation(ts)
    assert (got.calendar, got.periods_per_year) == (calendar, pytest.approx(ppy))


def test_a_flat_run_has_no_ratios():
    ts = np.arange(1, 11, dtype=np.int64) * MINUTE
    m = compute_metrics(ts, np.full(10, 500.0), 500.0, [], 0.0, 0.0, 0.0)
    assert (m.sharpe, m.sortino, m.calmar, m.max_drawdown, m.total_return) == (None, None, None, 0.0, 0.0)
    assert not math.isnan(m.volatility)


class Watcher:
    """Trades two symbols both ways and records the kernel's own equity at every step."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_step(self, step: object) -> None:
        self.seen.append(float(self.bt.equity))
        n = len(self.seen)
        if n % 40 == 1:
            self.bt.buy("AAPL", 30)
            self.bt.sell("MSFT", 20)
        elif n % 40 == 21:
            self.bt.close_all()


def test_the_rebuilt_curve_is_the_kernels_equity_at_every_step():
    from tradewire.engine import sample_data

    w = Watcher()
    config = BacktestConfig(cash="100000", commission=PercentOfNotional(Decimal("0.05")))
    r = Backtest(sample_data(["AAPL", "MSFT"]), config=config).run(w)
    assert r.equity.size == len(w.seen) == r.steps
    np.testing.assert_allclose(r.equity, w.seen, rtol=1e-12)
    assert r.equity[-1] == pytest.approx(float(r.final_value), rel=1e-12)
