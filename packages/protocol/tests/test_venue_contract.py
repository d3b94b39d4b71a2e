"""Venue-interface seam: what every platform must implement, and the defaults a venue inherits."""

from __future__ import annotations

import inspect

import pytest

from tradewire.protocol import messages as m
from tradewire.protocol.errors import UnsupportedOperation
from tradewire.protocol.venue import StreamBatch, Venue

REQUIRED = {
    "get_account",
    "submit_order",
    "get_order",
    "list_orders",
    "list_order_history",
    "modify_order",
    "cancel_order",
    "cancel_all_orders",
    "list_positions",
    "get_position",
    "close_position",
    "close_all_positions",
    "list_trades",
    "get_quote",
    "get_bars",
    "capabilities",
    "stream",
}


def test_the_abstract_surface_is_the_whole_api() -> None:
    assert Venue.__abstractmethods__ == REQUIRED
    with pytest.raises(TypeError):
        Venue()  # type: ignore[abstract]


def test_every_request_method_is_async() -> None:
    for name in REQUIRED - {"stream"} | {
        "connect",
        "close",
        "status",
        "circuit_breakers",
        "reset_circuit_breakers",
        "modify_position_exits",
        "ack",
    }:
        assert inspect.iscoroutinefunction(getattr(Venue, name)), name


class _Minimal(Venue):
    """Implements only what is abstract; every call refuses, which is all these tests need."""

    platform = m.TradingPlatform.MOCK

    async def get_account(self):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def submit_order(self, request):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def get_order(self, order_id):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def list_orders(self, request):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def list_order_history(self, request):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def modify_order(self, order_id, request):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def cancel_order(self, order_id):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def cancel_all_orders(self, symbol=None):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def list_positions(self, symbol=None):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def get_position(self, position_id):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def close_position(self, position_id, request):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def close_all_positions(self, symbol=None):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def list_trades(self, request):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def get_quote(self, symbol):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def get_bars(self, request):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def capabilities(self):
        raise NotImplementedError  # type: ignore[no-untyped-def]

    async def stream(self):  # type: ignore[no-untyped-def, override]
        yield StreamBatch(messages=[])


async def test_defaults_of_a_venue() -> None:
    venue = _Minimal()
    breakers = await venue.circuit_breakers()
    assert (
        breakers.adapter
        == breakers.exit_order
        == m.CircuitBreaker(state=m.CircuitBreakerState.CLOSED, failure_count=0)
    )
    status = await venue.status()
    assert status.connected and status.latency_ms == 0 and status.last_heartbeat.tzinfo is not None
    assert venue.stale_symbols() == []
    await venue.ack(["evt-1"])  # live venues ignore acks
    with pytest.raises(UnsupportedOperation, match="mock does not manage position exits"):
        await venue.modify_position_exits("pos-A", m.ModifyPositionExitsRequest(stop_loss="1"))
    batches = [b async for b in venue.stream()]
    assert batches == [StreamBatch(messages=[], step=None, event_ids=[])]
