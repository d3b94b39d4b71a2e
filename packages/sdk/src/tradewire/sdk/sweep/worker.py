"""What runs in a worker: the strategy and the prepared data, cached once, and trials run in batches."""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tradewire.sdk.failures import StrategyError
from tradewire.sdk.strategy import Strategy

__all__ = ["METRICS", "PHASES", "StrategyRef", "Task", "WorkerSetup", "failed_row", "run_batch", "run_task"]

#: The engine's headline metrics copied into each trial's row (Metrics' fields), in table order.
METRICS = (
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "max_drawdown_days",
    "trades",
    "win_rate",
    "profit_factor",
    "calmar",
    "exposure",
    "turnover",
    "fees",
    "end_value",
)
#: Phases in table order: full runs, then each window's in-sample runs before its out-of-sample one.
PHASES = {"full": 0, "train": 1, "test": 2}
_DAY_NS = 86_400 * 10**9
_GENERATED = "tradewire_user_strategy_"  # the module names loader.load_strategy_class gives files


@dataclass(frozen=True, slots=True)
class StrategyRef:
    """How a worker finds the strategy class: by module and name, else by the file that defines it
    (a spawned process cannot import `__main__`'s or a loaded file's classes by module name)."""

    module: str
    name: str
    file: str | None

    @classmethod
    def of(cls, strategy: type[Strategy]) -> StrategyRef:
        module = sys.modules.get(strategy.__module__)
        file = getattr(module, "__file__", None)
        return cls(strategy.__module__, strategy.__qualname__, str(Path(file).resolve()) if file else None)

    def load(self) -> type[Strategy]:
        if self.module != "__main__" and not self.module.startswith(_GENERATED):
            try:
                found: Any = importlib.import_module(self.module)
                for part in self.name.split("."):
                    found = getattr(found, part)
                if isinstance(found, type) and issubclass(found, Strategy):
                    return found
            except (ImportError, AttributeError):
                pass
        if self.file is None:
            raise ImportError(f"cannot import {self.module}.{self.name} in a worker, and it has no file")
        from tradewire.sdk.loader import load_strategy_class

        return load_strategy_class(self.file, self.name.rsplit(".", 1)[-1])


@dataclass(frozen=True, slots=True)
class Task:
    """One backtest: a trial's parameters on the whole data (window -1, phase "full") or on a
    walk-forward window's in-sample ("train") or out-of-sample ("test") span."""

    trial_id: int
    params: Mapping[str, Any]
    window: int = -1
    phase: str = "full"

    @property
    def key(self) -> tuple[int, int, int]:
        """The key of the task's row in the trials table (see `store.row_key`)."""
        return (self.window, PHASES[self.phase], self.trial_id)


@dataclass(slots=True)
class WorkerSetup:
    """Everything a worker keeps for the whole sweep (shipped once per worker, not per trial).

    Attributes:
        data: The prepared series (memory-mapped paths or arrays), or empty when `shared` is given.
        windows: (train_start, train_end, test_start, test_end) ns of each walk-forward window.
        shared: A dataset published on storage every worker reads (`tradewire.engine.SharedDataset`):
            each worker's machine fetches it once into its own cache and maps it from there.
    """

    strategy: StrategyRef
    data: Sequence[Any]
    cash: str | None = None
    windows: Sequence[tuple[int, int, int, int]] = ()
    shared: Any = None
    _cls: type[Strategy] | None = None

    def strategy_class(self) -> type[Strategy]:
        if self._cls is None:
            self._cls = self.strategy.load()
        return self._cls

    def series(self) -> Sequence[Any]:
        """The data, fetched from shared storage the first time this worker needs it."""
        if not self.data and self.shared is not None:
            from tradewire.sdk.transports.inprocess import sweep_support

            self.data = sweep_support.open_shared(self.shared)
        return self.data

    def data_for(self, task: Task) -> list[Any]:
        if task.window < 0:
            return list(self.series())
        train_start, train_end, test_start, test_end = self.windows[task.window]
        lo, hi = (train_start, train_end) if task.phase == "train" else (test_start, test_end)
        return [s.between(lo, hi - 1) for s in self.series()]

    def __getstate__(self) -> dict[str, Any]:
        data = () if self.shared is not None else self.data  # fetched by each worker, never shipped
        return {
            "strategy": self.strategy,
            "data": data,
            "cash": self.cash,
            "windows": self.windows,
            "shared": self.shared,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._cls = None


def _daily(report: Any) -> tuple[list[float], list[int]]:
    """The run's return per UTC day (last equity of each day over the previous) and the day numbers."""
    ts = np.asarray(report.equity_ts, dtype=np.int64)
    equity = np.asarray(report.equity, dtype=np.float64)
    if ts.size == 0:
        return [], []
    days = ts // _DAY_NS
    last = np.flatnonzero(np.append(days[1:] != days[:-1], True))
    closes = np.concatenate(([float(report.start_value)], equity[last]))
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.where(closes[:-1] > 0, closes[1:] / closes[:-1] - 1.0, 0.0)
    return returns.tolist(), days[last].astype(np.int64).tolist()


def failed_row(task: Task, error: str) -> dict[str, Any]:
    """The row of a task that did not finish: its parameters, the reason, no metrics."""
    row = {"trial_id": task.trial_id, "window": task.window, "phase": task.phase, **task.params}
    row.update({"status": "failed", "error": error, "objective": None, "returns": [], "days": []})
    row.update({m: None for m in METRICS})
    return row


def run_task(setup: WorkerSetup, task: Task, objective: str) -> dict[str, Any]:
    """Backtest one task and return its row; a strategy that raises gives a failed row, not an error."""
    from tradewire.sdk.runner import backtest

    try:
        strategy = setup.strategy_class()(**task.params)
        result = backtest(strategy, setup.data_for(task), cash=setup.cash)
    except StrategyError as e:
        where = f" ({e.location})" if e.location else ""
        return failed_row(task, f"{type(e.error).__name__}: {e.error} in {e.handler}{where}")
    except Exception as e:  # a bad parameter or anything else: the sweep goes on, the row says why
        frame = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
        where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
        return failed_row(task, f"{type(e).__name__}: {e}{where}")
    metrics = result.report.metrics.to_dict()
    returns, days = _daily(result.report)
    row = {"trial_id": task.trial_id, "window": task.window, "phase": task.phase, **task.params}
    row.update({"status": "ok", "error": None, "returns": returns, "days": days})
    # None: a metric the run leaves undefined (a Sharpe ratio without two returns, a win rate
    # without round trips); such a trial is finished but never the best by that objective
    row.update({m: None if metrics[m] is None else float(metrics[m]) for m in METRICS})
    row["objective"] = row[objective]
    return row


def run_batch(setup: WorkerSetup, tasks: Sequence[Task], objective: str) -> list[dict[str, Any]]:
    """Rows of `tasks`, in order."""
    return [run_task(setup, t, objective) for t in tasks]
