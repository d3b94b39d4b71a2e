"""Thin readers that turn arrays, DataFrames, CSV and Parquet files into validated `Series`."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import re
import warnings
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tradewire.engine.data.arrow_columns import column_numpy
from tradewire.engine.data.errors import DataError, DataNotice
from tradewire.engine.data.series import BAR_COLUMNS, QUOTE_COLUMNS, Series

__all__ = ["from_arrays", "from_dataframe", "read_csv", "read_parquet"]

CHUNK_ROWS = 65_536
_TS_NAMES = ("timestamp", "ts", "time", "datetime", "date")
_ADJUSTED_NAMES = ("adj close", "adj_close", "adjclose", "adjusted close", "adjusted_close")
#: Delimiters a CSV file may use; the first line decides (a comma when it is ambiguous).
_DELIMITERS = ",;\t|"
#: An offset after a time of day: "...T09:30:00-04:00", "... 09:30+0530".
_OFFSET = re.compile(r"(?<=\d)(?P<sign>[+-])(?P<hours>\d\d):?(?P<minutes>\d\d)$")


def _adjusted_notice(source: str, names: Sequence[str]) -> None:
    """One notice when the data carries adjusted closes: the run trades the raw open/high/low/close."""
    found = next((n for n in names if n.strip().lower() in _ADJUSTED_NAMES), None)
    if found is not None:
        warnings.warn(
            DataNotice(
                f"{source}: the {found!r} column is ignored; orders fill at the unadjusted "
                "open/high/low/close (adjust the prices first for splits and dividends)"
            ),
            stacklevel=3,
        )


def _utc_offset_s(text: str) -> tuple[str, int]:
    """`text` without its RFC 3339 offset suffix (`+05:30`, `-0400`), and that offset in seconds
    east of UTC (0 without one: naive times are UTC)."""
    match = _OFFSET.search(text)
    if match is None or ":" not in text[: match.start()]:
        return text, 0
    sign = -1 if match["sign"] == "-" else 1
    return text[: match.start()], sign * (int(match["hours"]) * 3600 + int(match["minutes"]) * 60)


def _ts_ns(values: Any, source: str, offset: int = 0) -> np.ndarray:
    """Timestamps -> int64 ns UTC from datetime64, epoch numbers (s/ms/us/ns by magnitude) or RFC 3339
    text (an offset is converted to UTC; naive text is UTC)."""
    a = np.asarray(values)
    if a.dtype.kind == "M":
        return a.astype("datetime64[ns]").astype(np.int64)
    if a.dtype.kind in "iu":
        a = a.astype(np.int64)
        big = int(np.abs(a).max()) if a.size else 0
        mult = (
            1 if big >= 10**17 else 1_000 if big >= 10**14 else 1_000_000 if big >= 10**11 else 1_000_000_000
        )
        return a * mult
    if a.dtype.kind in "OUS":
        text = [str(x).strip() for x in a.tolist()]
        if text and all(t.lstrip("-").isdigit() for t in text[:10]):
            return _ts_ns(np.array([int(t) for t in text], dtype=np.int64), source, offset)
        # offsets are converted to UTC (naive text is UTC already)
        cleaned = []
        shifts = np.zeros(len(text), dtype=np.int64)
        for i, t in enumerate(text):
            if t.endswith(("Z", "z")):
                t = t[:-1]
            elif len(t) > 10:  # a date alone ("2024-01-02") has no offset, only dashes
                t, offset_s = _utc_offset_s(t)
                shifts[i] = offset_s * 1_000_000_000
            cleaned.append(t.replace(" ", "T"))
        try:
            parsed = np.array(cleaned, dtype="datetime64[ns]").astype(np.int64)
        except ValueError as e:
            raise DataError(source, None, f"unparseable timestamp: {e}") from None
        return parsed - shifts
    raise DataError(source, None, f"timestamps of dtype {a.dtype} are not supported")


def from_arrays(
    symbol: str,
    ts: Any,
    *,
    open: Any = None,
    high: Any = None,
    low: Any = None,
    close: Any = None,
    volume: Any = None,
    bid: Any = None,
    ask: Any = None,
    bid_size: Any = None,
    ask_size: Any = None,
    timeframe: str | None = None,
    price_decimals: int | None = None,
    source: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    min_price_decimals: int = 0,
) -> Series:
    """A Series over in-memory columns (numpy arrays or sequences). Bars need open/high/low/close/volume;
    quotes need bid/ask (sizes optional). `ts` is the bar start or quote time. Columns are converted
    chunk by chunk, so no second full-size copy is made."""
    kind = "quote" if bid is not None else "bar"
    src = source or f"arrays[{symbol}]"
    cols: dict[str, np.ndarray] = {}
    given = {
        "open": open,
        "high": high,
        "low": low,
        "close": close,
        "volume": volume,
        "bid": bid,
        "ask": ask,
        "bid_size": bid_size,
        "ask_size": ask_size,
    }
    names = BAR_COLUMNS if kind == "bar" else QUOTE_COLUMNS
    for c in names:
        if given[c] is not None:
            cols[c] = np.asarray(given[c])
    t = np.asarray(ts)
    if t.dtype.kind not in "iuM":
        t = _ts_ns(t, src)  # text timestamps are parsed once (text inputs are small)
    mult = 1
    if t.dtype.kind in "iu" and t.size:
        # epoch unit from the magnitude, without copying the column (s, ms, us or ns)
        big = max(abs(int(t.max())), abs(int(t.min())))
        mult = (
            1 if big >= 10**17 else 1_000 if big >= 10**14 else 1_000_000 if big >= 10**11 else 1_000_000_000
        )
    for c, a in cols.items():
        if len(a) != len(t):
            raise DataError(src, None, f"column {c} has {len(a)} rows, timestamps have {len(t)}")

    def ts_chunk(i: int) -> np.ndarray:
        # converted chunk by chunk: no second full-size copy of the caller's arrays
        part = t[i : i + chunk_rows]
        if part.dtype.kind == "M":
            return part.astype("datetime64[ns]").view(np.int64)
        part = part.astype(np.int64, copy=False)
        return part * mult if mult != 1 else part

    def raw() -> Iterator[dict[str, np.ndarray]]:
        for i in range(0, len(t), chunk_rows):
            out = {"ts": ts_chunk(i)}
            for c, a in cols.items():
                out[c] = a[i : i + chunk_rows]
            yield out

    return Series(
        symbol,
        raw,
        source=src,
        kind=kind,
        timeframe=timeframe,
        price_decimals=price_decimals,
        min_price_decimals=min_price_decimals,
    )


def from_dataframe(
    df: Any, symbol: str | None = None, *, timeframe: str | None = None, price_decimals: int | None = None
) -> list[Series]:
    """Series from a pandas DataFrame: a DatetimeIndex (or a timestamp column), OHLCV or bid/ask
    columns, and optionally a `symbol` column (one Series per symbol)."""
    import pandas as pd  # type: ignore[import-untyped]

    frame = df.reset_index() if isinstance(df.index, pd.DatetimeIndex) else df
    cols = {str(c).strip().lower(): c for c in frame.columns}
    _adjusted_notice("DataFrame", [str(c) for c in frame.columns])
    tcol = next((cols[n] for n in _TS_NAMES if n in cols), None)
    if tcol is None:
        raise DataError("DataFrame", None, "missing column(s): timestamp (or a DatetimeIndex)")
    ts = frame[tcol]
    if isinstance(ts.dtype, pd.DatetimeTZDtype):
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    groups: list[tuple[str, Any]]
    if "symbol" in cols:
        groups = [(str(s), g) for s, g in frame.assign(_ts=ts).groupby(cols["symbol"], sort=False)]
    else:
        if symbol is None:
            raise ValueError("symbol= is required when the DataFrame has no symbol column")
        groups = [(symbol, frame.assign(_ts=ts))]
    out = []
    for sym, g in groups:
        kw = {c: g[cols[c]].to_numpy() for c in (*BAR_COLUMNS, *QUOTE_COLUMNS) if c in cols}
        out.append(
            from_arrays(
                sym,
                g["_ts"].to_numpy(dtype="datetime64[ns]"),
                timeframe=timeframe,
                price_decimals=price_decimals,
                source=f"DataFrame[{sym}]",
                **kw,
            )
        )
    return out


def _open_text(path: Path) -> io.TextIOBase:
    # utf-8-sig: a byte-order mark (spreadsheet exports) is not part of the first column's name
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


#: What reading a file that is not UTF-8 text, or a .gz that is not (whole) gzip, raises.
_UNREADABLE = (UnicodeDecodeError, gzip.BadGzipFile, EOFError, zlib.error)


def _unreadable(name: str, error: Exception, after_row: int = 0) -> DataError:
    """The DataError for an `_UNREADABLE` error (text is decoded in blocks: the bad byte is at or
    after the row being read, `after_row`)."""
    where = f" at or after row {after_row}" if after_row else ""
    if isinstance(error, UnicodeDecodeError):
        return DataError(name, None, f"not UTF-8 text{where} ({error.reason}): save it as UTF-8 CSV")
    return DataError(name, None, f"not a readable gzip file{where} ({error})")


def _delimiter(first_line: str) -> str:
    """The header line's delimiter: the one of `_DELIMITERS` it holds most of (a comma on a tie)."""
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_columns(rows: list[list[str]], header: list[str], source: str, offset: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    cols: list[tuple[str, ...]] = list(zip(*rows, strict=False)) if rows else [() for _ in header]
    for name, values in zip(header, cols, strict=False):
        if name in _TS_NAMES:
            out["ts"] = _ts_ns(np.array(values, dtype=object), source, offset)
        elif name == "symbol":
            out["symbol"] = np.array(values, dtype=object)
        elif name in (*BAR_COLUMNS, *QUOTE_COLUMNS):
            try:
                out[name] = np.array([float(v) if v != "" else np.nan for v in values], dtype=np.float64)
            except ValueError:
                bad = next(i for i, v in enumerate(values) if not _is_number(v))
                raise DataError(
                    source, offset + bad + 1, f"{name} is not a number: {values[bad]!r}"
                ) from None
    return out


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


SCALE_SAMPLE_ROWS = 1000


def _text_price_scale(path: Path, header: list[str], kind: str, delimiter: str = ",") -> int:
    """Most digits after the decimal point among the price columns of the file's first rows."""
    names = BAR_COLUMNS[:4] if kind == "bar" else QUOTE_COLUMNS[:2]
    columns = [i for i, name in enumerate(header) if name in names]
    scale = 0
    try:
        with _open_text(path) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            next(reader)
            for row in itertools.islice(reader, SCALE_SAMPLE_ROWS):
                for i in columns:
                    if i < len(row):
                        _, dot, frac = row[i].strip().partition(".")
                        if dot and frac.isdigit():
                            scale = max(scale, len(frac))
    except _UNREADABLE as e:
        raise _unreadable(path.name, e, max(reader.line_num, 1)) from None
    return scale


def read_csv(
    path: str | Path,
    symbol: str | None = None,
    *,
    kind: str | None = None,
    timeframe: str | None = None,
    price_decimals: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> list[Series]:
    """Series from a CSV (or .csv.gz) file with a header row: a timestamp column (RFC 3339 or
    epoch; an offset such as `-04:00` is converted to UTC, naive times are UTC),
    open/high/low/close/volume or bid/ask[/bid_size/ask_size], and optionally `symbol`. The
    delimiter (comma, semicolon, tab or `|`) is taken from the header line; an `Adj Close` column
    is ignored with a DataNotice warning.

    A single-symbol file is streamed in chunks (flat memory); a file with a `symbol` column is read
    once and split per symbol."""
    p = Path(path)
    try:
        with _open_text(p) as fh:
            first = fh.readline()
    except _UNREADABLE as e:
        raise _unreadable(p.name, e) from None
    if not first.strip():
        raise DataError(p.name, None, "empty file: no header row (timestamp, open, high, low, close, volume)")
    delimiter = _delimiter(first)
    names = next(csv.reader([first], delimiter=delimiter))
    header = [h.strip().lower() for h in names]
    _adjusted_notice(p.name, names)
    if not any(n in header for n in _TS_NAMES):
        raise DataError(p.name, None, "missing column(s): timestamp")
    k = kind or ("quote" if "bid" in header else "bar")
    need = BAR_COLUMNS if k == "bar" else QUOTE_COLUMNS[:2]
    missing = [c for c in need if c not in header]
    if missing:
        raise DataError(p.name, None, f"missing column(s): {', '.join(missing)}")

    # Parsed numbers lose trailing zeros ("100.10" → 100.1): take the scale from the text itself.
    text_scale = 0 if price_decimals is not None else _text_price_scale(p, header, k, delimiter)

    def raw() -> Iterator[dict[str, np.ndarray]]:
        with _open_text(p) as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            next(reader)
            offset = 0
            while True:
                try:
                    rows = [r for _, r in zip(range(chunk_rows), reader, strict=False)]
                except _UNREADABLE as e:
                    # line_num counts the header: it is the data row being read
                    raise _unreadable(p.name, e, max(reader.line_num, 1)) from None
                if not rows:
                    return
                for i, r in enumerate(rows):
                    if len(r) != len(header):
                        raise DataError(
                            p.name, offset + i + 1, f"expected {len(header)} fields, got {len(r)}"
                        )
                yield _csv_columns(rows, header, p.name, offset)
                offset += len(rows)

    if "symbol" not in header:
        if symbol is None:
            symbol = p.name.split(".")[0]
        return [
            Series(
                symbol,
                raw,
                source=p.name,
                kind=k,
                timeframe=timeframe,
                price_decimals=price_decimals,
                min_price_decimals=text_scale,
            )
        ]
    # long format: split by symbol, keeping each symbol's rows in file order
    parts: dict[str, list[dict[str, np.ndarray]]] = {}
    rowmap: dict[str, list[np.ndarray]] = {}
    offset = 0
    for chunk in raw():
        syms = chunk.pop("symbol")
        n = len(syms)
        for s in dict.fromkeys(syms.tolist()):
            m = syms == s
            parts.setdefault(s, []).append({c: a[m] for c, a in chunk.items()})
            rowmap.setdefault(s, []).append(np.flatnonzero(m) + offset + 1)
        offset += n
    out: list[Series] = []
    for s, chunks in parts.items():
        if symbol is not None and s != symbol:
            continue
        merged: dict[str, Any] = {c: np.concatenate([ch[c] for ch in chunks]) for c in chunks[0]}
        series = from_arrays(
            s,
            merged.pop("ts").astype("datetime64[ns]"),
            timeframe=timeframe,
            price_decimals=price_decimals,
            source=f"{p.name}[{s}]",
            min_price_decimals=text_scale,
            **merged,
        )
        series.file_rows = np.concatenate(rowmap[s])  # type: ignore[attr-defined]
        out.append(_RowMapped(series))
    return out


class _RowMapped(Series):
    """A per-symbol view of a long-format file whose DataError rows are the file's data rows."""

    def __init__(self, inner: Series) -> None:
        super().__init__(
            inner.symbol,
            inner._raw,
            source=inner.source.split("[")[0],
            kind=inner.kind,
            timeframe=inner.timeframe,
            price_decimals=inner.price_decimals,
            min_price_decimals=inner.min_price_decimals,
        )
        self._rows = inner.file_rows  # type: ignore[attr-defined]
        self._label = inner.source

    def prepare(self) -> Series:
        try:
            return super().prepare()
        except DataError as e:
            row = None if e.row is None else int(self._rows[e.row - 1])
            raise DataError(e.source, row, f"{e.reason} (symbol {self.symbol})") from None


def read_parquet(
    path: str | Path,
    symbol: str | None = None,
    *,
    timeframe: str | None = None,
    price_decimals: int | None = None,
    batch_rows: int = CHUNK_ROWS,
) -> list[Series]:
    """Series from a Parquet file (needs the `parquet` extra: pyarrow), streamed by record batch.
    Same columns as CSV; a timestamp index written by pandas is found by name."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise ImportError("read_parquet needs pyarrow: pip install 'tradewire-engine[parquet]'") from e
    p = Path(path)
    try:
        schema = pq.read_schema(p)
    except pa.ArrowException as e:  # not Parquet, or cut short: its footer is unreadable
        raise DataError(p.name, None, f"not a readable Parquet file ({e})") from None
    names = [n.lower() for n in schema.names]
    _adjusted_notice(p.name, schema.names)
    if not any(n in names for n in _TS_NAMES):
        raise DataError(p.name, None, "missing column(s): timestamp")
    k = "quote" if "bid" in names else "bar"
    need = BAR_COLUMNS if k == "bar" else QUOTE_COLUMNS[:2]
    missing = [c for c in need if c not in names]
    if missing:
        raise DataError(p.name, None, f"missing column(s): {', '.join(missing)}")

    def raw() -> Iterator[dict[str, np.ndarray]]:
        # Flat memory whatever the file's length: with pre_buffer (pyarrow's default) the reader's
        # cache keeps every compressed column chunk it has read until the pass ends, so resident
        # memory grew with the file; decoding on this thread leaves no per-thread allocator caches.
        f = pq.ParquetFile(p, pre_buffer=False)
        offset = 0
        for batch in f.iter_batches(batch_size=batch_rows, use_threads=False):
            out: dict[str, np.ndarray] = {}
            for name, col in zip(batch.schema.names, batch.columns, strict=True):
                key = name.lower()
                if key in _TS_NAMES:
                    a = column_numpy(col)
                    if a.dtype.kind == "M":
                        a = a.astype("datetime64[ns]")
                    out["ts"] = _ts_ns(a, p.name, offset)
                elif key == "symbol":
                    out["symbol"] = col.to_numpy(zero_copy_only=False).astype(object)
                elif key in (*BAR_COLUMNS, *QUOTE_COLUMNS):
                    out[key] = column_numpy(col).astype(np.float64)
            offset += batch.num_rows
            yield out

    if "symbol" in names:
        try:
            import pandas as pd  # long-format files are small: split in memory
        except ImportError as e:  # pragma: no cover - depends on the extra
            raise ImportError(
                "read_parquet needs pandas for a file with a symbol column: "
                "pip install 'tradewire-engine[parquet,pandas]'",
                name="pandas",
            ) from e

        df = pd.read_parquet(p)
        if symbol is not None:
            df = df[df["symbol"] == symbol]
        return from_dataframe(df, timeframe=timeframe, price_decimals=price_decimals)
    return [
        Series(
            symbol or p.name.split(".")[0],
            raw,
            source=p.name,
            kind=k,
            timeframe=timeframe,
            price_decimals=price_decimals,
        )
    ]


def as_series_list(data: Series | Sequence[Series] | Mapping[str, Any]) -> list[Series]:
    """Normalise the `data` argument of Backtest/BacktestVenue to a list of Series."""
    if isinstance(data, Series):
        return [data]
    if isinstance(data, Mapping):
        raise TypeError("pass Series objects (see tradewire.engine.from_arrays / read_csv / from_dataframe)")
    out = list(data)
    for s in out:
        if not isinstance(s, Series):
            raise TypeError(f"expected Series, got {type(s).__name__}")
    return out
