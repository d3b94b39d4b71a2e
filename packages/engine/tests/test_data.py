"""Pins the data layer: CSV / Parquet / DataFrame / arrays / synthetic sources, exact decimal
conversion, validation with file, row and reason, the time-ordered multi-symbol merge, sample data."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tradewire.engine import (
    Backtest,
    DataError,
    from_arrays,
    from_dataframe,
    read_csv,
    read_parquet,
    sample_data,
    synthetic_bars,
)
from tradewire.engine.data.merge import merged_chunks

CSV = """timestamp,open,high,low,close,volume
2024-03-01T14:30:00Z,180.10,180.44,180.02,180.31,51200
2024-03-01T14:31:00Z,180.31,180.50,180.20,180.45,40000
2024-03-01T14:32:00Z,180.45,180.47,180.00,180.05,35000
"""


def write(tmp_path: Path, text: str, name: str = "AAPL.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_csv_is_read_exactly_and_infers_symbol_timeframe_and_decimals(tmp_path):
    [s] = read_csv(write(tmp_path, CSV))
    s.prepare()
    assert (s.symbol, s.timeframe, s.price_decimals, s.rows) == ("AAPL", "1m", 2, 3)
    bars = []
    Backtest(s).run(lambda b: bars.append(b.to_message()))
    assert [(b.open, b.close, b.volume) for b in bars] == [
        ("180.10", "180.31", "51200"),
        ("180.31", "180.45", "40000"),
        ("180.45", "180.05", "35000"),
    ]


def test_gzipped_csv(tmp_path):
    p = tmp_path / "X.csv.gz"
    p.write_bytes(gzip.compress(CSV.encode()))
    assert read_csv(p)[0].prepare().rows == 3


@pytest.mark.parametrize(
    ("edit", "row", "reason"),
    [
        (lambda t: t.replace("180.50,180.20", "180.10,180.20"), 2, "high < low"),
        (lambda t: t.replace("14:31:00Z", "14:30:00Z"), 2, "duplicate timestamp"),
        (lambda t: t.replace("14:32:00Z", "14:29:00Z"), 3, "not sorted"),
        (lambda t: t.replace(",35000", ",-5"), 3, "negative volume"),
        (lambda t: t.replace("180.45,180.47", "nan,180.47"), 3, "open is NaN"),
        (lambda t: t.replace("180.45,180.47", "abc,180.47"), 3, "open is not a number"),
    ],
)
def test_bad_rows_are_refused_before_the_run_with_file_row_and_reason(tmp_path, edit, row, reason):
    [s] = read_csv(write(tmp_path, edit(CSV)))
    with pytest.raises(DataError) as e:
        Backtest(s)
    assert e.value.source == "AAPL.csv" and e.value.row == row and reason in e.value.reason
    assert str(e.value).startswith(f"AAPL.csv row {row}: ")


def test_missing_columns_are_named(tmp_path):
    with pytest.raises(DataError, match="missing column\\(s\\): volume"):
        read_csv(write(tmp_path, CSV.replace(",volume", "").replace(",51200", "")))


def test_long_format_csv_reports_the_file_row(tmp_path):
    text = (
        "timestamp,symbol,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,A,1.00,1.10,0.90,1.00,10\n"
        "2024-01-01T00:00:00Z,B,2.00,2.10,1.90,2.00,10\n"
        "2024-01-02T00:00:00Z,A,1.00,1.10,0.90,1.00,10\n"
        "2024-01-02T00:00:00Z,B,2.00,1.80,1.90,2.00,10\n"
    )
    series = read_csv(write(tmp_path, text, "long.csv"))
    assert [s.symbol for s in series] == ["A", "B"]
    series[0].prepare()
    with pytest.raises(DataError) as e:
        series[1].prepare()
    assert (e.value.source, e.value.row) == ("long.csv", 4) and "high < low" in e.value.reason


def test_float_arrays_convert_exactly_to_the_detected_decimals():
    ts = np.array(["2024-01-01T00:00", "2024-01-01T00:01"], dtype="datetime64[ns]")
    s = from_arrays(
        "X",
        ts,
        open=np.array([0.1 + 0.2, 1.5]),
        high=np.array([0.3, 1.7]),
        low=np.array([0.3, 1.4]),
        close=np.array([0.3, 1.6]),
        volume=np.array([1.0, 2.0]),
    )
    s.prepare()
    assert s.price_decimals == 1  # 0.1 + 0.2 is 0.30000000000000004 as a float: rounded, never 17 digits
    chunk = next(s.chunks(0))
    assert chunk["open"].tolist() == [3, 15] and chunk["ts"][0] - chunk["start"][0] == 60 * 10**9


def test_dataframe_and_parquet_sources(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    idx = pd.date_range("2024-01-01", periods=3, freq="1h", tz="UTC", name="timestamp")
    df = pd.DataFrame(
        {
            "open": [10.0, 10.5, 10.25],
            "high": [11.0, 11.0, 10.5],
            "low": [9.5, 10.0, 10.0],
            "close": [10.5, 10.25, 10.5],
            "volume": [100, 200, 300],
        },
        index=idx,
    )
    [s] = from_dataframe(df, "X")
    assert s.prepare().timeframe == "1h" and s.price_decimals == 2
    df.to_parquet(tmp_path / "X.parquet")
    [p] = read_parquet(tmp_path / "X.parquet")
    p.prepare()
    a, b = next(s.chunks(0)), next(p.chunks(0))
    assert all(a[k].tolist() == b[k].tolist() for k in a)


def _bars_parquet(path: Path, n: int, *, row_group: int = 65_536, unit: str = "ns") -> None:
    """`n` one-minute bars written with pyarrow alone (no pandas); full-precision random prices and
    volumes, so the file does not compress and its size grows with `n` (~50 bytes a row)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(7)
    close = rng.uniform(50, 150, n)
    ts = (np.int64(1_700_000_040) + 60 * np.arange(n, dtype=np.int64)) * {"s": 1, "ms": 10**3, "ns": 10**9}[
        unit
    ]
    table = pa.table(
        {
            "timestamp": pa.array(ts, pa.timestamp(unit, tz="UTC")),
            "open": pa.array(close, pa.float64()),
            "high": pa.array(close + 0.25, pa.float64()),
            "low": pa.array(close - 0.25, pa.float32()),
            "close": pa.array(close, pa.float64()),
            "volume": pa.array(rng.integers(0, 2**40, n), pa.int64()),
        }
    )
    pq.write_table(table, path, row_group_size=row_group)


def test_parquet_columns_read_from_arrow_buffers_match_the_arrays(tmp_path):
    # batches of 3 out of row groups of 4 start mid-group: the buffer views must honour the offset
    _bars_parquet(tmp_path / "X.parquet", 10, row_group=4, unit="ms")
    pq = pytest.importorskip("pyarrow.parquet")
    t = pq.read_table(tmp_path / "X.parquet")
    [p] = read_parquet(tmp_path / "X.parquet", "X", batch_rows=3, price_decimals=2)
    a = from_arrays(
        "X",
        t["timestamp"].cast("int64").to_numpy(),
        **{c: t[c].to_numpy() for c in ("open", "high", "low", "close", "volume")},
        price_decimals=2,
    )
    got, want = list(p.chunks(0)), list(a.chunks(0))
    assert p.timeframe == a.timeframe == "1m" and p.rows == 10
    for k in want[0]:
        assert np.concatenate([c[k] for c in got]).tolist() == np.concatenate([c[k] for c in want]).tolist()


def test_a_null_price_in_parquet_is_reported_with_its_row(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    ts = pa.array(np.arange(3, dtype=np.int64) * 60 * 10**9, pa.timestamp("ns"))
    price = pa.array([1.0, None, 1.0], pa.float64())
    pq.write_table(
        pa.table({"ts": ts, "open": price, "high": price, "low": price, "close": price, "volume": [1, 1, 1]}),
        tmp_path / "N.parquet",
    )
    with pytest.raises(DataError, match="row 2: open is NaN"):
        read_parquet(tmp_path / "N.parquet")[0].prepare()


# peak RSS from VmHWM: ru_maxrss would start at the forking parent's size, carried over exec
STREAM_PARQUET = """
import sys
import tradewire.engine as te
[s] = te.read_parquet(sys.argv[1], "X", timeframe="1m", price_decimals=2)
rows = sum(len(c["ts"]) for c in s.chunks(0))
with open("/proc/self/status") as f:
    peak_kb = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
print(rows, "pandas" in sys.modules, peak_kb)
"""


def _stream_in_fresh_process(path: Path) -> tuple[int, bool, int]:
    out = subprocess.run(
        [sys.executable, "-c", STREAM_PARQUET, str(path)], capture_output=True, text=True, check=True
    )
    rows, pandas_loaded, peak_kb = out.stdout.split()
    return int(rows), pandas_loaded == "True", int(peak_kb)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak RSS from /proc (Linux)")
def test_streaming_parquet_does_not_load_pandas(tmp_path):
    # pyarrow's to_numpy imports pandas (~50 MB resident) even for a float column
    _bars_parquet(tmp_path / "X.parquet", 1000)
    rows, pandas_loaded, _ = _stream_in_fresh_process(tmp_path / "X.parquet")
    assert (rows, pandas_loaded) == (1000, False)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak RSS from /proc (Linux)")
def test_streaming_parquet_keeps_memory_flat_as_the_file_grows(tmp_path):
    # pyarrow's default pre-buffering kept every compressed column chunk read so far until the end
    # of the pass (~50 bytes a row here): 1.5 M more rows cost over 100 MB of resident memory
    small, big = tmp_path / "small.parquet", tmp_path / "big.parquet"
    _bars_parquet(small, 300_000)
    _bars_parquet(big, 1_800_000)
    rows_small, _, peak_small = _stream_in_fresh_process(small)
    rows_big, _, peak_big = _stream_in_fresh_process(big)
    assert (rows_small, rows_big) == (300_000, 1_800_000)
    assert peak_big - peak_small < 40 * 1024, f"peak RSS grew {(peak_big - peak_small) // 1024} MB"


def test_merge_orders_rows_by_time_then_symbol(bars):
    a = bars("A", [("1.00", "1.00", "1.00", "1.00")] * 3, step_s=60)
    b = bars("B", [("2.00", "2.00", "2.00", "2.00")] * 2, step_s=90)
    for s in (a, b):
        s.prepare()
    rows = []
    for ch in merged_chunks([a, b], 0):
        rows += list(zip(ch.ts, ch.sym, strict=True))
    t0 = rows[0][0]
    # event time = bar end: A ends at 1,2,3 min; B (1m bars every 90 s) at 1 and 2.5 min
    assert [((t - t0) // 10**9, s) for t, s in rows] == [(0, 0), (0, 1), (60, 0), (90, 1), (120, 0)]


def test_merge_streams_in_chunks_across_symbols():
    a = synthetic_bars("A", 1000, chunk_rows=128)
    b = synthetic_bars("B", 700, chunk_rows=100, timeframe="2m")
    for s in (a, b):
        s.prepare()
    ts = []
    n = 0
    for ch in merged_chunks([a, b], 0):
        n += 1
        ts += ch.ts
    assert n > 5 and len(ts) == 1700 and ts == sorted(ts)


def test_synthetic_bars_are_seeded():
    x = next(synthetic_bars("A", 10, seed=7).chunks(0))["close"].tolist()
    y = next(synthetic_bars("A", 10, seed=7).chunks(0))["close"].tolist()
    z = next(synthetic_bars("A", 10, seed=8).chunks(0))["close"].tolist()
    assert x == y != z


def test_sample_data_ships_in_the_package():
    series = sample_data()
    assert [s.symbol for s in series] == ["AAPL", "MSFT", "BTC/USD"]
    for s in series:
        s.prepare()
    assert [s.rows for s in series] == [522, 522, 730]
    assert series[2].price_decimals == 2 and series[0].timeframe == "1d"


def test_quote_csv_with_epoch_millisecond_timestamps(tmp_path):
    text = "time,bid,ask,bid_size,ask_size\n1709303400000,1.0830,1.0832,100000,250000\n1709303400250,1.0831,1.0833,90000,0\n"
    [s] = read_csv(write(tmp_path, text, "EURUSD.csv"), symbol="EUR/USD")
    s.prepare()
    assert (s.kind, s.symbol, s.price_decimals, s.rows) == ("quote", "EUR/USD", 4, 2)
    chunk = next(s.chunks(0))
    assert chunk["ts"].tolist() == [1709303400000 * 10**6, 1709303400250 * 10**6]
    assert chunk["bid"].tolist() == [10830, 10831] and chunk["ask_size"].tolist() == [250000, 0]


def test_timestamps_with_an_offset_are_converted_to_utc(tmp_path):
    # 15:30+01:00, 10:31-04:00 and 20:02+0530 are 14:30, 14:31 and 14:32 UTC
    text = (
        CSV.replace("14:30:00Z", "15:30:00+01:00")
        .replace("14:31:00Z", "10:31:00-04:00")
        .replace("14:32:00Z", "20:02:00+0530")
    )
    [s] = read_csv(write(tmp_path, text))
    s.prepare()
    [want] = read_csv(write(tmp_path, CSV, "UTC.csv"))
    want.prepare()
    assert next(s.chunks(0))["ts"].tolist() == next(want.chunks(0))["ts"].tolist()
    assert s.timeframe == "1m"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_the_delimiter_is_taken_from_the_header(tmp_path, delimiter):
    [s] = read_csv(write(tmp_path, CSV.replace(",", delimiter)))
    s.prepare()
    assert (s.rows, s.price_decimals) == (3, 2)
    assert next(s.chunks(0))["close"].tolist() == [18031, 18045, 18005]


def test_an_empty_csv_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="empty file: no header row"):
        read_csv(write(tmp_path, ""))
    [s] = read_csv(write(tmp_path, CSV.splitlines()[0] + "\n"))
    with pytest.raises(DataError, match="no rows"):
        s.prepare()


def test_a_file_that_is_not_utf8_text_or_not_gzip_is_a_data_error(tmp_path):
    rows = CSV.splitlines()
    body = rows[1:] * 2000  # past the scale sample and the first decoded blocks
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "\n".join([rows[0], *body[:5000], "2024-03-01T14:3\xe9", *body[5000:]]).encode("latin-1")
    )
    [s] = read_csv(latin)
    with pytest.raises(DataError, match=r"latin\.csv: not UTF-8 text at or after row \d+ .*save it as UTF-8"):
        s.prepare()
    (tmp_path / "excel.csv").write_bytes(b"Date;\xc9tat;Open\n")
    with pytest.raises(DataError, match=r"excel\.csv: not UTF-8 text"):
        read_csv(tmp_path / "excel.csv")
    (tmp_path / "plain.csv.gz").write_text(CSV)
    with pytest.raises(DataError, match=r"plain\.csv\.gz: not a readable gzip file"):
        read_csv(tmp_path / "plain.csv.gz")
    whole = gzip.compress("\n".join([rows[0], *body]).encode())
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    [s] = read_csv(tmp_path / "cut.csv.gz")
    with pytest.raises(DataError, match=r"cut\.csv\.gz: not a readable gzip file at or after row"):
        s.prepare()


def test_a_file_that_is_not_parquet_is_a_data_error(tmp_path):
    pytest.importorskip("pyarrow")
    (tmp_path / "bars.parquet").write_bytes(b"PAR1")
    with pytest.raises(DataError, match=r"bars\.parquet: not a readable Parquet file"):
        read_parquet(tmp_path / "bars.parquet")


def test_an_adj_close_column_is_ignored_with_one_notice(tmp_path):
    from tradewire.engine import DataNotice

    text = "\n".join(
        line if i == 0 else ",".join([*line.split(",")[:5], "1.0", line.split(",")[5]])
        for i, line in enumerate(CSV.strip().splitlines())
    )
    text = text.replace("close,volume", "close,Adj Close,volume", 1)
    with pytest.warns(DataNotice, match="'Adj Close' column is ignored") as caught:
        [s] = read_csv(write(tmp_path, text + "\n"))
    assert len(caught) == 1
    s.prepare()
    assert next(s.chunks(0))["close"].tolist() == [18031, 18045, 18005]


def test_csv_prices_keep_the_scale_they_were_written_with(tmp_path):
    path = tmp_path / "ES.csv"
    path.write_text(
        "timestamp,symbol,open,high,low,close,volume\n"
        "2024-01-02T00:00:00Z,A,100.10,100.20,100.00,100.10,5\n"
        "2024-01-03T00:00:00Z,A,100.10,100.30,100.00,100.20,5\n"
        "2024-01-02T00:00:00Z,B,7.50,7.60,7.40,7.50,1\n"
        "2024-01-03T00:00:00Z,B,7.50,7.60,7.40,7.55,1\n"
    )
    single = tmp_path / "C.csv"
    single.write_text("timestamp,open,high,low,close,volume\n2024-01-02T00:00:00Z,1.0,1.0,1.0,1.0,1\n")
    long_format = read_csv(path)
    assert [s.prepare().price_decimals for s in long_format] == [2, 2]
    assert read_csv(single)[0].prepare().price_decimals == 1
    # a declared scale wins over the text
    assert read_csv(single, price_decimals=3)[0].prepare().price_decimals == 3
    # the window of a series keeps its scale
    assert read_csv(path)[0].between("2024-01-03T00:00:00Z").prepare().price_decimals == 2
