"""Session's direct write path (backtest): frames written from the pacing path keep their order with
queued messages, and a write that is cancelled or fails hands over to the writer task."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from tradewire.gateway.stream.session import Session
from tradewire.gateway.stream.wire import Batch, Wire

T = "2024-03-01T14:31:00Z"


def _batch(*ns: int) -> Batch:
    texts = [orjson.dumps({"type": "candle", "timestamp": "x", "event_id": f"evt-{n}"}).decode() for n in ns]
    return Batch(texts, [f"evt-{n}" for n in ns], T)


class FakeSocket:
    def __init__(self) -> None:
        self.frames: list[Any] = []
        self.gate: asyncio.Event | None = None  # when set up, sends wait for it (a slow client)
        self.fail = False

    async def send(self, message: dict[str, Any]) -> None:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("gone")
        if message["type"] == "websocket.send":
            self.frames.append(orjson.loads(message["text"]))
        else:
            self.frames.append(message["type"])


def _session(sock: FakeSocket) -> Session:
    return Session(sock.send, batched=True, paced=True, queue_limit=10, ping_interval=60)


async def test_direct_frame_then_queued_notice_in_order() -> None:
    sock = FakeSocket()
    s = _session(sock)
    writer = asyncio.create_task(s.run_writer())
    await asyncio.sleep(0)
    hits, texts = s.stage(_batch(1))
    assert hits == [] and len(texts) == 1
    s.notify(Wire('{"type":"connection","timestamp":"x"}'))  # queued while the frame is reserved
    await asyncio.sleep(0.01)
    assert sock.frames == []  # the writer waits for the reserved frame
    await s.write_now(texts, 1)
    s.close(1000, "bye")
    await asyncio.wait_for(writer, 1)
    first, second, last = sock.frames
    assert [e["event_id"] for e in first["events"]] == ["evt-1"]
    assert [e["type"] for e in second["events"]] == ["connection"]
    assert last == "websocket.close"
    assert sock.frames[0]["batch_id"] == "b-1" and s.sent == {"evt-1"}


async def test_cancelled_direct_write_goes_to_the_writer() -> None:
    sock = FakeSocket()
    s = _session(sock)
    writer = asyncio.create_task(s.run_writer())
    await asyncio.sleep(0)
    sock.gate = asyncio.Event()
    _, texts = s.stage(_batch(1, 2))
    direct = asyncio.create_task(s.write_now(texts, 2))
    await asyncio.sleep(0.01)
    direct.cancel()
    await asyncio.gather(direct, return_exceptions=True)
    sock.gate.set()
    await asyncio.sleep(0.01)
    s.close(1000, "bye")
    await asyncio.wait_for(writer, 1)
    assert sock.frames[0]["type"] == "batch"
    assert [e["event_id"] for e in sock.frames[0]["events"]] == ["evt-1", "evt-2"]
    assert sock.frames[1:] == ["websocket.close"]


async def test_failed_direct_write_ends_the_writer() -> None:
    sock = FakeSocket()
    s = _session(sock)
    writer = asyncio.create_task(s.run_writer())
    await asyncio.sleep(0)
    sock.fail = True
    _, texts = s.stage(_batch(1))
    await s.write_now(texts, 1)
    await asyncio.wait_for(writer, 1)
    assert s.closed.is_set() and s.closing
    assert s.stage(_batch(2)) == ([], [])
