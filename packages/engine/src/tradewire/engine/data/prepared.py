"""A validated Series held as exact int64 columns: picklable, memory-mappable, sliced without copies."""

# Parameter sweeps run one dataset thousands of times in other processes. A reader-backed Series
# re-reads and re-validates its file on every pass and pickles closures (it cannot be shipped), so
# the driver prepares each Series once into the columns the engine reads: prices and volumes as
# int64 counts of 10**-decimals units, the bar start as int64 ns. Saved as .npy files, the columns are
# memory-mapped by every worker: one copy in the page cache, whatever the number of workers.

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tradewire.engine.data.errors import DataError
from tradewire.engine.data.series import BAR_COLUMNS, QUOTE_COLUMNS, Series, TimeBound, to_ns

__all__ = ["Columns", "PreparedSeries", "dataset_key", "load_dataset", "prepare_dataset"]

CHUNK_ROWS = 65_536
_PRICE = {"open", "high", "low", "close", "bid", "ask"}
_META = "dataset.json"


class Columns:
    """The raw-chunk source of a PreparedSeries: int64 arrays yielded `chunk_rows` rows at a time.

    Pickles as its arrays, or, when they were memory-mapped from a directory, as that directory and
    a row range (the receiving process maps the same files; nothing is copied).
    """

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        *,
        chunk_rows: int = CHUNK_ROWS,
        files: tuple[str, str, int, int] | None = None,
    ) -> None:
        self.arrays = arrays
        self.chunk_rows = chunk_rows
        self.files = files  # (directory, file prefix, first row, end row) when memory-mapped

    def __len__(self) -> int:
        return len(self.arrays["ts"])

    def __call__(self) -> Iterator[dict[str, np.ndarray]]:
        for i in range(0, len(self), self.chunk_rows):
            yield {name: a[i : i + self.chunk_rows] for name, a in self.arrays.items()}

    def rows(self, lo: int, hi: int) -> Columns:
        """Rows [lo, hi) as views of the same arrays (memory-mapped ones stay mapped when pickled)."""
        files = None
        if self.files is not None:
            directory, prefix, first, _ = self.files
            files = (directory, prefix, first + lo, first + hi)
        return Columns({k: a[lo:hi] for k, a in self.arrays.items()}, chunk_rows=self.chunk_rows, files=files)

    def __reduce__(self) -> tuple[Any, ...]:
        if self.files is None:
            return (Columns, (self.arrays,), {"chunk_rows": self.chunk_rows, "files": None})
        return (_mapped, (*self.files, tuple(self.arrays), self.chunk_rows))

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def _mapped(
    directory: str, prefix: str, lo: int, hi: int, names: tuple[str, ...], chunk_rows: int
) -> Columns:
    arrays = {n: np.load(Path(directory) / f"{prefix}.{n}.npy", mmap_mode="r")[lo:hi] for n in names}
    return Columns(arrays, chunk_rows=chunk_rows, files=(directory, prefix, lo, hi))


class PreparedSeries(Series):
    """A Series validated once and held as int64 columns (make one with `prepare_dataset`).

    It is prepared already (no validation pass), pickles without its source (as arrays, or as the
    paths of its memory-mapped files), and `between` slices it without copying.
    """

    def __init__(self, like: Series, columns: Columns) -> None:
        decimals = (like.price_decimals or 0, like.volume_decimals or 0)
        super().__init__(
            like.symbol,
            columns,
            source=like.source,
            kind=like.kind,
            timeframe=like.timeframe,
            scaled_decimals=decimals,
        )
        self.columns = columns
        self.rows = len(columns)
        ts = columns.arrays["ts"]
        if self.rows == 0:
            raise DataError(self.source, None, "no rows")
        self.first_ts = int(ts[0])
        self.last_ts = int(ts[-1])
        self.prepared = True

    def detached(self) -> PreparedSeries:
        """This series with its columns in memory: it pickles as the arrays themselves, for
        processes that cannot see this machine's files (a Ray cluster's object store)."""
        arrays = {k: np.array(a) for k, a in self.columns.arrays.items()}
        return PreparedSeries(self, Columns(arrays, chunk_rows=self.columns.chunk_rows))

    def between(self, start: TimeBound = None, end: TimeBound = None) -> PreparedSeries:
        """The rows whose time lies within [start, end] (see `Series.between`), as views, not copies.

        Raises:
            ValueError: a bound is not a date/time.
            DataError: no row lies within the window.
        """
        ts = self.columns.arrays["ts"]
        lo = 0 if start is None else int(np.searchsorted(ts, to_ns(start), side="left"))
        hi = len(ts) if end is None else int(np.searchsorted(ts, to_ns(end), side="right"))
        label = f"{start if start is not None else ''}..{end if end is not None else ''}"
        like = Series(self.symbol, self.columns, source=f"{self.source} [{label}]", kind=self.kind)
        like.timeframe = self.timeframe
        like.price_decimals, like.volume_decimals = self.price_decimals, self.volume_decimals
        return PreparedSeries(like, self.columns.rows(lo, max(lo, hi)))


def _columns_of(series: Series) -> dict[str, np.ndarray]:
    """Every row of a prepared `series` as int64 columns in its own decimals (one streamed pass)."""
    pd_, vd = series.price_decimals or 0, series.volume_decimals or 0
    parts: dict[str, list[np.ndarray]] = {}
    names = BAR_COLUMNS if series.kind == "bar" else QUOTE_COLUMNS
    for chunk in series._raw():
        if len(chunk["ts"]) == 0:
            continue
        parts.setdefault("ts", []).append(np.asarray(chunk["ts"], dtype=np.int64))
        for c in names:
            if c in chunk:
                parts.setdefault(c, []).append(
                    series._ints(np.asarray(chunk[c]), pd_ if c in _PRICE else vd, c not in _PRICE)
                )
    return {c: np.concatenate(p) for c, p in parts.items()}


def dataset_key(series: Sequence[PreparedSeries]) -> str:
    """A content hash of prepared series (symbols, decimals, timeframe and every column's bytes)."""
    h = hashlib.sha256()
    for s in series:
        h.update(json.dumps([s.symbol, s.kind, s.timeframe, s.price_decimals, s.volume_decimals]).encode())
        for name in sorted(s.columns.arrays):
            h.update(name.encode())
            h.update(np.ascontiguousarray(s.columns.arrays[name]).tobytes())
    return h.hexdigest()[:24]


def prepare_dataset(
    series: Series | Sequence[Series], directory: str | Path | None = None
) -> list[PreparedSeries]:
    """Validate each Series once and hold it as int64 columns, in memory or memory-mapped.

    With `directory`, the columns are written there (one .npy file each, in a sub-directory named by
    the content hash, reused when it exists) and the returned series map them read-only.

    Raises:
        DataError: invalid data (as `Series.prepare`).
    """
    items = [series] if isinstance(series, Series) else list(series)
    prepared = []
    for s in items:
        if isinstance(s, PreparedSeries):
            prepared.append(s)
            continue
        s.prepare()
        prepared.append(PreparedSeries(s, Columns(_columns_of(s))))
    if directory is None:
        return prepared
    return saved_dataset(prepared, Path(directory) / dataset_key(prepared))


def saved_dataset(series: Sequence[PreparedSeries], target: Path) -> list[PreparedSeries]:
    """`series` saved in `target` (their content hash's directory) unless it holds them already,
    memory-mapped from there."""
    if not (target / _META).is_file():
        _save(series, target)
    return load_dataset(target)


def _save(series: Sequence[PreparedSeries], target: Path) -> None:
    """Write the columns and a description, then publish the directory by one rename (atomic)."""
    staging = target.with_name(f"{target.name}.tmp{os.getpid()}")
    staging.mkdir(parents=True, exist_ok=True)
    meta = []
    for i, s in enumerate(series):
        for name, a in s.columns.arrays.items():
            np.save(staging / f"{i}.{name}.npy", np.ascontiguousarray(a))
        meta.append(description(s))
    (staging / _META).write_text(json.dumps(meta))
    try:
        staging.rename(target)
    except OSError:  # another process published the same content first
        for f in staging.iterdir():
            f.unlink()
        staging.rmdir()


def load_dataset(directory: str | Path) -> list[PreparedSeries]:
    """The prepared series saved in `directory` by `prepare_dataset`, memory-mapped read-only."""
    target = Path(directory)
    out = []
    for i, meta in enumerate(json.loads((target / _META).read_text())):
        rows = len(np.load(target / f"{i}.ts.npy", mmap_mode="r"))
        out.append(described(meta, _mapped(str(target), str(i), 0, rows, tuple(meta["columns"]), CHUNK_ROWS)))
    return out


def description(s: PreparedSeries) -> dict[str, Any]:
    """What a saved series needs besides its columns (JSON-ready; `described` reads it back)."""
    return {
        "symbol": s.symbol,
        "source": s.source,
        "kind": s.kind,
        "timeframe": s.timeframe,
        "price_decimals": s.price_decimals,
        "volume_decimals": s.volume_decimals,
        "columns": list(s.columns.arrays),
    }


def described(meta: dict[str, Any], columns: Columns) -> PreparedSeries:
    """The series `description` gave `meta` for, over `columns`."""
    like = Series(meta["symbol"], columns, source=meta["source"], kind=meta["kind"])
    like.timeframe = meta["timeframe"]
    like.price_decimals, like.volume_decimals = meta["price_decimals"], meta["volume_decimals"]
    return PreparedSeries(like, columns)
