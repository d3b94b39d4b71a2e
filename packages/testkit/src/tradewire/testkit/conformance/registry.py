"""The scenario registry: `@scenario("CF-ORD-001", ...)` records an ID, its area, capabilities and market."""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tradewire.testkit.conformance.market import DEFAULT, Market

__all__ = ["AREAS", "DEFAULT_TIMEOUT", "SCENARIOS", "Scenario", "all_scenarios", "scenario"]

#: Area → ID prefix; one module per area under `scenarios/`.
AREAS: dict[str, str] = {
    "orders": "ORD",
    "lifecycle": "LIF",
    "positions": "POS",
    "account": "ACC",
    "stream": "STR",
    "market_data": "MKT",
    "auth": "AUT",
    "bad_input": "BAD",
    "precision": "PRC",
}
_ID = re.compile(r"CF-([A-Z]{3})-([0-9]{3})")
#: Seconds one scenario may take on one target, connection included, unless it says otherwise.
DEFAULT_TIMEOUT = 60.0

ScenarioFn = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """One executable statement of the spec.

    Attributes:
        id: `CF-<AREA>-<NNN>`, stable forever (reports and golden files use it).
        area: One of AREAS.
        fn: `async def fn(session)`; raises AssertionError when the target does not conform.
        requires: Capabilities the target must have; otherwise the scenario is skipped naming them.
        market: Scripted market (used by targets with `market_control`; others bring their own).
        server: Gateway settings the scenario needs (e.g. `{"ack_timeout": 0.5}`); applied by targets
            with `server_control`, so such a scenario should require it.
        golden: On targets with `deterministic`, compare the normalized event trace (the whole run)
            with `golden/<id>.jsonl`; other targets run the scenario without the comparison.
        timeout: Seconds the scenario may take on one target, connection included.
    """

    id: str
    area: str
    fn: ScenarioFn
    requires: frozenset[str]
    market: Market | None
    golden: bool
    server: dict[str, Any] | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def name(self) -> str:
        """The function name."""
        return self.fn.__name__

    @property
    def doc(self) -> str:
        """First line of the docstring: what the scenario proves."""
        return (self.fn.__doc__ or "").strip().splitlines()[0]

    def missing(self, capabilities: Iterable[str]) -> list[str]:
        """Required capabilities the target lacks, sorted."""
        have = set(capabilities)
        return sorted(c for c in self.requires if c not in have)


SCENARIOS: dict[str, Scenario] = {}


def scenario(
    id: str,
    *,
    requires: Iterable[str] = (),
    market: Market | None = DEFAULT,
    golden: bool = False,
    server: dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Callable[[ScenarioFn], ScenarioFn]:
    """Register an async scenario function under `id`."""
    match = _ID.fullmatch(id)
    if match is None:
        raise ValueError(f"scenario id {id!r} is not CF-XXX-NNN")
    area = next((a for a, p in AREAS.items() if p == match.group(1)), None)
    if area is None:
        raise ValueError(f"scenario id {id!r}: unknown area prefix {match.group(1)}")
    needs = frozenset(requires)

    def register(fn: ScenarioFn) -> ScenarioFn:
        if id in SCENARIOS and SCENARIOS[id].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"duplicate scenario id {id}")
        if not (fn.__doc__ or "").strip():
            raise ValueError(f"scenario {id} needs a docstring saying what it proves")
        SCENARIOS[id] = Scenario(id, area, fn, needs, market, golden, server, timeout)
        return fn

    return register


def all_scenarios() -> list[Scenario]:
    """Every scenario, by ID (imports each area module once)."""
    for area in AREAS:
        importlib.import_module(f"tradewire.testkit.conformance.scenarios.{area}")
    return [SCENARIOS[k] for k in sorted(SCENARIOS)]
