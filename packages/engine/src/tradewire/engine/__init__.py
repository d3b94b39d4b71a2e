"""Tradewire's backtest engine: a deterministic, ack-paced simulator behind the protocol's Venue interface."""

# Two ways in, one core: `BacktestVenue` (async, served by the gateway or called by the SDK's
# in-process transport) and `Backtest(...).run(strategy)` (the fast synchronous path).

from __future__ import annotations

from tradewire.engine.backtest import Backtest
from tradewire.engine.config import BacktestConfig
from tradewire.engine.core.models import (
    CommissionModel,
    FixedBps,
    MakerTaker,
    NoCommission,
    NoSlippage,
    PercentOfNotional,
    PerOrder,
    PerShare,
    SlippageModel,
    SpreadSlippage,
)
from tradewire.engine.core.submit import correlation_id
from tradewire.engine.data.errors import DataError, DataNotice
from tradewire.engine.data.prepared import PreparedSeries, dataset_key, load_dataset, prepare_dataset
from tradewire.engine.data.sample import sample_data
from tradewire.engine.data.series import Series
from tradewire.engine.data.shared import SharedDataset, open_shared_dataset, publish_dataset
from tradewire.engine.data.sources import from_arrays, from_dataframe, read_csv, read_parquet
from tradewire.engine.data.synthetic import synthetic_bars
from tradewire.engine.embedding import Embedding
from tradewire.engine.live import LiveKernelVenue
from tradewire.engine.results.metrics import Metrics
from tradewire.engine.results.overfitting import (
    PBO,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    probability_of_backtest_overfitting,
    return_moments,
)
from tradewire.engine.results.records import FillRecord, RoundTrip
from tradewire.engine.results.result import BacktestResult
from tradewire.engine.results.walkforward import Window, walk_forward_windows
from tradewire.engine.venue import BacktestVenue
from tradewire.engine.views import BarView, FillView, QuoteView, StepView

__version__ = "0.1.0"

__all__ = [
    "PBO",
    "Backtest",
    "BacktestConfig",
    "BacktestResult",
    "BacktestVenue",
    "BarView",
    "CommissionModel",
    "DataError",
    "DataNotice",
    "Embedding",
    "FillRecord",
    "FillView",
    "FixedBps",
    "LiveKernelVenue",
    "MakerTaker",
    "Metrics",
    "NoCommission",
    "NoSlippage",
    "PerOrder",
    "PerShare",
    "PercentOfNotional",
    "PreparedSeries",
    "QuoteView",
    "RoundTrip",
    "Series",
    "SharedDataset",
    "SlippageModel",
    "SpreadSlippage",
    "StepView",
    "Window",
    "__version__",
    "correlation_id",
    "dataset_key",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "from_arrays",
    "from_dataframe",
    "load_dataset",
    "open_shared_dataset",
    "prepare_dataset",
    "probability_of_backtest_overfitting",
    "publish_dataset",
    "read_csv",
    "read_parquet",
    "return_moments",
    "sample_data",
    "synthetic_bars",
    "walk_forward_windows",
]
