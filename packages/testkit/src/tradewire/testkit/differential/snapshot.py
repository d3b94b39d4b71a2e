"""A canonical snapshot of what a strategy sees at one instant: time, cash, equity, positions, orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradewire.protocol import codec
from tradewire.sdk import Candle, Strategy, Tick

__all__ = ["Snapshot", "describe_event", "state_of"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One observation: the strategy's view just before or just after one of its handlers ran.

    Attributes:
        index: Position in the recording (0 = the first observation).
        time: Simulated time the strategy reads (`strategy.now`), RFC 3339.
        handler: The handler's name (`on_candle`, `rebalance`, ...).
        phase: "before" or "after" the handler.
        event: The handler's argument as its wire JSON object (None for on_start / on_stop).
        state: cash, equity, account, positions, signed position per symbol, open orders.
    """

    index: int
    time: str
    handler: str
    phase: str
    event: Any
    state: dict[str, Any]

    def fields(self) -> dict[str, Any]:
        """Everything compared, in the order a difference is looked for."""
        return {
            "time": self.time,
            "handler": self.handler,
            "phase": self.phase,
            "event": self.event,
            **self.state,
        }

    def where(self) -> str:
        """The instant in words: time, record number, handler, phase and what it was handling."""
        subject = _subject(self.event)
        return f"{self.time} (record {self.index}: {self.handler} {subject}, {self.phase} the handler)"


def _subject(event: Any) -> str:
    if not isinstance(event, dict):
        return "-"
    kind = event.get("kind", "")
    for key in ("bar", "quote", "order", "trade", "position", "account"):
        inner = event.get(key)
        if isinstance(inner, dict):
            label = inner.get("symbol") or inner.get("id") or ""
            return f"{key} {label} {event.get('event', '')}".strip()
    return str(kind or "-")


def describe_event(arg: Any) -> Any:
    """A handler's argument as its wire JSON object (candles and ticks by their exact protocol message)."""
    if arg is None:
        return None
    if isinstance(arg, Candle):
        return {"kind": "candle", "bar": codec.to_dict(arg.exact)}
    if isinstance(arg, Tick):
        return {"kind": "quote", "quote": codec.to_dict(arg.exact)}
    try:
        return {"kind": type(arg).__name__, **codec.to_dict(arg)}
    except (TypeError, AttributeError):
        return {"kind": type(arg).__name__, "repr": repr(arg)}


def state_of(strategy: Strategy) -> dict[str, Any]:
    """What the strategy can read right now, through its public API, as exact text."""
    account = strategy.account
    positions = strategy.positions
    symbols = sorted({*strategy.symbols, *positions})
    return {
        "cash": str(strategy.cash),
        "equity": str(strategy.equity),
        "account": None if account is None else codec.to_dict(account),
        "positions": {s: codec.to_dict(positions[s]) for s in sorted(positions)},
        "position": {s: str(strategy.position(s)) for s in symbols},
        "open_orders": {oid: codec.to_dict(o) for oid, o in sorted(strategy.open_orders.items())},
    }
