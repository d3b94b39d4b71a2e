"""The `local[:N]` executor: a spawn-safe process pool; a pool that loses a worker is rebuilt."""

# Spawn, not fork (Python 3.14 moves Linux off fork, and forking a process with threads is unsafe):
# each worker starts fresh, receives the setup once through the pool's initializer (memory-mapped
# data travels as file paths) and keeps it for every batch it runs.

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from tradewire.sdk.sweep.executor import RowsSink, batches
from tradewire.sdk.sweep.worker import Task, WorkerSetup, failed_row, run_batch

__all__ = ["LocalExecutor"]

_SETUP: WorkerSetup | None = None


def _init(setup: WorkerSetup) -> None:
    global _SETUP
    _SETUP = setup


def _batch(tasks: list[Task], objective: str, marker: str | None) -> list[dict[str, Any]]:
    assert _SETUP is not None, "the pool's initializer did not run"
    if marker is None:
        return run_batch(_SETUP, tasks, objective)
    # the marker says "this batch was running" if the worker dies before it is removed
    path = Path(marker)
    path.touch()
    rows = run_batch(_SETUP, tasks, objective)
    path.unlink()
    return rows


class LocalExecutor:
    """Trials on `workers` processes of this machine (default: every core).

    Args:
        workers: Worker processes.
        batch_size: Trials per task sent to a worker (default: about four batches per worker).
        max_retries: How many times a batch that was running when a worker died (a crash, the OOM
            killer) is re-run with the rebuilt pool. Beyond that each of its trials runs alone in a
            fresh process, and one that still kills its worker becomes a failed row ("worker lost").
    """

    local_files = True

    def __init__(self, workers: int | None = None, *, batch_size: int | None = None, max_retries: int = 2):
        self.workers = workers or os.cpu_count() or 1
        self.batch_size = batch_size
        self.max_retries = max_retries
        self._kept: tuple[WorkerSetup, ProcessPoolExecutor] | None = None

    def _pool(self, setup: WorkerSetup, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(setup,),
        )

    def _shared(self, setup: WorkerSetup) -> ProcessPoolExecutor:
        """The pool kept across `run` calls with the same setup (a walk-forward's phases), so the
        workers start and load the data once per sweep."""
        if self._kept is None or self._kept[0] is not setup:
            self.close()
            self._kept = (setup, self._pool(setup, self.workers))
        return self._kept[1]

    def run(self, setup: WorkerSetup, tasks: Sequence[Task], objective: str, sink: RowsSink) -> None:
        pending = batches(tasks, self.workers, self.batch_size)
        attempts = [0] * len(pending)
        todo = list(range(len(pending)))
        suspects: list[int] = []
        with tempfile.TemporaryDirectory(prefix="tradewire-sweep-") as markers:
            while todo:
                pool = self._shared(setup)
                running: dict[Future[list[dict[str, Any]]], int] = {}
                try:
                    for i in todo:
                        running[pool.submit(_batch, pending[i], objective, f"{markers}/{i}")] = i
                    while running:
                        finished, _ = wait(running, return_when=FIRST_COMPLETED)
                        for future in finished:
                            i = running.pop(future)
                            sink(future.result())
                            todo.remove(i)
                except BrokenProcessPool:
                    self.close()  # the next round starts a fresh pool
                    # Charge the batches that were running; none (a worker died before it began
                    # one, as when the setup cannot load) charges them all, so the loop always ends.
                    running_ones = [i for i in todo if (Path(markers) / str(i)).exists()] or list(todo)
                    for i in running_ones:
                        (Path(markers) / str(i)).unlink(missing_ok=True)
                        attempts[i] += 1
                        if attempts[i] > self.max_retries:
                            todo.remove(i)
                            suspects.append(i)
                except BaseException:
                    self.close()  # Ctrl-C or a failing sink: no worker outlives the sweep
                    raise
        for i in suspects:
            for task in pending[i]:
                sink([self._alone(setup, task, objective, attempts[i])])

    def _alone(self, setup: WorkerSetup, task: Task, objective: str, attempts: int) -> dict[str, Any]:
        """One suspect trial in a fresh single-worker pool; a failed row if it still kills it."""
        pool = self._pool(setup, 1)
        try:
            return pool.submit(_batch, [task], objective, None).result()[0]
        except BrokenProcessPool:
            return failed_row(task, f"worker lost ({attempts + 1} attempts)")
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers (the sweep calls this when it ends)."""
        if self._kept is not None:
            self._kept[1].shutdown(wait=False, cancel_futures=True)
            self._kept = None
