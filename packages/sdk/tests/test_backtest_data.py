"""Pins what `backtest()` accepts as data: a pandas DataFrame (symbol from an argument, the strategy
or a column; timezone-aware times converted to UTC) gives the same run as the same bars in a CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("tradewire.engine")

from tradewire.sdk import Candle, Strategy, backtest  # noqa: E402
from tradewire.sdk.errors import ConfigurationError  # noqa: E402


class Alternate(Strategy):
    """Buys on even bars, sells on odd ones: every bar's time and price shows in the fills."""

    symbols = ("SPY",)
    timeframe = "1h"

    def on_start(self) -> None:
        self.seen: list[tuple[str, float]] = []

    def on_candle(self, bar: Candle) -> None:
        self.seen.append((bar.time.isoformat(), bar.close))
        if len(self.seen) % 2:
            self.buy(bar.symbol, 1)
        else:
            self.sell(bar.symbol, 1)


def frame(tz: str | None) -> object:
    times = pd.date_range("2024-03-01 09:00", periods=6, freq="h", tz=tz)
    closes = [100.0, 101.5, 99.25, 102.0, 103.5, 101.0]
    return pd.DataFrame(
        {
            "Open": closes,
            "High": [c + 1 for c in closes],
            "Low": [c - 1 for c in closes],
            "Close": closes,
            "Volume": [1000] * 6,
        },
        index=pd.DatetimeIndex(times, name="Date"),
    )


def csv(tmp_path: Path) -> Path:
    path = tmp_path / "SPY.csv"
    df = frame("America/New_York").tz_convert("UTC")
    lines = ["timestamp,open,high,low,close,volume"]
    for ts, row in df.iterrows():
        lines.append(f"{ts.strftime('%Y-%m-%dT%H:%M:%SZ')},{row.Open},{row.High},{row.Low},{row.Close},1000")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_dataframe_runs_like_the_same_csv(tmp_path: Path) -> None:
    from_csv = Alternate()
    want = backtest(from_csv, str(csv(tmp_path)))
    from_frame = Alternate()
    got = backtest(from_frame, frame("America/New_York"))  # symbol: the strategy's one symbol
    assert from_frame.seen == from_csv.seen and from_frame.seen[0][0].startswith("2024-03-01T14:00:00")
    assert got.trade_dicts() == want.trade_dicts() and got.final_equity == want.final_equity


def test_the_symbol_comes_from_an_argument_or_a_column() -> None:
    class Any_(Alternate):
        symbols = ()

    named = Any_()
    backtest(named, frame(None), symbol="QQQ")
    long = frame(None).reset_index().assign(symbol="IWM")
    by_column = Any_()
    result = backtest(by_column, long)
    assert len(named.seen) == len(by_column.seen) == 6 and {t.symbol for t in result.trades} == {"IWM"}
    with pytest.raises(ConfigurationError, match="no symbol column: pass symbol="):
        backtest(Any_(), frame(None))
    with pytest.raises(ConfigurationError, match=r"no data for SPY in the data \(symbols there: IWM\)"):
        backtest(Alternate(), long)


@pytest.mark.parametrize(
    ("spec", "model"),
    [
        ("percent:0.1", "PercentOfNotional(percent=Decimal('0.1'))"),
        ("per-share:0.005,1", "PerShare(rate=Decimal('0.005'), minimum=Decimal('1'))"),
        ("per-order:1", "PerOrder(amount=Decimal('1'))"),
        ("maker-taker:1,2", "MakerTaker(maker_bps=Decimal('1'), taker_bps=Decimal('2'))"),
        ("none", "NoCommission()"),
    ],
)
def test_commission_spellings_build_the_engine_models(spec: str, model: str) -> None:
    from tradewire.sdk.transports.inprocess.costs import commission_model

    assert repr(commission_model(spec)) == model


def test_slippage_spellings_and_mistakes() -> None:
    from tradewire.sdk.transports.inprocess.costs import commission_model, slippage_model

    assert repr(slippage_model("bps:5")) == "FixedBps(bps=Decimal('5'))"
    assert (
        repr(slippage_model("spread:0.5,2"))
        == "SpreadSlippage(fraction=Decimal('0.5'), bar_bps=Decimal('2'))"
    )
    with pytest.raises(ConfigurationError, match="per-share takes RATE,MINIMUM"):
        commission_model("per-share:")
    with pytest.raises(ConfigurationError, match="must be a number >= 0"):
        slippage_model("bps:-1")
