"""A generated test case: market data, a scripted strategy (read style, handlers, script) and its check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tradewire.testkit.differential.data import DataSet
from tradewire.testkit.differential.outcome import Outcome
from tradewire.testkit.differential.runner import check
from tradewire.testkit.differential.scripted import Script, journal_of, strategy_class

__all__ = ["Scenario"]


@dataclass(frozen=True)
class Scenario:
    """One scripted strategy on one data set.

    Attributes:
        data: What both runs replay.
        symbols: The strategy's symbols (all of `data`'s).
        style: How it reads the state its sizes depend on (see `scripted.STYLES`).
        events: Whether it also has order/trade/position/account handlers.
        script: What it does, candle by candle (step 0: in on_start).
        opening: Reference prices for orders placed in on_start.
    """

    data: DataSet
    symbols: tuple[str, ...]
    style: str
    events: bool
    script: Script
    opening: Mapping[str, Decimal] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """The strategy's constructor keywords."""
        return {"symbols": self.symbols, "script": self.script, "opening": dict(self.opening)}

    def check(self) -> tuple[Outcome, Outcome]:
        """Run it both ways; AssertionError naming the first difference (journal included)."""
        return check(strategy_class(self.style, self.events), self.data, extra=journal_of, **self.params())
