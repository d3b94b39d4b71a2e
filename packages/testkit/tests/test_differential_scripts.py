"""Scripted strategies see and do the same in-process and over the wire: a fixed script in every read
style and handler set, then hypothesis-generated ones (`TRADEWIRE_DIFFERENTIAL_EXAMPLES` sets how many)."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from differential_scripts import EVERY_ACTION
from hypothesis import HealthCheck, Phase, given, settings

from tradewire.testkit.differential import DataSet
from tradewire.testkit.differential.generate import scenarios
from tradewire.testkit.differential.scenario import Scenario
from tradewire.testkit.differential.scripted import STYLES, journal_of

#: `nox -s differential` raises this; CI runs the bounded default, reproducibly.
EXAMPLES = int(os.environ.get("TRADEWIRE_DIFFERENTIAL_EXAMPLES", "8"))
LONG = "TRADEWIRE_DIFFERENTIAL_EXAMPLES" in os.environ


@pytest.mark.parametrize("events", [False, True], ids=["candles-only", "all-handlers"])
@pytest.mark.parametrize("symbols", [("AAPL",), ("AAPL", "BTC/USD")], ids=["1-symbol", "2-symbols"])
@pytest.mark.parametrize("style", STYLES)
def test_every_action_in_every_read_style(style: str, symbols: tuple[str, ...], events: bool) -> None:
    # one symbol and only on_candle is the in-process fast path; the rest go event by event
    prices = [100.0, 2_000.0][: len(symbols)]
    data = DataSet.synthetic(symbols, 120, seed=7, prices=prices)
    opening = {s: Decimal(str(p)) for s, p in zip(symbols, prices, strict=True)}
    local, _ = Scenario(data, symbols, style, events, EVERY_ACTION, opening).check()
    assert local.result is not None and local.result.trades, "the script must trade to prove anything"
    done = {entry[1] for entry in journal_of(local.strategy) if isinstance(entry[0], int)}
    assert {"placed", "cancelled", "modified", "closed"} <= done


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG,
    # each example is a gateway run: CI reports the failing example as generated; the long run shrinks it
    phases=list(Phase) if LONG else [Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_generated_strategies_are_the_same_both_ways(scenario: Scenario) -> None:
    scenario.check()
