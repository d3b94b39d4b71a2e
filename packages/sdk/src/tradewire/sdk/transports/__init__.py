"""Transports: how a Strategy reaches a venue — in-process (`inprocess`) or over the wire (`wire`)."""

from __future__ import annotations

from typing import Any, Protocol

from tradewire.protocol import messages as m

__all__ = ["ClientOrderIds", "Transport"]


class ClientOrderIds:
    """Client order ids in UUID4 form; seeded (reproducible) for backtests, random for live runs."""

    def __init__(self, seed: int | None = None) -> None:
        import random
        import uuid

        self._bits = random.Random(seed).getrandbits if seed is not None else None
        self._uuid4 = uuid.uuid4

    def __call__(self) -> str:
        """The next id."""
        if self._bits is None:
            return str(self._uuid4())
        # version 4 and RFC 4122 variant bits, as uuid.UUID(int=..., version=4) sets them (faster)
        n = (self._bits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48)
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


#: Seed of the client order ids of a backtest (any fixed value: both transports use the same one).
BACKTEST_ID_SEED = 7


class Transport(Protocol):
    """The synchronous commands a running Strategy can send; both transports implement it."""

    platform: str

    def interrupt(self) -> None:
        """Stop the run at the current instant (Ctrl-C): the next delivery raises `Interrupted`
        instead of reaching a handler. Safe to call from a signal handler."""
        ...

    def submit(self, request: m.SubmitOrderRequest | None, fields: dict[str, Any]) -> m.OrderHandle:
        """Submit an order given as a request or as SubmitOrderRequest keywords (acts at the current instant).

        A missing client_order_id is generated: UUID4-shaped, drawn from a per-run seeded generator in
        backtests (so event logs are byte-identical run after run), from the OS otherwise.
        """
        ...

    def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        """Cancel one order."""
        ...

    def cancel_all_orders(self, symbol: str | None) -> m.CancelAllResult:
        """Cancel every working order."""
        ...

    def modify_order(self, order_id: str, **fields: Any) -> m.ModifyOrderResult:
        """Amend a working order."""
        ...

    def close_position(self, position_id: str, request: m.ClosePositionRequest) -> m.OrderHandle:
        """Close a position fully or partly."""
        ...

    def get_bars(self, symbol: str, timeframe: str, limit: int) -> list[m.Bar]:
        """Completed bars before the current instant, oldest first."""
        ...

    def get_account(self) -> m.Account:
        """Current account."""
        ...

    def list_positions(self) -> list[m.Position]:
        """Open positions."""
        ...

    def list_orders(self) -> list[m.Order]:
        """Working orders."""
        ...
