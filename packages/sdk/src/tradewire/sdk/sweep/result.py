"""`SweepResult`: the trials table, the best parameters, the statistics and the walk-forward outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradewire.sdk.sweep.space import Parameter
from tradewire.sdk.sweep.statistics import SweepStatistics
from tradewire.sdk.sweep.walkforward import OutOfSample, WindowOutcome

__all__ = ["SweepResult"]


@dataclass(slots=True)
class SweepResult:
    """What a sweep produced.

    Attributes:
        strategy: The strategy class name.
        space: The swept parameters.
        objective: The metric that ranks trials (higher is better).
        rows: One per backtest, sorted by (window, phase, trial id): full runs have window -1 and
            phase "full"; walk-forward runs are "train" (every trial, per window) and "test" (the
            window's in-sample best).
        best: The best trial's row (full runs; with walk-forward, the last window's choice).
        statistics: Deflated Sharpe ratio and PBO over the full runs; with walk-forward, over the
            last window's in-sample runs (the choice one would trade next); each window has its own.
        windows: The walk-forward windows' outcomes (empty without walk-forward).
        out: The directory the table and report were written to, if any.
        interrupted: The sweep was stopped (Ctrl-C) before every trial ran; the rows are what finished.
        out_of_sample: The windows' out-of-sample spans stitched together (None without walk-forward).
    """

    strategy: str
    space: Sequence[Parameter]
    objective: str
    rows: list[dict[str, Any]]
    best: Mapping[str, Any] | None
    statistics: SweepStatistics
    windows: list[WindowOutcome] = field(default_factory=list)
    out: Path | None = None
    interrupted: bool = False
    out_of_sample: OutOfSample | None = None

    @property
    def best_params(self) -> dict[str, Any] | None:
        """The best trial's parameters, typed as the strategy declares them."""
        if self.best is None:
            return None
        return {p.name: self.best[p.name] for p in self.space}

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r["status"] != "ok")

    def frame(self) -> Any:
        """The trials table as a pandas DataFrame (needs pandas), without the per-day columns."""
        import pandas as pd  # type: ignore[import-untyped]

        table = pd.DataFrame(self.rows)
        return table.drop(columns=["returns", "days"], errors="ignore")

    def report(self, path: str | Path, heatmap: tuple[str, str] | None = None) -> Path:
        """Write the offline HTML report to `path` (see `tradewire.sdk.sweep.report`)."""
        from tradewire.sdk.sweep.report import write_report

        return write_report(self, Path(path), heatmap)
