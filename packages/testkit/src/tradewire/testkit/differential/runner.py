"""Run the same strategy class, parameters and data in-process and over the wire; compare the two runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tradewire.sdk import Strategy, backtest, run
from tradewire.testkit.differential.compare import Divergence, first_difference, first_divergence
from tradewire.testkit.differential.data import DataSet
from tradewire.testkit.differential.gateway import backtest_gateway
from tradewire.testkit.differential.invariants import unmarked
from tradewire.testkit.differential.outcome import Outcome
from tradewire.testkit.differential.recorder import record

__all__ = ["check", "divergence", "run_inprocess", "run_wire"]

#: What a test may add to the comparison: a value read from each finished strategy instance.
Extra = Callable[[Strategy], Any]


def run_inprocess(strategy: Strategy, data: DataSet) -> Outcome:
    """Record `strategy` through `tradewire.sdk.backtest` on `data`."""
    recording = record(strategy)
    outcome = Outcome("in-process", strategy, recording)
    # the engine settings go in as `backtest` overrides, as the gateway's `options` do
    overrides: dict[str, Any] = dict(data.options)
    with data.files() as files:
        try:
            if files:
                outcome.result = backtest(strategy, files[0], **overrides)
            else:
                outcome.result = backtest(strategy, sample=True, **overrides)
        except Exception as e:  # the run's end is part of what is compared
            outcome.error = e
    return outcome


def run_wire(strategy: Strategy, data: DataSet) -> Outcome:
    """Record `strategy` through `tradewire.sdk.run` against a fresh backtest gateway on `data`."""
    recording = record(strategy)
    outcome = Outcome("wire", strategy, recording)
    with data.files() as files, backtest_gateway(files, data.options, strategy.symbols) as gateway:
        outcome.run_id = gateway.gateway.run_id
        try:
            outcome.result = run(strategy, platform="backtest", gateway=gateway.url, api_key=gateway.api_key)
        except Exception as e:
            outcome.error = e
    return outcome


def divergence(left: Outcome, right: Outcome, extra: Extra | None = None) -> Divergence | None:
    """The first difference: in the snapshots (time order), then the final results, then `extra`; ids
    are compared without the gateway's run id (`Outcome.comparable`)."""
    found = first_divergence(left.snapshots(), right.snapshots())
    if found is not None:
        return found
    diff = first_difference(left.final(), right.final())
    if diff is not None:
        return Divergence("the final result", *diff)
    if extra is not None:
        diff = first_difference(
            left.comparable(extra(left.strategy)), right.comparable(extra(right.strategy))
        )
        if diff is not None:
            return Divergence("the strategy's own record (extra)", *diff)
    return None


def check(
    strategy_class: type[Strategy], data: DataSet | None = None, *, extra: Extra | None = None, **params: Any
) -> tuple[Outcome, Outcome]:
    """Run `strategy_class(**params)` both ways on `data` (default: the sample).

    AssertionError naming the first differing instant, field and both values unless fills, every
    snapshot and the results match; then, unless each run's state was marked to market throughout.
    """
    data = data or DataSet.sample()
    local = run_inprocess(strategy_class(**params), data)
    remote = run_wire(strategy_class(**params), data)
    name = f"{strategy_class.__name__} on {data.label}"
    ended = "".join(
        f"\n{o.transport} run ended with {type(o.error).__name__}: {o.error}"
        for o in (local, remote)
        if o.error
    )
    found = divergence(local, remote, extra)
    if found is not None:
        raise AssertionError(f"{name}: {found.message(local.transport, remote.transport)}{ended}")
    for outcome in (local, remote):
        found = unmarked(outcome.recording.snapshots)
        if found is not None:
            raise AssertionError(
                f"{name}: the {outcome.transport} run's state is not marked to market: "
                f"{found.message('seen', 'expected')}"
            )
    return local, remote
