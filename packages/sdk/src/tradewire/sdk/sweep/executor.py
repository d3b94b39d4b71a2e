"""One executor interface (local processes or Ray tasks) and the `--executor` spelling that picks one."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.sweep.worker import Task, WorkerSetup

__all__ = ["Executor", "RowsSink", "batches", "parse_executor"]

RowsSink = Callable[[list[dict[str, Any]]], None]


class Executor(Protocol):
    """Runs tasks on workers that each keep the setup, and hands back each batch's rows as it finishes.

    Rows may arrive in any order; the caller keys and sorts them by trial id, so the outcome does not
    depend on the executor or the number of workers.
    """

    workers: int
    #: True when workers can map this machine's files (the prepared data is shipped as paths).
    local_files: bool

    def run(self, setup: WorkerSetup, tasks: Sequence[Task], objective: str, sink: RowsSink) -> None: ...

    def close(self) -> None: ...


def batches(tasks: Sequence[Task], workers: int, batch_size: int | None) -> list[list[Task]]:
    """`tasks` cut into batches: `batch_size`, or about four per worker (at most 64 tasks each), so
    that short trials share the dispatch cost and long ones still balance across workers."""
    size = batch_size or max(1, min(64, math.ceil(len(tasks) / (4 * max(workers, 1)))))
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def parse_executor(text: str, batch_size: int | None = None) -> Executor:
    """`local`, `local:N`, `ray` or `ray:ADDRESS` (`ray:auto` joins the cluster this machine is in).

    Raises:
        ConfigurationError: another spelling, or ray without `tradewire-sdk[ray]`.
    """
    kind, sep, arg = text.strip().partition(":")
    if kind == "local":
        if sep and not (arg.isdigit() and int(arg) > 0):
            raise ConfigurationError(f"--executor local:N needs a positive worker count, not {text!r}")
        from tradewire.sdk.sweep.local import LocalExecutor

        return LocalExecutor(int(arg) if sep else None, batch_size=batch_size)
    if kind == "ray":
        from tradewire.sdk.sweep.ray_executor import RayExecutor

        return RayExecutor(arg or None, batch_size=batch_size)
    raise ConfigurationError(f"--executor is local[:N] or ray[:ADDRESS], not {text!r}")
