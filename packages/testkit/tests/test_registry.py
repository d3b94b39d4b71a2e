"""The scenario registry: IDs, areas, docstrings, capability skips, and golden files in step with the scenarios."""

from __future__ import annotations

import pytest

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.golden import GOLDEN_DIR
from tradewire.testkit.conformance.registry import AREAS, all_scenarios, scenario
from tradewire.testkit.conformance.runner import skip_reason
from tradewire.testkit.conformance.targets import resolve


def test_every_area_has_scenarios_with_ids_and_docstrings() -> None:
    scenarios = all_scenarios()
    assert {s.area for s in scenarios} == set(AREAS)
    for s in scenarios:
        assert s.id.startswith(f"CF-{AREAS[s.area]}-"), s.id
        assert s.doc and s.doc.endswith("."), f"{s.id}: docstring must say what it proves"
    assert len({s.id for s in scenarios}) == len(scenarios)


def test_golden_files_match_golden_scenarios() -> None:
    golden = {s.id for s in all_scenarios() if s.golden}
    files = {p.stem for p in GOLDEN_DIR.glob("*.jsonl")}
    assert files == golden, f"missing: {golden - files}, orphaned: {files - golden}"


def test_skip_reason_names_the_missing_capability() -> None:
    sc = next(s for s in all_scenarios() if s.id == "CF-STR-003")
    reason = skip_reason(sc, frozenset({cap.PACING}))
    assert reason is not None and reason.startswith("needs wire (")
    assert skip_reason(sc, frozenset({cap.PACING, cap.WIRE})) is None


def test_features_a_venue_does_not_report_skip_the_scenarios_naming_them() -> None:
    from tradewire.protocol.messages import Capabilities, OrderType

    by_id = {s.id: s for s in all_scenarios()}
    # An Alpaca-like venue: limits, IOC and DAY, but no post_only and no oco_group_id.
    venue = Capabilities(
        supported_order_types=[OrderType.MARKET, OrderType.LIMIT],
        features=["stock:ioc", "IOC", "time_in_force_day", "bracket_orders"],
    )
    caps = frozenset(cap.from_venue(venue) | {cap.WIRE, cap.LIVE})
    assert {cap.IOC, cap.DAY, cap.BRACKETS} <= caps and not {cap.POST_ONLY, cap.OCO, cap.FOK} & caps
    reason = skip_reason(by_id["CF-LIF-005"], caps)
    assert reason is not None and reason.startswith("needs post_only (")
    assert skip_reason(by_id["CF-LIF-006"], caps) is None  # IOC is reported
    assert skip_reason(by_id["CF-ORD-018"], caps) is None  # DAY is reported


def test_bad_ids_and_missing_docstrings_are_refused() -> None:
    with pytest.raises(ValueError, match="CF-XXX-NNN"):
        scenario("ORD-1")
    with pytest.raises(ValueError, match="unknown area"):
        scenario("CF-ZZZ-001")

    async def undocumented(s: object) -> None:
        pass

    with pytest.raises(ValueError, match="docstring"):
        scenario("CF-ORD-999")(undocumented)


def test_unknown_target_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="engine, gateway-backtest, gateway-mock, gateway-alpaca-fake"):
        resolve("gateway-nonesuch")
