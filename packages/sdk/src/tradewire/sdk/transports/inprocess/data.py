"""Market data for in-process backtests: the engine's readers, the bundled sample, windows, timeframes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tradewire.sdk._timeframes import TIMEFRAME_S, declared_timeframe
from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.strategy import Strategy
from tradewire.sdk.transports.inprocess.loader import engine

__all__ = [
    "PARQUET_HINT",
    "at_timeframe",
    "data_errors",
    "data_notices",
    "from_frame",
    "is_frame",
    "load_data",
    "only",
    "prepare",
    "window",
]


def data_errors() -> tuple[type[BaseException], ...]:
    """The engine's data error type (bad file content), or () when the engine is not installed."""
    try:
        from tradewire.engine import DataError
    except ImportError:
        return ()
    return (DataError,)


def data_notices() -> tuple[type[Warning], ...]:
    """The engine's data notice type (input read, but not all of it as it stands), or () without it."""
    try:
        from tradewire.engine import DataNotice
    except ImportError:
        return ()
    return (DataNotice,)


def load_data(
    path: str | Path | None = None,
    *,
    sample: bool = False,
    symbols: Sequence[str] | None = None,
    timeframe: str | None = None,
) -> list[Any]:
    """Market data for an in-process backtest: the bundled sample, or a CSV / CSV.gz / Parquet file.

    Raises:
        ConfigurationError: no data chosen, file missing, or none of `symbols` in it.
        tradewire.engine.DataError: the file's content is invalid (bad row, unsorted time, ...).
    """
    engine()
    import tradewire.engine as te

    wanted = list(symbols) if symbols else None
    if sample:
        series = te.sample_data()
        label = "the bundled sample"
    else:
        if path is None:
            raise ConfigurationError("no market data: pass --data PATH or --sample")
        file = Path(path)
        if not file.is_file():
            raise ConfigurationError(f"data file not found: {path}")
        name = file.name.lower()
        if name.endswith(".parquet"):
            series = _read_parquet(file, timeframe)
        elif name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
            series = te.read_csv(file, timeframe=timeframe)
        else:
            raise ConfigurationError(f"{path}: data must be .csv, .csv.gz or .parquet")
        label = str(path)
    return only(series, wanted, label)


def only(series: list[Any], wanted: Sequence[str] | None, label: str) -> list[Any]:
    """The series of `wanted` symbols (all when None); ConfigurationError naming the symbols there are
    when none of them is."""
    if not series:
        raise ConfigurationError(f"{label}: no rows of data")
    chosen = [s for s in series if s.symbol in wanted] if wanted else list(series)
    if not chosen:
        found = ", ".join(sorted(s.symbol for s in series)) or "none"
        raise ConfigurationError(f"no data for {', '.join(wanted or [])} in {label} (symbols there: {found})")
    return chosen


#: What a Parquet file needs, said so that it works from a release and from a clone of the repository.
PARQUET_HINT = (
    "reading Parquet needs pyarrow: pip install pyarrow "
    "(the engine's parquet extra; in a clone: pip install -e 'packages/engine[parquet]')"
)
#: What a long-format Parquet file (a symbol column) needs besides: the engine splits it with pandas.
PARQUET_PANDAS_HINT = (
    "reading Parquet with a symbol column needs pandas too: pip install pyarrow pandas "
    "(the engine's parquet and pandas extras; in a clone: pip install -e 'packages/engine[parquet,pandas]')"
)


def _read_parquet(file: Path, timeframe: str | None) -> list[Any]:
    import tradewire.engine as te

    try:
        return list(te.read_parquet(file, timeframe=timeframe))
    except ImportError as e:
        hint = PARQUET_PANDAS_HINT if e.name == "pandas" else PARQUET_HINT
        raise ConfigurationError(f"{file}: {hint}") from None


def from_frame(frame: Any, symbol: str | None) -> list[Any]:
    """Engine series from a pandas DataFrame: a DatetimeIndex or a timestamp column (timezone-aware
    times converted to UTC, naive ones are UTC), OHLCV or bid/ask columns, and the symbol from a
    `symbol` column or else `symbol`.

    Raises:
        ConfigurationError: no `symbol` column and no symbol given.
    """
    te = engine()
    columns = {str(c).strip().lower() for c in frame.columns}
    if "symbol" not in columns and symbol is None:
        raise ConfigurationError(
            "the DataFrame has no symbol column: pass symbol='SPY' (or a strategy with one symbol)"
        )
    return list(te.from_dataframe(frame, None if "symbol" in columns else symbol))


def is_frame(data: Any) -> bool:
    """Whether `data` is a pandas DataFrame (without importing pandas when it is not loaded)."""
    import sys

    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(data, pandas.DataFrame)


def prepare(
    data: Any,
    strategy: Strategy,
    *,
    sample: bool = False,
    symbols: Sequence[str] | None = None,
    symbol: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> list[Any]:
    """What `backtest()` runs on: `data` (series, a DataFrame, a path, or the sample when None) cut to
    the wanted symbols (`symbols`, else the strategy's), aggregated to the strategy's timeframe, then
    windowed to [start, end]."""
    wanted = list(symbols or strategy.symbols) or None
    if data is None or isinstance(data, (str, Path)):
        data = load_data(data, sample=sample or data is None, symbols=wanted)
    else:
        if is_frame(data):
            own = symbol or (wanted[0] if wanted and len(wanted) == 1 else None)
            data = from_frame(data, own)
        elif not isinstance(data, (list, tuple)):
            data = [data]
        data = only(list(data), wanted, "the data")
    # aggregated before windowing, so a window selects whole bars of the strategy's timeframe
    data = at_timeframe(data, strategy)
    if start is not None or end is not None:
        data = [window(s, start, end) for s in data]
    return list(data)


def window(series: Any, start: str | None, end: str | None) -> Any:
    """`series` restricted to bars starting within [start, end] (the engine's `Series.between`).

    Raises:
        ConfigurationError: a bound is not a date/time, or the data cannot be windowed.
    """
    between = getattr(series, "between", None)
    if between is None:
        raise ConfigurationError("--start/--end need data the engine can filter")
    try:
        return between(start or None, end or None)
    except ValueError as e:
        raise ConfigurationError(str(e)) from None


def at_timeframe(data: Any, strategy: Strategy) -> list[Any]:
    """`data` as bars of the timeframe `strategy` declares: finer bars are aggregated once, here
    (the engine's `Series.resample`); data of that timeframe, quotes, and all data of a strategy that
    declares none (the base class default) pass unchanged.

    Raises:
        ConfigurationError: bars coarser than the declared timeframe, or an unknown one declared.
        tradewire.engine.DataError: the data is invalid, or cannot be aggregated to it (2m to 5m).
    """
    engine()
    import tradewire.engine as te

    series = list(data) if isinstance(data, (list, tuple)) else [data]
    wanted = declared_timeframe(strategy)
    if wanted is None:
        return series
    out = []
    for s in series:
        if isinstance(s, te.Series) and s.kind == "bar":
            have = s.prepare().timeframe
            if have is not None and TIMEFRAME_S[have] > TIMEFRAME_S[wanted]:
                raise ConfigurationError(
                    f"{s.symbol}: the data is {have} bars; {type(strategy).__name__} asks for {wanted}: "
                    f"use data at {wanted} or finer"
                )
            s = s.resample(wanted)
        out.append(s)
    return out
