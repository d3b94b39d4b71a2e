"""Differential testing: a strategy in-process and over the wire must see and do the same at every instant."""

from tradewire.testkit.differential.compare import Divergence, first_difference, first_divergence
from tradewire.testkit.differential.data import DataSet
from tradewire.testkit.differential.gateway import backtest_gateway
from tradewire.testkit.differential.ids import without_run
from tradewire.testkit.differential.outcome import Outcome
from tradewire.testkit.differential.recorder import Recording, record
from tradewire.testkit.differential.runner import check, divergence, run_inprocess, run_wire
from tradewire.testkit.differential.snapshot import Snapshot

__all__ = [
    "DataSet",
    "Divergence",
    "Outcome",
    "Recording",
    "Snapshot",
    "backtest_gateway",
    "check",
    "divergence",
    "first_difference",
    "first_divergence",
    "record",
    "run_inprocess",
    "run_wire",
    "without_run",
]
