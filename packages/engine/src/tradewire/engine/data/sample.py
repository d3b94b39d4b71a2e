"""The sample data set shipped in the package: daily bars of AAPL, MSFT and BTC/USD (synthetic, seeded)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tradewire.engine.data.series import Series
from tradewire.engine.data.sources import read_csv

__all__ = ["sample_data", "sample_path"]

SAMPLE_FILE = "sample_daily.csv.gz"


def sample_path() -> Path:
    """Path of the bundled CSV.gz (long format: timestamp, symbol, open, high, low, close, volume)."""
    return Path(str(resources.files("tradewire.engine.data").joinpath(SAMPLE_FILE)))


def sample_data(symbols: list[str] | None = None) -> list[Series]:
    """Bundled daily bars, 2023-01-02 .. 2024-12-31 (stocks on weekdays, BTC/USD every day).

    The prices are synthetic (generated once by `scripts/make_sample_data.py` with a fixed seed),
    so demos and tests need no download."""
    series = read_csv(sample_path(), timeframe="1d", price_decimals=2)
    if symbols is not None:
        series = [s for s in series if s.symbol in symbols]
    return series
