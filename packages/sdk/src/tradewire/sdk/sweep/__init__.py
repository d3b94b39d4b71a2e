"""Parameter sweeps and walk-forward: `Sweep(MyStrategy, data=..., params=...).run(executor="local")`."""

from tradewire.sdk.sweep.executor import Executor, parse_executor
from tradewire.sdk.sweep.local import LocalExecutor
from tradewire.sdk.sweep.result import SweepResult
from tradewire.sdk.sweep.space import Parameter
from tradewire.sdk.sweep.statistics import SweepStatistics
from tradewire.sdk.sweep.sweep import Progress, Sweep
from tradewire.sdk.sweep.trials import Trial
from tradewire.sdk.sweep.walkforward import OutOfSample, WalkForward, WindowOutcome

__all__ = [
    "Executor",
    "LocalExecutor",
    "OutOfSample",
    "Parameter",
    "Progress",
    "Sweep",
    "SweepResult",
    "SweepStatistics",
    "Trial",
    "WalkForward",
    "WindowOutcome",
    "parse_executor",
]
