"""Pins `Series.resample`: exact OHLCV aggregation to a coarser timeframe, UTC-aligned buckets labelled
by their start, partial buckets kept, streamed across chunks, and a clear refusal of finer targets."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.engine import Backtest, DataError, Series, from_arrays
from tradewire.engine.data.timeframes import TIMEFRAME_NS

MIN = 60 * 10**9
DAY = 86_400 * 10**9


def minutes(start: str, rows: list[tuple[str, str, str, str, str]], chunk_rows: int = 65_536) -> Series:
    """One 1m bar per row from `start` (UTC): rows of (open, high, low, close, volume) decimal text."""
    t0 = int(np.datetime64(start, "ns").astype(np.int64))
    ts = np.array([t0 + i * MIN for i in range(len(rows))], dtype=np.int64)
    o, h, lo, c, v = (np.array([float(x) for x in col]) for col in zip(*rows, strict=True))
    return from_arrays(
        "X",
        ts.astype("datetime64[ns]"),
        open=o,
        high=h,
        low=lo,
        close=c,
        volume=v,
        timeframe="1m",
        chunk_rows=chunk_rows,
    )


def bars_of(series: Series) -> list[tuple[str, str, str, str, str, str]]:
    """The series' bars as the engine delivers them: (start, open, high, low, close, volume) text."""
    out: list[tuple[str, str, str, str, str, str]] = []

    def on_bar(bar: object) -> None:
        b = bar.to_message()  # type: ignore[attr-defined]
        out.append((b.timestamp.isoformat(), b.open, b.high, b.low, b.close, b.volume))

    Backtest(series).run(on_bar)
    return out


def test_minute_bars_aggregate_exactly_to_utc_days_with_the_partial_last_day():
    rows = [
        ("100.10", "100.50", "100.00", "100.20", "0.1"),  # 23:58 on Mar 1
        ("100.20", "101.00", "100.10", "100.90", "0.1"),  # 23:59 on Mar 1
        ("100.90", "100.95", "99.50", "99.60", "0.1"),  # 00:00 on Mar 2: a new UTC day
    ]
    daily = minutes("2024-03-01T23:58", rows).resample("1d")
    assert daily.timeframe == "1d"
    assert bars_of(daily) == [
        # 0.1 + 0.1 is 0.2 exactly: volumes are summed as integers, never as floats
        ("2024-03-01T00:00:00+00:00", "100.10", "101.00", "100.00", "100.90", "0.2"),
        ("2024-03-02T00:00:00+00:00", "100.90", "100.95", "99.50", "99.60", "0.1"),
    ]


def test_intraday_buckets_are_epoch_multiples_and_weeks_start_on_monday():
    rows = [("10", "11", "9", "10", "1")] * 130
    hourly = minutes("2024-03-06T10:15", rows).resample("1h")  # a Wednesday, not on the hour
    starts = [b[0] for b in bars_of(hourly)]
    assert starts == ["2024-03-06T10:00:00+00:00", "2024-03-06T11:00:00+00:00", "2024-03-06T12:00:00+00:00"]
    assert [b[5] for b in bars_of(hourly)] == ["45", "60", "25"]
    weekly = minutes("2024-03-10T23:30", rows).resample("1w")  # Sunday 23:30 → Monday 01:39
    assert [b[0] for b in bars_of(weekly)] == ["2024-03-04T00:00:00+00:00", "2024-03-11T00:00:00+00:00"]


def test_buckets_spanning_chunks_give_the_same_bars_as_one_chunk():
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(500):
        lo = int(rng.integers(1000, 2000))
        hi = lo + int(rng.integers(0, 50))
        o, c = (str(int(rng.integers(lo, hi + 1)) / 100) for _ in range(2))
        rows.append((o, str(hi / 100), str(lo / 100), c, str(int(rng.integers(0, 9)))))
    whole = bars_of(minutes("2024-03-01T09:31", rows).resample("15m"))
    for size in (1, 7, 15, 64):
        assert bars_of(minutes("2024-03-01T09:31", rows, chunk_rows=size).resample("15m")) == whole


def test_the_same_timeframe_returns_the_series_itself():
    s = minutes("2024-03-01T00:00", [("1", "1", "1", "1", "1")])
    assert s.resample("1m") is s


@pytest.mark.parametrize(
    ("have", "want", "message"),
    [
        ("1d", "1m", "the data is 1d bars; 1m bars were asked for: use data at 1m or finer"),
        ("1m", "7m", "unknown timeframe '7m'"),
        ("2m", "5m", "2m bars cannot be aggregated to 5m: 5m is not a whole number of 2m bars"),
    ],
)
def test_targets_that_cannot_be_made_are_refused_in_one_line(have, want, message):
    ts = np.arange(3, dtype=np.int64) * TIMEFRAME_NS[have]
    one = np.ones(3)
    s = from_arrays("X", ts, open=one, high=one, low=one, close=one, volume=one, timeframe=have)
    with pytest.raises(DataError) as e:
        s.resample(want)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_quotes_are_not_resampled():
    q = from_arrays("X", np.arange(2, dtype=np.int64) * MIN, bid=np.ones(2), ask=np.ones(2) * 2)
    with pytest.raises(DataError, match="only bars"):
        q.resample("1h")


def test_a_resampled_series_windows_and_rescales_exactly():
    rows = [("1.5", "2", "1", "1.75", "3")] * (3 * 1440)
    daily = minutes("2024-03-01T00:00", rows).resample("1d")
    assert [b[0][:10] for b in bars_of(daily.between("2024-03-02", "2024-03-03"))] == [
        "2024-03-02",
        "2024-03-03",
    ]
    daily.prepare()
    daily.price_decimals = 4  # what a run does when another series of the symbol has finer prices
    chunks = list(daily.chunks(2))
    assert [x for ch in chunks for x in ch["open"].tolist()] == [15000] * 3
    assert [x for ch in chunks for x in ch["volume"].tolist()] == [432000] * 3


def test_a_backtest_on_resampled_bars_fills_at_the_next_days_open():
    rows = [("100", "101", "99", "100.5", "10")] * 1440 + [("102.25", "103", "102", "102.5", "10")] * 1440

    class BuyOnce:
        done = False

        def on_start(self, bt: object) -> None:
            self.bt = bt

        def on_bar(self, bar: object) -> None:
            if not self.done:
                self.done = True
                self.bt.buy(bar.symbol, 1)  # type: ignore[attr-defined]

    result = Backtest(minutes("2024-03-01T00:00", rows).resample("1d"), cash="1000").run(BuyOnce())
    assert [(f.price, f.time_ns) for f in result.fills] == [
        (Decimal("102.25"), np.datetime64("2024-03-03T00:00", "ns").astype(np.int64))
    ]


# --------------------------------------------------------------------------- properties
_TARGETS = ["2m", "10m", "30m", "1h", "2h", "4h", "12h", "1d", "1w"]


@st.composite
def minute_bars(draw: st.DrawFn) -> tuple[np.ndarray, list[np.ndarray]]:
    n = draw(st.integers(1, 300))
    gaps = draw(st.lists(st.integers(1, 3000), min_size=n, max_size=n))
    t0 = draw(st.integers(-(10**4), 10**6)) * MIN
    ts = t0 + np.cumsum(np.array(gaps, dtype=np.int64)) * MIN
    low = np.array(draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n)), dtype=np.int64)
    span = np.array(draw(st.lists(st.integers(0, 10**4), min_size=n, max_size=n)), dtype=np.int64)
    pick = np.array(draw(st.lists(st.floats(0, 1), min_size=2 * n, max_size=2 * n)))
    high = low + span
    o = low + np.rint(span * pick[:n]).astype(np.int64)
    c = low + np.rint(span * pick[n:]).astype(np.int64)
    v = np.array(draw(st.lists(st.integers(0, 10**9), min_size=n, max_size=n)), dtype=np.int64)
    return ts, [o, high, low, c, v]


def _series(ts: np.ndarray, cols: list[np.ndarray], chunk_rows: int) -> Series:
    o, h, lo, c, v = cols  # integer prices in cents, exact by construction
    return from_arrays(
        "X", ts.astype("datetime64[ns]"), open=o / 100, high=h / 100, low=lo / 100, close=c / 100, volume=v / 1000,
        timeframe="1m", price_decimals=2, chunk_rows=chunk_rows,
    )  # fmt: skip


def _rows(s: Series) -> list[tuple[int, ...]]:
    return [r for ch in s.chunks(3) for r in zip(*(ch[k].tolist() for k in ("start", *_OHLCV)), strict=True)]


_OHLCV = ("open", "high", "low", "close", "volume")


@settings(max_examples=60, deadline=None)
@given(minute_bars(), st.sampled_from(_TARGETS), st.sampled_from(_TARGETS), st.integers(1, 80))
def test_resampling_matches_a_reference_and_twice_equals_once(data, a, b, chunk_rows):
    ts, cols = data
    fine, coarse = sorted((a, b), key=TIMEFRAME_NS.__getitem__)
    once = _series(ts, cols, chunk_rows).resample(coarse)
    # a plain Python reference: group the exact integers by bucket start
    groups: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    offset = 4 * DAY if coarse == "1w" else 0
    for row in zip(ts.tolist(), *(c.tolist() for c in cols), strict=True):
        groups[row[0] - (row[0] - offset) % TIMEFRAME_NS[coarse]].append(row[1:])
    expected = [
        (k, g[0][0], max(r[1] for r in g), min(r[2] for r in g), g[-1][3], sum(r[4] for r in g))
        for k, g in sorted(groups.items())
    ]
    assert _rows(once) == expected
    if TIMEFRAME_NS[coarse] % TIMEFRAME_NS[fine] == 0:
        twice = _series(ts, cols, chunk_rows).resample(fine).resample(coarse)
        assert _rows(twice) == expected
    # totals survive: all the volume, the extreme prices, the first open and the last close
    assert sum(r[5] for r in expected) == int(cols[4].sum())
    assert max(r[2] for r in expected) == int(cols[1].max()) and min(r[3] for r in expected) == int(
        cols[2].min()
    )
    assert expected[0][1] == int(cols[0][0]) and expected[-1][4] == int(cols[3][-1])
