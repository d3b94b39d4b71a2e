"""Run one scenario on one target: capability check, fresh connection, timeout, golden comparison."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance import golden, invariants
from tradewire.testkit.conformance.registry import Scenario
from tradewire.testkit.conformance.session import ScenarioSkip, Session
from tradewire.testkit.conformance.targets.base import Target

__all__ = ["Outcome", "ScenarioFailed", "run_scenario"]


class ScenarioFailed(AssertionError):
    """A target did not conform: the message names the scenario, the target and what went wrong."""


@dataclass(frozen=True)
class Outcome:
    """Result of one scenario on one target: "passed", "skipped" or "failed", with the reason."""

    scenario: str
    target: str
    result: str
    reason: str = ""
    seconds: float = 0.0
    error: BaseException | None = None


def skip_reason(sc: Scenario, capabilities: frozenset[str]) -> str | None:
    """Why `sc` cannot run on a target with `capabilities` (None when it can)."""
    missing = sc.missing(capabilities)
    if not missing:
        return None
    return "needs " + ", ".join(f"{m} ({cap.DESCRIPTIONS.get(m, m)})" for m in missing)


async def run_scenario(
    sc: Scenario,
    target: Target,
    capabilities: frozenset[str],
    *,
    update_golden: bool = False,
    golden_dir: Path | None = None,
) -> Outcome:
    """Run `sc` on `target`; AssertionErrors become a failed Outcome naming the scenario."""
    reason = skip_reason(sc, capabilities)
    if reason is not None:
        return Outcome(sc.id, target.name, "skipped", reason)
    t0 = time.monotonic()
    market = sc.market if cap.MARKET_CONTROL in capabilities else None
    try:
        async with asyncio.timeout(sc.timeout):
            async with target.connect(market, sc.server) as conn:
                session = Session(target.name, capabilities, conn, market)
                try:
                    await sc.fn(session)
                    invariants.check(session.trace)
                    if sc.golden and cap.DETERMINISTIC in capabilities:
                        if cap.PACING in capabilities:
                            await session.run_to_end()
                        golden.compare(sc.id, session.trace, update=update_golden, directory=golden_dir)
                finally:
                    await session.close()
    except ScenarioSkip as e:
        return Outcome(sc.id, target.name, "skipped", str(e), time.monotonic() - t0)
    except AssertionError as e:
        return Outcome(
            sc.id,
            target.name,
            "failed",
            f"{sc.id} ({sc.name}) on {target.name}: {e}",
            time.monotonic() - t0,
            e,
        )
    except TimeoutError:
        return Outcome(
            sc.id,
            target.name,
            "failed",
            f"{sc.id} ({sc.name}) on {target.name}: timed out after {sc.timeout:g}s",
            time.monotonic() - t0,
        )
    except Exception as e:
        return Outcome(
            sc.id,
            target.name,
            "failed",
            f"{sc.id} ({sc.name}) on {target.name}: {type(e).__name__}: {e}",
            time.monotonic() - t0,
            e,
        )
    return Outcome(sc.id, target.name, "passed", "", time.monotonic() - t0)
