"""Pins the summary table: each row once, money rounded to its currency, quantities without trailing
zeros, "n/a" where a figure is not defined, open positions and costs (said when zero)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tradewire.sdk import Candle, Strategy, backtest
from tradewire.sdk.cli._summary import summary_rows
from tradewire.sdk.display import money_text, percent_text, quantity_text


class Idle(Strategy):
    symbols = ("AAPL",)

    def on_candle(self, bar: Candle) -> None:
        pass


class Holder(Strategy):
    symbols = ("AAPL", "BTC/USD")
    bought = False

    def on_candle(self, bar: Candle) -> None:
        if not self.bought and bar.symbol == "BTC/USD":
            self.bought = True
            self.buy("BTC/USD", Decimal("0.50"))


def test_money_and_quantities_are_shown_as_people_write_them() -> None:
    assert money_text(Decimal("109956.5"), "USD") == "109,956.50 USD"
    assert money_text("1234.5678", "USDT") == "1,234.57 USDT"
    assert money_text("0.125", "USD") == "0.12 USD"  # half-even
    assert money_text(1500.4, "JPY") == "1,500 JPY"
    assert quantity_text(Decimal("100.00000000")) == "100"
    assert quantity_text("0.50") == "0.5" and quantity_text(Decimal("1E+2")) == "100"
    assert quantity_text("-0.000") == "0"
    assert percent_text(None) == "n/a" and percent_text(0.0469, signed=True) == "+4.69 %"


def test_no_round_trips_gives_n_a_and_costs_say_none() -> None:
    rows = summary_rows(backtest(Idle(), sample=True))
    labels = [k for k, _ in rows]
    assert len(labels) == len(set(labels))  # no duplicated rows ("return" and "total return" were)
    got = dict(rows)
    assert got["round trips"] == "0"
    assert got["win rate"] == got["profit factor"] == got["average win"] == got["average loss"] == "n/a"
    assert got["commission"] == "none (0.00 USD)" and got["slippage"] == "none (0.00 USD)"
    assert got["open at the end"] == "none" and got["risk-free rate"] == "0.00 % a year"
    assert got["final equity"] == "100,000.00 USD" and got["start cash"] == "100,000.00 USD"
    assert got["annualised by"].startswith("exchange sessions, 252 periods")


def test_open_positions_costs_and_the_risk_free_rate_are_listed() -> None:
    from tradewire.engine import PercentOfNotional

    result = backtest(
        Holder(), sample=True, commission=PercentOfNotional(Decimal("0.1")), risk_free_rate="0.04"
    )
    got = dict(summary_rows(result))
    assert got["open at the end"] == "BTC/USD 0.5"
    assert got["commission"].endswith(" USD") and not got["commission"].startswith("none")
    assert got["risk-free rate"] == "4.00 % a year"
    assert got["annualised by"].startswith("24/7 market")  # BTC trades at weekends
    for label in ("final equity", "final cash", "commission"):
        assert re.fullmatch(r"-?[\d,]+\.\d\d USD", got[label]), got[label]  # cents, not the engine's scale


@pytest.mark.parametrize("field", ["sharpe", "sortino", "calmar"])
def test_undefined_ratios_read_n_a(field: str) -> None:
    got = dict(summary_rows(backtest(Idle(), sample=True)))
    label = {"sharpe": "Sharpe", "sortino": "Sortino", "calmar": "Calmar"}[field]
    assert got[label] == "n/a"  # a flat equity curve has no volatility and no drawdown


def test_total_return_is_from_the_starting_equity_when_the_account_already_held_assets() -> None:
    # a live account that starts with 1 BTC and trades nothing has made nothing: not +91 %
    from tradewire.protocol import messages as m
    from tradewire.sdk.result import RunResult

    result = RunResult("Idle", "binance-testnet", "wire", start_cash=Decimal("10000"))
    result.start_equity = Decimal("19100")
    result.account = m.Account(balance="10000", equity="19100", currency="USDT")
    rows = result.summary()
    assert rows["total return"] == "+0.00 %"
    assert rows["start cash"] == "10,000.00 USDT" and rows["start equity"] == "19,100.00 USDT"
    backtested = RunResult("Idle", "backtest", "inprocess", start_cash=Decimal("100"))
    backtested.account = m.Account(balance="110", equity="110", currency="USD")
    assert backtested.summary()["total return"] == "+10.00 %" and "start equity" not in backtested.summary()
