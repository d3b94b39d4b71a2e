"""A strategy receives the timeframe it declares: 1-minute data is aggregated to its daily candles
in-process and over the wire (same fills both ways), coarser data is refused, no declaration passes."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk import Candle, ConfigurationError, Strategy, backtest, run
from tradewire.sdk._timeframes import CandleTimeframe, declared_timeframe
from tradewire.testkit.differential.ids import without_run

SYMBOLS = ("AAA", "BBB")
DAYS = 6
Row = tuple[str, str, str, str, str, str, str]  # timestamp, symbol, open, high, low, close, volume


def minute_rows() -> list[Row]:
    """A US-session-like 1-minute feed (14:30-20:59 UTC, Mon 2024-03-04 to Sat 2024-03-09), two symbols."""
    rows: list[Row] = []
    for day in range(DAYS):
        base = dt.datetime(2024, 3, 4 + day, 14, 30, tzinfo=dt.UTC)
        for i in range(390):
            t = (base + dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            for k, sym in enumerate(SYMBOLS):
                cents = 10_000 + k * 5_000 + (i * 7 + day * 131) % 400 - day * 60
                o, c = cents, cents + (i % 5) - 2
                rows.append(
                    (
                        t,
                        sym,
                        *(f"{p / 100:.2f}" for p in (o, max(o, c) + 3, min(o, c) - 3, c)),
                        str(1 + i % 9),
                    )
                )
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


@pytest.fixture(scope="module")
def minutes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tf") / "minutes.csv"
    path.write_text(
        "timestamp,symbol,open,high,low,close,volume\n" + "".join(",".join(r) + "\n" for r in minute_rows())
    )
    return path


def daily_by_hand() -> list[tuple[str, str, int, Decimal, Decimal, Decimal, Decimal, Decimal]]:
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in minute_rows():
        groups[(r[0][:10], r[1])].append(r)
    out = []
    for (day, sym), g in sorted(groups.items()):
        start = int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()) * 10**9
        dec = [[Decimal(x) for x in r[2:]] for r in g]
        out.append(
            (
                sym,
                "1d",
                start,
                dec[0][0],
                max(d[1] for d in dec),
                min(d[2] for d in dec),
                dec[-1][3],
                sum(d[4] for d in dec),
            )
        )
    return sorted(out, key=lambda x: (x[2], x[0]))


class DailyTrader(Strategy):
    """Declares daily bars; records every candle exactly and trades on the 2nd, 3rd and 5th of each symbol."""

    symbols = SYMBOLS
    timeframe = "1d"

    def on_start(self) -> None:
        self.seen: list[tuple[str, str, int, Decimal, Decimal, Decimal, Decimal, Decimal]] = []
        self.count: dict[str, int] = defaultdict(int)

    def on_candle(self, bar: Candle) -> None:
        self.seen.append(
            (
                bar.symbol,
                bar.timeframe,
                bar.ts,
                *(bar.decimal(k) for k in ("open", "high", "low", "close", "volume")),
            )
        )
        n = self.count[bar.symbol] = self.count[bar.symbol] + 1
        if n == 2:
            self.buy(bar.symbol, 10)
        elif n == 3:
            self.buy(bar.symbol, 5, limit=bar.decimal("low"))  # a limit that needs the next day's range
        elif n == 5 and self.position(bar.symbol):
            self.sell(bar.symbol, self.position(bar.symbol))


def test_a_declared_daily_strategy_gets_daily_candles_from_minute_data_in_process(minutes: Path) -> None:
    s = DailyTrader()
    result = backtest(s, minutes)
    assert s.seen == daily_by_hand()
    assert len(result.trades) >= 4


def test_a_window_selects_whole_days_of_the_declared_timeframe(minutes: Path) -> None:
    s = DailyTrader()
    backtest(s, minutes, start="2024-03-05", end="2024-03-06")
    assert s.seen == [d for d in daily_by_hand() if d[2] in {_day(5), _day(6)}]


def _day(d: int) -> int:
    return int(dt.datetime(2024, 3, d, tzinfo=dt.UTC).timestamp()) * 10**9


def test_wire_with_the_gateway_serving_the_timeframe_equals_in_process(
    gateway: Any, minutes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    local_strategy, remote_strategy = DailyTrader(), DailyTrader()
    local = backtest(local_strategy, minutes)
    with caplog.at_level(logging.WARNING, "tradewire.sdk.timeframes"):
        with gateway("--platform", "backtest", "--data", str(minutes), "--timeframe", "1d") as url:
            remote = run(remote_strategy, platform="backtest", gateway=url)
    assert remote_strategy.seen == local_strategy.seen == daily_by_hand()
    assert without_run(remote.trade_dicts(), remote.run_id) == local.trade_dicts() and len(local.trades) >= 4
    assert remote.final_equity == local.final_equity
    assert not [r for r in caplog.records if r.name == "tradewire.sdk.timeframes"]


def test_wire_aggregates_a_minute_stream_to_the_declared_timeframe_and_says_so_once(
    gateway: Any, minutes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = DailyTrader()
    with caplog.at_level(logging.WARNING, "tradewire.sdk.timeframes"):
        with gateway("--platform", "backtest", "--data", str(minutes)) as url:
            result = run(s, platform="backtest", gateway=url)
    assert s.seen == daily_by_hand()
    assert result.trades  # fills happen, simulated on the gateway's minute bars
    [line] = [r.getMessage() for r in caplog.records if r.name == "tradewire.sdk.timeframes"]
    assert line.startswith("the gateway streams 1m candles; aggregating them to 1d as DailyTrader declares")
    assert "--timeframe 1d" in line


def test_data_coarser_than_declared_is_refused_in_one_line() -> None:
    class Hourly(DailyTrader):
        timeframe = "1h"

    with pytest.raises(ConfigurationError) as e:
        backtest(Hourly(), sample=True, symbols=["AAPL"])
    assert str(e.value) == "AAPL: the data is 1d bars; Hourly asks for 1h: use data at 1h or finer"


def test_without_a_declared_timeframe_the_data_runs_as_it_is(minutes: Path) -> None:
    class Plain(Strategy):
        def on_start(self) -> None:
            self.frames: set[str] = set()

        def on_candle(self, bar: Candle) -> None:
            self.frames.add(bar.timeframe)

    daily, minute = Plain(), Plain()
    backtest(daily, sample=True, symbols=["AAPL"])
    backtest(minute, minutes)
    assert (daily.frames, minute.frames) == ({"1d"}, {"1m"})
    assert declared_timeframe(Plain()) is None
    assert declared_timeframe(Plain(timeframe="1h")) == "1h"
    with pytest.raises(ConfigurationError, match="declares timeframe '1H'"):
        declared_timeframe(Plain(timeframe="1H"))


def _candle(
    symbol: str, timeframe: str, start: str, o: str, h: str, lo: str, c: str, v: str
) -> m.CandleEvent:
    t = dt.datetime.fromisoformat(start)
    bar = m.Bar(
        symbol=symbol, provider="backtest", timeframe=codec.parse_enum(m.Timeframe, timeframe), timestamp=t,
        open=o, high=h, low=lo, close=c, volume=v,
    )  # fmt: skip
    return m.CandleEvent(bar=bar, timestamp=t)


def test_the_wire_filter_drops_what_it_cannot_make_and_warns_once_per_kind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    shape = CandleTimeframe("1h", "S")
    with caplog.at_level(logging.WARNING, "tradewire.sdk.timeframes"):
        first = shape([_candle("A", "30m", "2024-03-04T10:00:00+00:00", "1.0", "2.5", "0.5", "2.0", "0.1")])
        second = shape([_candle("A", "30m", "2024-03-04T10:30:00+00:00", "2.0", "3.00", "1.5", "2.5", "0.2")])
        dropped = shape([_candle("A", "1d", "2024-03-04T00:00:00+00:00", "1", "1", "1", "1", "1")] * 2)
        odd = shape([_candle("B", "2h", "2024-03-04T10:00:00+00:00", "1", "1", "1", "1", "1")])
    assert first == [] and dropped == [] and odd == []
    [hour] = second
    assert (hour.timeframe, hour.time.isoformat(), hour.exact.open, hour.exact.high) == (
        "1h", "2024-03-04T10:00:00+00:00", "1.0", "3.00",
    )  # fmt: skip
    assert (hour.exact.low, hour.exact.close, hour.exact.volume) == ("0.5", "2.5", "0.3")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3 and lines[1] == "the gateway streams 1d candles; dropping them: S declares 1h"
