"""Pins the event stream client against a real WebSocket server on 127.0.0.1: framing, acks, pings, reconnects.

Every test runs with each installed driver of the asyncio stream (websockets, and picows from
`tradewire-sdk[fast]`), forced the way a user forces one: TRADEWIRE_STREAM_CLIENT."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from tradewire.protocol import messages as m
from tradewire.sdk import (
    AsyncEventStream,
    AuthenticationError,
    ClientConfig,
    ConnectionLost,
    EventStream,
    StreamState,
)
from tradewire.sdk._frames import ack_frame, parse_frame
from tradewire.sdk._stream_drivers import driver_name
from tradewire.sdk.errors import ConfigurationError


@pytest.fixture(autouse=True)
def _every_driver(stream_driver: str) -> str:
    return stream_driver


BAR = {
    "symbol": "AAPL",
    "provider": "backtest",
    "timeframe": "1m",
    "timestamp": "2024-03-01T14:30:00Z",
    "open": "180.10",
    "high": "180.44",
    "low": "180.02",
    "close": "180.31",
    "volume": "51200",
}
CANDLE = {"type": "candle", "bar": BAR, "timestamp": "2024-03-01T14:31:00Z", "event_id": "evt-1"}
COMPLETE = {
    "type": "backtest_complete",
    "broker": "backtest",
    "timestamp": "2024-03-01T14:31:00Z",
    "event_id": "evt-3",
}


def test_parse_batch_frame_keeps_ids_and_skips_unknown_types() -> None:
    frame = json.dumps(
        {
            "type": "batch",
            "batch_id": "b-7",
            "timestamp": "2024-03-01T14:31:00Z",
            "events": [CANDLE, {"type": "future_thing", "event_id": "evt-2", "x": 1}],
        }
    )
    d = parse_frame(frame)
    assert d is not None and d.batch_id == "b-7" and d.event_ids == ["evt-1", "evt-2"]
    assert [type(e) for e in d.events] == [m.CandleEvent]
    assert d.events[0].bar.close == "180.31"
    ack = json.loads(ack_frame(d) or b"")
    assert ack["type"] == "event_ack" and ack["batch_id"] == "b-7" and ack["events_processed"] == []
    assert isinstance(ack["timestamp"], int) and len(ack["correlation_id"]) == 36


def test_an_undecodable_message_is_skipped_but_released() -> None:
    bad = dict(CANDLE, bar=dict(BAR, close="not-a-number"), event_id="evt-9")
    frame = json.dumps(
        {"type": "batch", "batch_id": "b-1", "timestamp": "2024-03-01T14:31:00Z", "events": [bad, CANDLE]}
    )
    d = parse_frame(frame)
    assert d is not None and d.event_ids == ["evt-9", "evt-1"] and len(d.events) == 1


def test_single_frames_ack_by_event_id_and_ping_is_not_delivered() -> None:
    d = parse_frame(json.dumps(CANDLE))
    assert d is not None and d.batch_id is None
    assert json.loads(ack_frame(d) or b"")["events_processed"] == ["evt-1"]
    assert parse_frame('{"type":"ping","timestamp":"2024-03-01T14:31:00Z"}') is None
    live = parse_frame(json.dumps({k: v for k, v in CANDLE.items() if k != "event_id"}))
    assert live is not None and ack_frame(live) is None  # nothing to release in live mode


def test_decimal_sent_as_json_number_keeps_its_digits() -> None:
    odd = dict(CANDLE, bar=dict(BAR, close=180.310))
    d = parse_frame(json.dumps(odd).replace("180.31,", "180.310,"))
    assert d is not None and d.events[0].bar.close == "180.310"


async def _serve(handler: Any, **kw: Any) -> Any:
    return await serve(handler, "127.0.0.1", 0, compression=None, **kw)


async def test_batches_acks_pong_and_clean_end() -> None:
    received: list[Any] = []
    paths: list[str] = []

    async def handler(ws: ServerConnection) -> None:
        paths.append(ws.request.path if ws.request else "")
        await ws.send(json.dumps({"type": "ping", "timestamp": "2024-03-01T14:31:00Z"}))
        received.append(json.loads(await ws.recv()))
        await ws.send(
            json.dumps(
                {"type": "batch", "batch_id": "b-1", "timestamp": "2024-03-01T14:31:00Z", "events": [CANDLE]}
            )
        )
        received.append(json.loads(await ws.recv()))
        await ws.send(
            json.dumps(
                {
                    "type": "batch",
                    "batch_id": "b-2",
                    "timestamp": "2024-03-01T14:31:00Z",
                    "events": [COMPLETE],
                }
            )
        )
        received.append(json.loads(await ws.recv()))
        await ws.wait_closed()

    async with await _serve(handler) as server:
        port = server.sockets[0].getsockname()[1]
        states: list[StreamState] = []
        stream = AsyncEventStream(ClientConfig(base_url=f"http://127.0.0.1:{port}"), on_state=states.append)
        kinds = []
        async for delivery in stream:
            kinds.extend(type(e).__name__ for e in delivery.events)
            await stream.ack(delivery)
    assert paths == ["/v1/ws?framing=batch"]
    assert kinds == ["CandleEvent", "BacktestCompleteEvent"]
    assert received[0] == {"type": "pong"}
    assert [r["batch_id"] for r in received[1:]] == ["b-1", "b-2"]
    assert [s.state for s in states] == ["connected", "closed"]


async def test_candles_option_delivers_candles_and_acks_with_fresh_ids() -> None:
    acks: list[Any] = []

    async def handler(ws: ServerConnection) -> None:
        for n, events in enumerate(([CANDLE], [CANDLE], [COMPLETE])):
            frame = {
                "type": "batch",
                "batch_id": f"b-{n}",
                "timestamp": "2024-03-01T14:31:00Z",
                "events": events,
            }
            await ws.send(json.dumps(frame))
            acks.append(json.loads(await ws.recv()))
        await ws.wait_closed()

    async with await _serve(handler) as server:
        port = server.sockets[0].getsockname()[1]
        stream = AsyncEventStream(ClientConfig(base_url=f"http://127.0.0.1:{port}"), candles=True)
        got: list[Any] = []
        async for delivery in stream:
            got.extend(delivery.events)
            await stream.ack(delivery)
    assert [type(e).__name__ for e in got] == ["WireCandle", "WireCandle", "BacktestCompleteEvent"]
    assert got[0].close == 180.31 and got[0].exact.close == "180.31"
    assert [a["batch_id"] for a in acks] == ["b-0", "b-1", "b-2"]
    ids = [uuid.UUID(a["correlation_id"]) for a in acks]
    assert len(set(ids)) == 3 and all(
        i.version == 4 and str(i) == a["correlation_id"] for i, a in zip(ids, acks, strict=True)
    )


async def test_reconnects_with_backoff_after_a_drop() -> None:
    connections = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        if connections == 1:
            await ws.close(1011, "boom")
            return
        await ws.send(json.dumps(COMPLETE))
        await ws.recv()

    async with await _serve(handler) as server:
        port = server.sockets[0].getsockname()[1]
        states: list[StreamState] = []
        cfg = ClientConfig(base_url=f"http://127.0.0.1:{port}", reconnect_max_delay=0.05)
        stream = AsyncEventStream(cfg, on_state=states.append)
        async for delivery in stream:
            await stream.ack(delivery)
    assert connections == 2
    assert [s.state for s in states] == ["connected", "disconnected", "reconnecting", "connected", "closed"]
    assert states[3].attempt == 1


async def test_401_is_final_and_carries_no_retry() -> None:
    attempts = 0

    def refuse(connection: Any, request: Any) -> Response:
        nonlocal attempts
        attempts += 1
        return Response(
            401,
            "Unauthorized",
            Headers({"Content-Type": "application/json"}),
            b'{"code":"UNAUTHORIZED","message":"Unauthorized: Invalid API key"}',
        )

    async def handler(ws: ServerConnection) -> None:  # pragma: no cover - never reached
        await ws.close()

    async with await _serve(handler, process_request=refuse) as server:
        port = server.sockets[0].getsockname()[1]
        stream = AsyncEventStream(ClientConfig(base_url=f"http://127.0.0.1:{port}", api_key="wrong"))
        with pytest.raises(AuthenticationError):
            async for _ in stream:
                pass
    assert attempts == 1


async def test_without_reconnect_a_drop_is_connection_lost() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.close(1001, "going away")

    async with await _serve(handler) as server:
        port = server.sockets[0].getsockname()[1]
        stream = AsyncEventStream(ClientConfig(base_url=f"http://127.0.0.1:{port}"), reconnect=False)
        with pytest.raises(ConnectionLost):
            async for _ in stream:
                pass
    await asyncio.sleep(0)


def _drain_sync(stream: EventStream) -> list[str]:
    kinds = []
    for delivery in stream:
        kinds.extend(type(e).__name__ for e in delivery.events)
        stream.ack(delivery)
    return kinds


async def test_blocking_twin_reconnects_acks_and_ends_cleanly() -> None:
    connections = 0
    acks: list[Any] = []

    async def handler(ws: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        if connections == 1:
            await ws.close(1011, "boom")
            return
        await ws.send(
            json.dumps(
                {
                    "type": "batch",
                    "batch_id": "b-9",
                    "timestamp": "2024-03-01T14:31:00Z",
                    "events": [CANDLE, COMPLETE],
                }
            )
        )
        acks.append(json.loads(await ws.recv()))
        await ws.wait_closed()

    async with await _serve(handler) as server:
        port = server.sockets[0].getsockname()[1]
        states: list[StreamState] = []
        cfg = ClientConfig(base_url=f"http://127.0.0.1:{port}", reconnect_max_delay=0.05)
        kinds = await asyncio.to_thread(_drain_sync, EventStream(cfg, on_state=states.append))
    assert kinds == ["CandleEvent", "BacktestCompleteEvent"]
    assert [a["batch_id"] for a in acks] == ["b-9"]
    assert [s.state for s in states] == ["connected", "disconnected", "reconnecting", "connected", "closed"]


async def test_blocking_twin_treats_401_as_final() -> None:
    def refuse(connection: Any, request: Any) -> Response:
        return Response(401, "Unauthorized", Headers({"Content-Type": "application/json"}), b"{}")

    async def handler(ws: ServerConnection) -> None:  # pragma: no cover - never reached
        await ws.close()

    async with await _serve(handler, process_request=refuse) as server:
        port = server.sockets[0].getsockname()[1]
        stream = EventStream(ClientConfig(base_url=f"http://127.0.0.1:{port}", api_key="wrong"))
        with pytest.raises(AuthenticationError):
            await asyncio.to_thread(_drain_sync, stream)


async def test_the_forced_driver_reads_the_stream(stream_driver: str) -> None:
    """TRADEWIRE_STREAM_CLIENT picks the connection class; `auto` takes picows when it is installed."""
    seen: list[str] = []

    async def handler(ws: ServerConnection) -> None:
        await ws.send(json.dumps(COMPLETE))
        await ws.recv()

    async with await _serve(handler) as server:
        port = server.sockets[0].getsockname()[1]
        stream = AsyncEventStream(ClientConfig(base_url=f"http://127.0.0.1:{port}"))
        async for delivery in stream:
            seen.append(type(stream._ws).__module__.split(".")[0])
            await stream.ack(delivery)
    assert seen == [stream_driver if stream_driver == "websockets" else "tradewire"]
    assert driver_name("websockets") == "websockets" and driver_name("auto") == stream_driver


def test_an_unknown_stream_client_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError):
        ClientConfig(stream_client="aiohttp")
    monkeypatch.setenv("TRADEWIRE_STREAM_CLIENT", "aiohttp")
    with pytest.raises(ConfigurationError):
        driver_name("auto")


async def test_a_fragmented_message_is_delivered_whole() -> None:
    acks: list[Any] = []
    frame = json.dumps(
        {
            "type": "batch",
            "batch_id": "b-5",
            "timestamp": "2024-03-01T14:31:00Z",
            "events": [CANDLE, COMPLETE],
        }
    )

    async def handler(ws: ServerConnection) -> None:
        await ws.send([frame[:10], frame[10:50], frame[50:]])  # three frames: text + 2 continuations
        acks.append(json.loads(await ws.recv()))
        await ws.wait_closed()

    async with await _serve(handler) as server:
        port = server.sockets[0].getsockname()[1]
        stream = AsyncEventStream(ClientConfig(base_url=f"http://127.0.0.1:{port}"))
        kinds = []
        async for delivery in stream:
            kinds.extend(type(e).__name__ for e in delivery.events)
            await stream.ack(delivery)
    assert kinds == ["CandleEvent", "BacktestCompleteEvent"] and acks[0]["batch_id"] == "b-5"
