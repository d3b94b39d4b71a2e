"""Walk-forward: parameters chosen in each window's in-sample span, scored on its out-of-sample span."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.sweep.statistics import SweepStatistics

__all__ = ["OutOfSample", "WalkForward", "WindowOutcome", "best_row", "out_of_sample", "parse_walk_forward"]


@dataclass(frozen=True, slots=True)
class WalkForward:
    """In-sample span `train`, out-of-sample span `test`, moved on by `step` (default `test`);
    `anchored` keeps every in-sample span starting at the beginning of the data."""

    train: str
    test: str
    step: str | None = None
    anchored: bool = False

    def spec(self) -> str:
        text = f"train={self.train},test={self.test}"
        text += f",step={self.step}" if self.step else ""
        return text + (",anchored" if self.anchored else "")


def parse_walk_forward(text: str) -> WalkForward:
    """`"train=2y,test=6m,step=6m"`, with `,anchored` for anchored windows.

    Raises:
        ConfigurationError: a missing train or test span, or an unknown key.
    """
    values: dict[str, str] = {}
    anchored = False
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if key == "anchored" and not sep:
            anchored = True
        elif key in ("train", "test", "step") and sep and value:
            values[key] = value.strip()
        else:
            raise ConfigurationError(f"--walk-forward takes train=,test=[,step=][,anchored], not {part!r}")
    if "train" not in values or "test" not in values:
        raise ConfigurationError("--walk-forward needs train= and test= spans (train=2y,test=6m)")
    return WalkForward(values["train"], values["test"], values.get("step"), anchored)


def best_row(rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The finished row with the highest objective; the lowest trial id among equals."""
    best: Mapping[str, Any] | None = None
    for row in rows:
        value = row["objective"]
        if row["status"] != "ok" or value is None or math.isnan(value):
            continue
        if (
            best is None
            or value > best["objective"]
            or (value == best["objective"] and row["trial_id"] < best["trial_id"])
        ):
            best = row
    return best


@dataclass(frozen=True, slots=True)
class WindowOutcome:
    """One window: its spans (ns), the trial chosen in-sample, its in- and out-of-sample objective,
    and the deflated Sharpe ratio and PBO of that choice among the window's in-sample trials."""

    index: int
    train_start: int
    train_end: int
    test_start: int
    test_end: int
    trial_id: int | None
    params: Mapping[str, Any] | None
    in_sample: float | None
    out_of_sample: float | None
    test_returns: Sequence[float]
    test_days: Sequence[int]
    statistics: SweepStatistics


@dataclass(frozen=True, slots=True)
class OutOfSample:
    """Every window's out-of-sample span, stitched: the only returns no parameter was chosen on.

    Attributes:
        windows: Windows with an out-of-sample result.
        days: Out-of-sample daily returns, all windows together.
        total_return: Their compounded return.
        sharpe: Their daily Sharpe ratio (not annualised; None with fewer than two days).
        positive: Windows whose out-of-sample objective is above zero.
        efficiency: Mean out-of-sample objective over mean in-sample objective (walk-forward
            efficiency); None when the in-sample mean is not above zero.
    """

    windows: int
    days: int
    total_return: float
    sharpe: float | None
    positive: int
    efficiency: float | None


def out_of_sample(windows: Sequence[WindowOutcome]) -> OutOfSample:
    """The stitched out-of-sample record of `windows`."""
    from tradewire.sdk.transports.inprocess import sweep_support

    scored = [w for w in windows if w.out_of_sample is not None and w.in_sample is not None]
    returns = [r for w in windows for r in w.test_returns]
    growth = 1.0
    for r in returns:
        growth *= 1.0 + r
    sharpe = sweep_support.return_moments(np.asarray(returns))[0] if len(returns) >= 2 else None
    ins = sum(w.in_sample or 0.0 for w in scored) / len(scored) if scored else 0.0
    outs = sum(w.out_of_sample or 0.0 for w in scored) / len(scored) if scored else 0.0
    return OutOfSample(
        len(scored),
        len(returns),
        growth - 1.0,
        None if sharpe is None or math.isnan(sharpe) else float(sharpe),
        sum(1 for w in scored if (w.out_of_sample or 0.0) > 0),
        outs / ins if ins > 0 else None,
    )
