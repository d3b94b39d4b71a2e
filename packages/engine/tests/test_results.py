"""Pins run results: round trips, metrics on a known equity path, JSON/Parquet exports (the HTML
report's own tests are in test_report.py)."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np
import pytest

from tradewire.engine import Backtest, sample_data
from tradewire.engine.results.metrics import compute_metrics, drawdown

DAY = 86_400 * 10**9


def test_metrics_on_a_known_equity_path():
    ts = np.arange(1, 5, dtype=np.int64) * DAY
    eq = np.array([110.0, 99.0, 99.0, 121.0])
    m = compute_metrics(ts, eq, 100.0, [10.0, -5.0, 20.0], exposure=0.5, traded_notional=300.0, fees=1.5)
    assert m.total_return == pytest.approx(0.21)
    assert m.max_drawdown == pytest.approx(-0.1)  # 110 -> 99
    assert m.max_drawdown_days == pytest.approx(3.0)  # below the day-1 peak until day 4
    assert m.win_rate == pytest.approx(2 / 3) and m.profit_factor == pytest.approx(6.0)
    assert m.trades == 3 and m.exposure == 0.5 and m.fees == 1.5
    assert m.sharpe > 0 and m.sortino > 0 and m.volatility > 0 and m.cagr > 0
    assert drawdown(np.array([1.0, 2.0, 1.0])).tolist() == [0.0, 0.0, -0.5]


class Trend:
    """Buys every symbol on the first bar, sells half on bar 100."""

    def __init__(self) -> None:
        self.n = 0

    def on_start(self, bt: Backtest) -> None:
        self.bt = bt

    def on_step(self, step) -> None:
        self.n += 1
        if self.n == 1:
            self.bt.buy("AAPL", 100)
            self.bt.sell("MSFT", 50)
        if self.n == 100:
            self.bt.close_position("AAPL", 50)
            self.bt.close_position("MSFT")


@pytest.fixture(scope="module")
def result():
    return Backtest(sample_data(["AAPL", "MSFT"]), cash="100000").run(Trend())


def test_round_trips_and_final_value_are_exact(result):
    trips = result.round_trips
    assert [(t.symbol, t.side, t.quantity) for t in trips] == [("MSFT", "SHORT", Decimal(50))]
    assert trips[0].pnl == (trips[0].entry_price - trips[0].exit_price) * 50
    assert result.open_positions == {"AAPL": Decimal(50)}
    assert result.final_value == Decimal(str(result.final_value))  # exact decimal, not a float
    assert result.equity_ts.size == result.equity.size > 500
    assert result.equity[-1] == pytest.approx(float(result.final_value))


def test_exports(result, tmp_path):
    data = json.loads(result.to_json(tmp_path / "r.json").read_text())
    assert data["final_value"] == str(result.final_value) and len(data["fills"]) == 4
    assert data["fills"][0]["price"] == str(result.fills[0].price)
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    paths = result.to_parquet(tmp_path / "pq")
    import pandas as pd

    fills = pd.read_parquet(paths[0])
    assert list(fills["price"]) == [str(f.price) for f in result.fills]
    eq = result.equity_frame()
    assert eq.index.tz is not None and math.isclose(eq["equity"].iloc[-1], float(result.final_value))
