"""What a parameter sweep needs from the engine: data prepared once, windows, and the overfitting tests."""

# The sweep package may not import the engine (only this transport does): it calls these instead.

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tradewire.sdk.strategy import Strategy
from tradewire.sdk.transports.inprocess.data import at_timeframe, load_data, window
from tradewire.sdk.transports.inprocess.loader import engine

__all__ = [
    "deflated_sharpe",
    "detached",
    "open_shared",
    "overfitting_probability",
    "prepared_data",
    "publish",
    "return_moments",
    "walk_forward",
]


def prepared_data(
    data: Any,
    strategy: Strategy,
    *,
    sample: bool = False,
    symbols: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    directory: Path | None = None,
) -> tuple[list[Any], str]:
    """The data a backtest of `strategy` would run on, validated once and held as the engine's
    columns (memory-mapped from `directory` when given), and its content hash.

    Raises:
        ConfigurationError: no data, a missing file, or none of `symbols` in it.
        tradewire.engine.DataError: invalid data.
    """
    te = engine()
    wanted = list(symbols or strategy.symbols) or None
    if data is None or isinstance(data, (str, Path)):
        series = load_data(data, sample=sample or data is None, symbols=wanted)
    else:
        series = list(data) if isinstance(data, (list, tuple)) else [data]
        if wanted:
            series = [s for s in series if s.symbol in wanted]
    series = at_timeframe(series, strategy)
    if start is not None or end is not None:
        series = [window(s, start, end) for s in series]
    prepared = te.prepare_dataset(series, directory)
    return prepared, str(te.dataset_key(prepared))


def detached(series: Sequence[Any]) -> list[Any]:
    """Prepared series with their columns in memory (for stores that cannot map this machine's files)."""
    return [s.detached() for s in series]


def publish(series: Sequence[Any], location: str) -> Any:
    """Publish prepared series as Parquet under `location/<content hash>/` (a SharedDataset:
    what workers receive instead of the data; see `tradewire.engine.publish_dataset`).

    Raises:
        tradewire.engine.DataError: the location cannot be opened or written.
    """
    return engine().publish_dataset(series, location)


def open_shared(shared: Any) -> list[Any]:
    """A published dataset, memory-mapped from this machine's cache (filled from storage once)."""
    series: list[Any] = engine().open_shared_dataset(shared)
    return series


def walk_forward(
    data: Sequence[Any], train: str, test: str, step: str | None, anchored: bool
) -> list[tuple[int, int, int, int]]:
    """(train_start, train_end, test_start, test_end) ns of each walk-forward window over `data`.

    Raises:
        ValueError: a malformed span, or data shorter than one in-sample span.
    """
    first = min(int(s.first_ts) for s in data)
    last = max(int(s.last_ts) for s in data)
    return [
        (w.train_start, w.train_end, w.test_start, w.test_end)
        for w in engine().walk_forward_windows(first, last, train, test, step, anchored)
    ]


def return_moments(returns: np.ndarray) -> tuple[float, float, float, int]:
    """(Sharpe ratio per period, skewness, kurtosis, observations) of `returns`."""
    moments: tuple[float, float, float, int] = engine().return_moments(returns)
    return moments


def deflated_sharpe(
    sharpe: float, n_trials: int, sharpe_variance: float, observations: int, skew: float, kurtosis: float
) -> float:
    """The engine's deflated Sharpe ratio (see `tradewire.engine.deflated_sharpe_ratio`)."""
    return float(
        engine().deflated_sharpe_ratio(sharpe, n_trials, sharpe_variance, observations, skew, kurtosis)
    )


def overfitting_probability(returns: np.ndarray, groups: int) -> float:
    """PBO by CSCV of choosing the best column of `returns` (see the engine's function)."""
    return float(engine().probability_of_backtest_overfitting(returns, groups).pbo)
