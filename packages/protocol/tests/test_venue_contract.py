"""Venue-interface seam: what every platform must implement, the defaults a venue inherits, and the
paced-venue contract (hand-over, acks, the default wire text)."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterable

import pytest

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.protocol.errors import UnsupportedOperation
from tradewire.protocol.venue import EncodedBatch, PacedVenue, StreamBatch, Venue

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


# -- the paced-venue contract ----------------------------------------------------------------------
T0 = dt.datetime(2024, 3, 1, 14, 31, tzinfo=dt.UTC)


def _candle(event_id: str | None, at: dt.datetime = T0) -> m.ServerMessage:
    bar = m.Bar(
        symbol="AAPL",
        provider="backtest",
        timeframe=m.Timeframe.M1,
        timestamp=at - dt.timedelta(minutes=1),
        open="180.10",
        high="180.44",
        low="180.02",
        close="180.31",
        volume="51200",
    )
    return codec.server_message(m.CandleEvent(bar=bar, timestamp=at, event_id=event_id))


class _Paced(_Minimal, PacedVenue):
    """Hands out the batches it is given, one per `next_batch` call; finished once they are gone."""

    def __init__(self, *batches: StreamBatch) -> None:
        self.batches = list(batches)
        self.released: list[str] = []

    def next_batch(self) -> StreamBatch | None:
        return self.batches.pop(0) if self.batches else None

    @property
    def finished(self) -> bool:
        return not self.batches

    async def ack(self, event_ids: Iterable[str]) -> None:
        self.released.extend(event_ids)


def test_the_paced_contract_adds_the_hand_over_and_ack_to_the_venue() -> None:
    assert PacedVenue.__abstractmethods__ == REQUIRED | {"next_batch", "finished", "ack"}
    with pytest.raises(TypeError):
        PacedVenue()  # type: ignore[abstract]
    assert isinstance(_Paced(), PacedVenue) and isinstance(_Paced(), Venue)
    assert not isinstance(_Minimal(), PacedVenue)  # a plain venue is live, whatever its platform
    assert _Paced().on_events is None  # nobody to wake until a consumer sets it


def test_next_wire_defaults_to_the_codec_text_of_next_batch() -> None:
    later = T0 + dt.timedelta(minutes=1)
    complete = codec.server_message(
        m.BacktestCompleteEvent(broker="backtest", timestamp=later, event_id="evt-3")
    )
    step1 = StreamBatch([_candle("evt-1"), _candle("evt-2")], step=1, event_ids=["evt-1", "evt-2"])
    empty = StreamBatch([], step=2)
    # no event_ids given: the ids are read from the messages (the error notice has none)
    notice = codec.server_message(
        m.ErrorEvent(code=m.WsErrorCode.INTERNAL_ERROR, message="x", timestamp=later)
    )
    step2 = StreamBatch([_candle("evt-4", later), notice, complete], step=2)
    venue = _Paced(step1, empty, step2)

    first = venue.next_wire()
    assert first == EncodedBatch(
        step=1,
        texts=[codec.encode(x).decode() for x in step1.messages],
        event_ids=["evt-1", "evt-2"],
        timestamp="2024-03-01T14:31:00Z",
        complete_id=None,
    )
    second = venue.next_wire()  # the empty batch is skipped
    assert second is not None
    assert second.texts == [codec.encode(x).decode() for x in step2.messages]
    assert (second.step, second.event_ids, second.timestamp, second.complete_id) == (
        2,
        ["evt-4", None, "evt-3"],
        "2024-03-01T14:32:00Z",
        "evt-3",
    )
    assert venue.next_wire() is None and venue.finished
