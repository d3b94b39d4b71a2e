"""`Sweep`: a strategy's parameters tried on every core or on Ray, the results keyed by trial id."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.strategy import Strategy
from tradewire.sdk.sweep.executor import Executor, parse_executor
from tradewire.sdk.sweep.result import SweepResult
from tradewire.sdk.sweep.space import Parameter, space_of
from tradewire.sdk.sweep.statistics import sweep_statistics
from tradewire.sdk.sweep.store import TrialStore
from tradewire.sdk.sweep.trials import Constraint, Search, Trial, parse_search, trial_list
from tradewire.sdk.sweep.walkforward import (
    WalkForward,
    WindowOutcome,
    best_row,
    out_of_sample,
    parse_walk_forward,
)
from tradewire.sdk.sweep.worker import METRICS, StrategyRef, Task, WorkerSetup

__all__ = ["Progress", "Sweep"]


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a sweep stands: backtests done (failed among them) of `total`, the best objective so
    far and its parameters, and the estimated seconds left."""

    done: int
    failed: int
    total: int
    best: float | None
    best_params: Mapping[str, Any] | None
    elapsed_s: float
    eta_s: float | None


class Sweep:
    """Try a strategy's parameters: a grid, a random draw from it, or TPE (Optuna) in fixed batches.

    Args:
        strategy: The Strategy subclass; parameters are its class attributes, typed from them.
        data: Engine Series (or a list), a CSV / CSV.gz / Parquet path, or None with `sample=True`.
        params: name → values: "5:50:5" (start:stop:step, stop included), "a,b,c", or an iterable.
        constraint: An expression over the parameter names ("fast < slow") or a callable on the
            parameters; combinations it rejects are not tried.
        objective: The metric to maximise (a column of the table: sharpe, total_return, cagr, ...).
        search: "grid", "random:N" (N of the grid's points, drawn with `seed`) or "tpe:N".
        seed: Fixes the trial list (and TPE's sampler): the same seed gives the same trials.
        walk_forward: "train=2y,test=6m[,step=6m][,anchored]" (or a WalkForward).
        out: Directory for the trials table (Parquet, streamed as batches finish), the prepared data
            and the report; `resume=True` skips the trials already there.
        symbols, start, end, cash: As for `backtest`.
        batch_size: Trials per task sent to a worker (default: about four batches per worker).
        shared_data: Storage every worker can read (a mounted path, or an s3:// / gs:// / hdfs://
            URI): the prepared data is published there once as Parquet named by its content hash,
            and each machine fetches it once into its own cache, instead of receiving the columns.
    """

    def __init__(
        self,
        strategy: type[Strategy],
        data: Any = None,
        *,
        params: Mapping[str, Any],
        sample: bool = False,
        symbols: Sequence[str] | None = None,
        start: str | None = None,
        end: str | None = None,
        cash: str | int | None = None,
        constraint: Constraint = None,
        objective: str = "sharpe",
        search: str = "grid",
        seed: int = 0,
        walk_forward: str | WalkForward | None = None,
        out: str | Path | None = None,
        resume: bool = False,
        batch_size: int | None = None,
        shared_data: str | Path | None = None,
    ) -> None:
        if objective not in METRICS:
            raise ConfigurationError(f"--objective is one of {', '.join(METRICS)}, not {objective!r}")
        self.strategy = strategy
        self.space: list[Parameter] = space_of(strategy, params)
        self.data, self.sample, self.symbols = data, sample, symbols
        self.start, self.end = start, end
        self.cash = None if cash is None else str(cash)
        self.constraint = constraint
        self.objective = objective
        self.search_text = search
        self.search: Search = parse_search(search)
        self.seed = seed
        self.walk = parse_walk_forward(walk_forward) if isinstance(walk_forward, str) else walk_forward
        self.out = Path(out) if out is not None else None
        self.resume = resume
        self.batch_size = batch_size
        self.shared_data = None if shared_data is None else str(shared_data)

    def trials(self) -> list[Trial]:
        """The trial list of a grid or random search (TPE draws its trials while it runs)."""
        if self.search.kind == "tpe":
            raise ConfigurationError("a TPE search draws its trials as it runs; it has no list beforehand")
        return trial_list(self.space, self.search, self.seed, self.constraint)

    def _manifest(self, data_key: str) -> dict[str, Any]:
        constraint = (
            self.constraint if isinstance(self.constraint, str) or self.constraint is None else "<callable>"
        )
        return {
            "strategy": self.strategy.__qualname__,
            "params": {p.name: [str(v) for v in p.values] for p in self.space},
            "constraint": constraint,
            "objective": self.objective,
            "search": self.search_text,
            "seed": self.seed,
            "cash": self.cash,
            "data": data_key,
            "walk_forward": self.walk.spec() if self.walk else None,
        }

    def run(
        self,
        executor: str | Executor = "local",
        progress: Callable[[Progress], None] | None = None,
    ) -> SweepResult:
        """Run every trial and return the result; Ctrl-C stops it with what finished kept (and saved).

        Raises:
            ConfigurationError: bad data, parameters, executor, or an `out` holding another sweep.
        """
        from tradewire.sdk.transports.inprocess import sweep_support

        runner = parse_executor(executor, self.batch_size) if isinstance(executor, str) else executor
        scratch = None
        if self.out is not None:
            directory = self.out / "data"
        else:
            directory = Path(scratch := tempfile.mkdtemp(prefix="tradewire-sweep-"))
        try:
            data, key = sweep_support.prepared_data(
                self.data,
                self.strategy(),
                sample=self.sample,
                symbols=self.symbols,
                start=self.start,
                end=self.end,
                directory=directory,
            )
            store = TrialStore(self.out, self.space, self._manifest(key), self.resume)
            windows = (
                sweep_support.walk_forward(
                    data, self.walk.train, self.walk.test, self.walk.step, self.walk.anchored
                )
                if self.walk
                else []
            )
            ref = StrategyRef.of(self.strategy)
            if self.shared_data is not None:
                published = sweep_support.publish(data, self.shared_data)
                setup = WorkerSetup(ref, (), self.cash, windows, shared=published)
            else:
                shipped = data if runner.local_files else sweep_support.detached(data)
                setup = WorkerSetup(ref, shipped, self.cash, windows)
            run = _Run(self, runner, setup, store, progress, len(windows))
            interrupted = False
            try:
                run.all(windows)
            except KeyboardInterrupt:
                interrupted = True
            store.finish()
            return run.result(windows, interrupted)
        finally:
            runner.close()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)


class _Run:
    """One run of a sweep: tasks to the executor, rows to the store, progress to the caller."""

    def __init__(
        self,
        sweep: Sweep,
        executor: Executor,
        setup: WorkerSetup,
        store: TrialStore,
        progress: Callable[[Progress], None] | None,
        windows: int,
    ) -> None:
        self.sweep, self.executor, self.setup, self.store = sweep, executor, setup, store
        self.progress = progress
        per_window = (sweep.search.count or 0) if sweep.search.kind == "tpe" else len(sweep.trials())
        self.total = per_window * max(windows, 1) + windows
        self.done = len(store.rows)
        self.failed = sum(1 for r in store.rows.values() if r["status"] != "ok")
        self.started = time.perf_counter()
        self.resumed = self.done
        self.best: Mapping[str, Any] | None = None

    def _sink(self, rows: list[dict[str, Any]]) -> None:
        self.store.add(rows)
        self.done += len(rows)
        self.failed += sum(1 for r in rows if r["status"] != "ok")
        candidate = best_row([*([self.best] if self.best else []), *rows])
        self.best = candidate
        if self.progress is not None:
            elapsed = time.perf_counter() - self.started
            ran = self.done - self.resumed
            eta = elapsed / ran * (self.total - self.done) if ran else None
            best = None if candidate is None else float(candidate["objective"])
            params = None if candidate is None else {p.name: candidate[p.name] for p in self.sweep.space}
            self.progress(Progress(self.done, self.failed, self.total, best, params, elapsed, eta))

    def evaluate(self, tasks: Sequence[Task]) -> list[dict[str, Any]]:
        """Rows of `tasks` (in their order), running only those the store does not hold yet."""
        todo = [t for t in tasks if t.key not in self.store.rows]
        if todo:
            self.executor.run(self.setup, todo, self.sweep.objective, self._sink)
        return [self.store.rows[t.key] for t in tasks]

    def phase(self, window: int, phase: str) -> list[dict[str, Any]]:
        sweep = self.sweep
        if sweep.search.kind == "tpe":
            from tradewire.sdk.sweep.tpe import tpe_search

            return tpe_search(
                sweep, lambda ts: self.evaluate([Task(t.id, t.params, window, phase) for t in ts])
            )
        return self.evaluate([Task(t.id, t.params, window, phase) for t in sweep.trials()])

    def all(self, windows: Sequence[tuple[int, int, int, int]]) -> None:
        if not windows:
            self.phase(-1, "full")
            return
        for w in range(len(windows)):
            chosen = best_row(self.phase(w, "train"))
            if chosen is not None:
                self.evaluate([Task(int(chosen["trial_id"]), self._params(chosen), w, "test")])

    def _params(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {p.name: row[p.name] for p in self.sweep.space}

    def result(self, windows: Sequence[tuple[int, int, int, int]], interrupted: bool) -> SweepResult:
        rows = self.store.sorted_rows()
        outcomes: list[WindowOutcome] = []
        if windows:
            for w, (a, b, c, d) in enumerate(windows):
                train = [r for r in rows if r["window"] == w and r["phase"] == "train"]
                test = next((r for r in rows if r["window"] == w and r["phase"] == "test"), None)
                chosen = best_row(train)
                window_statistics = sweep_statistics(train, chosen)
                outcomes.append(
                    WindowOutcome(
                        w,
                        a,
                        b,
                        c,
                        d,
                        None if chosen is None else int(chosen["trial_id"]),
                        None if chosen is None else self._params(chosen),
                        None if chosen is None else float(chosen["objective"]),
                        None if test is None or test["status"] != "ok" else float(test["objective"]),
                        [] if test is None else list(test["returns"]),
                        [] if test is None else list(test["days"]),
                        window_statistics,
                    )
                )
            scored = [r for r in rows if r["window"] == len(windows) - 1 and r["phase"] == "train"]
        else:
            scored = [r for r in rows if r["phase"] == "full"]
        best = best_row(scored)
        return SweepResult(
            self.sweep.strategy.__name__,
            self.sweep.space,
            self.sweep.objective,
            rows,
            best,
            sweep_statistics(scored, best),
            outcomes,
            self.sweep.out,
            interrupted,
            out_of_sample(outcomes) if outcomes else None,
        )
