"""The `ray[:ADDRESS]` executor: Ray core tasks (not Tune), the prepared data put in the object store once."""

# `tradewire-sdk[ray]`; ray is imported only when this executor runs. Each task carries a batch of
# trials and a reference to the setup; a worker process resolves the reference once and keeps the
# setup for every later batch (numpy columns are read zero-copy from the object store). A task whose
# worker or node dies is retried by Ray (`max_retries`).

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.sweep.executor import RowsSink, batches
from tradewire.sdk.sweep.worker import Task, WorkerSetup, run_batch

__all__ = ["RayExecutor"]

_CACHE: dict[str, WorkerSetup] = {}


def _ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise ConfigurationError(
            f"--executor ray needs Ray: pip install 'tradewire-sdk[ray]' ({e})"
        ) from None
    return ray


def _batch(boxed: list[Any], tasks: list[Task], objective: str) -> list[dict[str, Any]]:
    ray = _ray()
    ref = boxed[0]  # boxed in a list, so Ray passes the reference instead of resolving it per task
    key = ref.hex()
    setup = _CACHE.get(key)
    if setup is None:
        _CACHE.clear()
        setup = _CACHE[key] = ray.get(ref)
    return run_batch(setup, tasks, objective)


class RayExecutor:
    """Trials as Ray tasks, on a cluster (`address`, "auto") or a local Ray started here.

    Args:
        address: The cluster to join; None starts Ray on this machine (`num_cpus` cores).
        batch_size: Trials per task (default: about four per worker).
        max_retries: Ray's retries of a task whose worker or node died.
        num_cpus: Cores of a Ray started here (default: all).
    """

    local_files = False

    def __init__(
        self,
        address: str | None = None,
        *,
        batch_size: int | None = None,
        max_retries: int = 3,
        num_cpus: int | None = None,
    ) -> None:
        self.address = address
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.num_cpus = num_cpus
        self._started = False
        self.workers = 0

    def _connect(self) -> Any:
        ray = _ray()
        if not ray.is_initialized():
            if self.address is None:
                ray.init(num_cpus=self.num_cpus, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.address, log_to_driver=False)
            self._started = True
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        return ray

    def run(self, setup: WorkerSetup, tasks: Sequence[Task], objective: str, sink: RowsSink) -> None:
        ray = self._connect()
        ref = ray.put(setup)
        remote = ray.remote(num_cpus=1, max_retries=self.max_retries)(_batch)
        waiting = [remote.remote([ref], b, objective) for b in batches(tasks, self.workers, self.batch_size)]
        try:
            while waiting:
                done, waiting = ray.wait(waiting, num_returns=1)
                sink(ray.get(done[0]))
        except KeyboardInterrupt:
            for ref_ in waiting:
                ray.cancel(ref_, force=True)
            raise

    def close(self) -> None:
        """Shut down a Ray this executor started (a joined cluster keeps running)."""
        if self._started:
            _ray().shutdown()
            self._started = False
