"""Every registered scenario as one pytest test (id = scenario ID), on the target chosen with `--target`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tradewire.testkit.conformance.registry import Scenario, all_scenarios
from tradewire.testkit.conformance.runner import ScenarioFailed, run_scenario


@pytest.mark.parametrize("sc", all_scenarios(), ids=lambda s: s.id)
def test_scenario(sc: Scenario, conformance_target: Any, request: pytest.FixtureRequest) -> None:
    target, capabilities = conformance_target
    outcome = asyncio.run(
        run_scenario(sc, target, capabilities, update_golden=request.config.getoption("--update-golden"))
    )
    if outcome.result == "skipped":
        pytest.skip(f"{sc.id}: {outcome.reason}")
    if outcome.result == "failed":
        raise ScenarioFailed(outcome.reason) from outcome.error
