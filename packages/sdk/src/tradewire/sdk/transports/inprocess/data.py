"""Market data for in-process backtests: the engine's readers, the bundled sample, windows, timeframes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tradewire.sdk._timeframes import TIMEFRAME_S, declared_timeframe
from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.strategy import Strategy
from tradewire.sdk.transports.inprocess.loader import engine

__all__ = ["at_timeframe", "data_errors", "load_data", "window"]


def data_errors() -> tuple[type[BaseException], ...]:
    """The engine's data error type (bad file content), or () when the engine is not installed."""
    try:
        from tradewire.engine import DataError
    except ImportError:
        return ()
    return (DataError,)


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
        series = te.sample_data(wanted)
        label = "the bundled sample"
    else:
        if path is None:
            raise ConfigurationError("no market data: pass --data PATH or --sample")
        file = Path(path)
        if not file.is_file():
            raise ConfigurationError(f"data file not found: {path}")
        name = file.name.lower()
        if name.endswith(".parquet"):
            found = te.read_parquet(file, timeframe=timeframe)
        elif name.endswith((".csv", ".csv.gz")):
            found = te.read_csv(file, timeframe=timeframe)
        else:
            raise ConfigurationError(f"{path}: data must be .csv, .csv.gz or .parquet")
        series = found if isinstance(found, list) else [found]
        if wanted:
            series = [s for s in series if s.symbol in wanted]
        label = str(path)
    if not series:
        raise ConfigurationError(f"no data for {', '.join(wanted or [])} in {label}")
    return series


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
