"""What one run of a strategy left behind: its recording, its result or its error, and the instance."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tradewire.protocol import codec
from tradewire.sdk import RunResult, Strategy
from tradewire.testkit.differential.ids import without_run
from tradewire.testkit.differential.recorder import Recording
from tradewire.testkit.differential.snapshot import Snapshot

__all__ = ["Outcome"]


@dataclass
class Outcome:
    """One run: `transport` is "in-process" or "wire"; exactly one of `result` and `error` is set.

    `run_id` is the gateway's run (a wire run): it is taken out of the run's ids when they are compared.
    """

    transport: str
    strategy: Strategy
    recording: Recording
    result: RunResult | None = None
    error: BaseException | None = None
    run_id: str | None = None

    def comparable(self, value: Any) -> Any:
        """`value` (read from this run) with the gateway's run id taken out of its ids."""
        return without_run(value, self.run_id)

    def snapshots(self) -> list[Snapshot]:
        """The recording's snapshots as compared (the run id taken out of their ids)."""
        if not self.run_id:
            return self.recording.snapshots
        return [
            replace(s, event=self.comparable(s.event), state=self.comparable(s.state))
            for s in self.recording.snapshots
        ]

    def final(self) -> dict[str, Any]:
        """The final results compared: error (its type), fills, account, equity, orders placed."""
        r = self.result
        final = {
            "error": None if self.error is None else type(self.error).__name__,
            "fills": [] if r is None else r.trade_dicts(),
            "account": None if r is None or r.account is None else codec.to_dict(r.account),
            "final_equity": None if r is None else str(r.final_equity),
            "orders": None if r is None else r.orders,
        }
        comparable: dict[str, Any] = self.comparable(final)
        return comparable
