"""The suite catches a wrong venue: a venue that fills buy limits through their price fails, naming scenario and event."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tradewire.testkit.conformance.registry import all_scenarios
from tradewire.testkit.conformance.runner import run_scenario

pytest.importorskip("tradewire.engine", reason="the broken venue is a BacktestVenue subclass")

from broken_venue import target

HERE = Path(__file__).parent


def _run(scenario_id: str) -> object:
    sc = {s.id: s for s in all_scenarios()}[scenario_id]
    t = target()
    caps = asyncio.run(t.capabilities())
    return asyncio.run(run_scenario(sc, t, caps))


def test_limit_fill_through_price_names_scenario_and_event() -> None:
    outcome = _run("CF-ORD-004")
    assert outcome.result == "failed"  # type: ignore[attr-defined]
    reason = outcome.reason  # type: ignore[attr-defined]
    assert reason.startswith("CF-ORD-004 (limit_below_market_never_fills) on engine:"), reason
    assert "order ORDER_FILLED ord-000001 BUY LIMIT qty=10 filled=10 limit=99.00 avg=" in reason, reason


def test_golden_trace_catches_the_wrong_fill() -> None:
    outcome = _run("CF-ORD-003")
    assert outcome.result == "failed"  # type: ignore[attr-defined]
    assert outcome.reason.startswith("CF-ORD-003 (limit_buy_fills_at_limit) on engine: wrong fill price: ")  # type: ignore[attr-defined]
    assert "order ORDER_FILLED ord-000001 BUY LIMIT qty=10 filled=10 limit=99.50 avg=100.00" in outcome.reason  # type: ignore[attr-defined]


def test_the_suite_fails_through_pytest(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(HERE)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--pyargs",
        "tradewire.testkit.conformance",
        "--target-factory",
        "broken_venue:target",
        "-k",
        "CF-ORD-003 or CF-ORD-004 or CF-ORD-001",
    )
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*ScenarioFailed: CF-ORD-004 (limit_below_market_never_fills) on engine: unexpected fill of the buy limit*"
            "order ORDER_FILLED ord-000001 BUY LIMIT qty=10 filled=10 limit=99.00 avg=*",
        ]
    )
    result.stdout.fnmatch_lines(["*FAILED*test_scenario?CF-ORD-003?*"])


def test_the_real_engine_passes_the_same_scenarios() -> None:
    from tradewire.testkit.conformance.targets.engine import EngineTarget

    t = EngineTarget()
    caps = asyncio.run(t.capabilities())
    for sc in all_scenarios():
        if sc.id in ("CF-ORD-003", "CF-ORD-004"):
            outcome = asyncio.run(run_scenario(sc, t, caps))
            assert outcome.result == "passed", outcome.reason


def test_a_scenario_is_bounded_by_its_own_timeout() -> None:
    import dataclasses

    from tradewire.testkit.conformance.targets.engine import EngineTarget

    async def waits_too_long(s: object) -> None:
        """Never finishes in time."""
        await asyncio.sleep(30)

    base = {s.id: s for s in all_scenarios()}["CF-ORD-003"]
    sc = dataclasses.replace(base, fn=waits_too_long, timeout=0.5)
    t = EngineTarget()
    outcome = asyncio.run(run_scenario(sc, t, asyncio.run(t.capabilities())))
    assert outcome.result == "failed" and outcome.reason.endswith("timed out after 0.5s")
    assert outcome.seconds < 10
