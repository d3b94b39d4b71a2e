"""What one run of a strategy left behind: its recording, its result or its error, and the instance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradewire.protocol import codec
from tradewire.sdk import RunResult, Strategy
from tradewire.testkit.differential.recorder import Recording

__all__ = ["Outcome"]


@dataclass
class Outcome:
    """One run: `transport` is "in-process" or "wire"; exactly one of `result` and `error` is set."""

    transport: str
    strategy: Strategy
    recording: Recording
    result: RunResult | None = None
    error: BaseException | None = None

    def final(self) -> dict[str, Any]:
        """The final results compared: error (its type), fills, account, equity, orders placed."""
        r = self.result
        return {
            "error": None if self.error is None else type(self.error).__name__,
            "fills": [] if r is None else r.trade_dicts(),
            "account": None if r is None or r.account is None else codec.to_dict(r.account),
            "final_equity": None if r is None else str(r.final_equity),
            "orders": None if r is None else r.orders,
        }
