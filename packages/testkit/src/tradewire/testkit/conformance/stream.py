"""Event taps: one way to read a target's stream batch by batch and release it (venue, SDK or raw WebSocket)."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from tradewire.protocol import codec
from tradewire.protocol import messages as m

__all__ = ["Batch", "EventTap", "RawWireTap", "SdkTap", "VenueTap", "event_id", "kind"]

_CLOSED = object()


@dataclass
class Batch:
    """Events delivered together (one venue batch, one batched frame, or one single-event frame)."""

    events: list[Any]
    event_ids: list[str] = field(default_factory=list)
    handle: Any = None
    raw: list[Any] = field(default_factory=list)

    @property
    def time(self) -> Any:
        """The envelope timestamp of the first event (the simulated instant in backtest)."""
        return getattr(self.events[0], "timestamp", None) if self.events else None


def kind(event: Any) -> str:
    """The wire `type` of an event (`candle`, `order`, ...)."""
    return str(codec.to_dict(event)["type"])


def event_id(event: Any) -> str | None:
    """The event's `event_id`, if any."""
    return getattr(event, "event_id", None)


class EventTap(abc.ABC):
    """A stream reader: a background pump queues batches; the scenario takes and releases them."""

    closed_code: int | None = None

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None

    async def start(self) -> None:
        """Start pumping."""
        self._task = asyncio.create_task(self._pump_guard())

    async def _pump_guard(self) -> None:
        try:
            async for batch in self._pump():
                self._queue.put_nowait(batch)
        except asyncio.CancelledError:
            raise
        except BaseException as e:  # reported to the scenario at its next read
            self.error = e
        finally:
            self._queue.put_nowait(_CLOSED)

    @abc.abstractmethod
    def _pump(self) -> AsyncIterator[Batch]:
        """Batches as they arrive."""

    async def next_batch(self, timeout: float = 5.0) -> Batch | None:
        """The next batch; None when the stream ended. Raises TimeoutError when nothing comes."""
        item = await asyncio.wait_for(self._queue.get(), timeout)
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            if self.error is not None:
                raise AssertionError(f"event stream failed: {type(self.error).__name__}: {self.error}")
            return None
        return item  # type: ignore[no-any-return]

    def pending(self) -> int:
        """Batches received but not yet taken."""
        return self._queue.qsize()

    @abc.abstractmethod
    async def ack(self, batch: Batch) -> None:
        """Release every event of `batch`."""

    async def ack_ids(self, ids: Iterable[str]) -> None:
        """Release exactly these ids (targets whose acks are per id)."""
        raise NotImplementedError(f"{type(self).__name__} acknowledges whole deliveries only")

    async def wait_closed(self, timeout: float) -> None:
        """Wait until the pump has ended (the server closed the stream)."""
        if self._task is not None:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)

    async def close(self) -> None:
        """Stop pumping and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task


class VenueTap(EventTap):
    """Reads `venue.stream()` in process; acks call `venue.ack(ids)`."""

    def __init__(self, venue: Any) -> None:
        super().__init__()
        self.venue = venue

    async def _pump(self) -> AsyncIterator[Batch]:
        async for sb in self.venue.stream():
            events = [codec.payload(msg) for msg in sb.messages]
            ids = list(sb.event_ids) or [i for i in (event_id(e) for e in events) if i]
            yield Batch(events, ids, sb)

    async def ack(self, batch: Batch) -> None:
        if batch.event_ids:
            await self.venue.ack(list(batch.event_ids))

    async def ack_ids(self, ids: Iterable[str]) -> None:
        await self.venue.ack(list(ids))


class SdkTap(EventTap):
    """Reads the SDK's `AsyncEventStream` (batched framing); acks one delivery at a time, as the SDK does."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.stream = stream

    async def _pump(self) -> AsyncIterator[Batch]:
        async for delivery in self.stream:
            yield Batch(list(delivery.events), list(delivery.event_ids), delivery, [delivery.raw])

    async def ack(self, batch: Batch) -> None:
        await self.stream.ack(batch.handle)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.stream.aclose()
        await super().close()


class RawWireTap(EventTap):
    """A minimal client on the bare WebSocket: `framing="single"` is what a compatible client sees.

    In single framing every frame becomes a one-event batch; acks go out as the given ids. Frames are
    kept verbatim in `Batch.raw` so framing scenarios can inspect them.
    """

    def __init__(self, ws_url: str, headers: dict[str, str], framing: str = "single") -> None:
        super().__init__()
        self.url = ws_url + ("?framing=batch" if framing == "batch" else "")
        self.headers = headers
        self.framing = framing
        self.ws: Any = None
        self.frames: list[str] = []

    async def connect(self) -> None:
        """Open the socket (raises websockets' InvalidStatus on a refused upgrade)."""
        from websockets.asyncio.client import connect

        self.ws = await connect(
            self.url, additional_headers=self.headers, compression=None, max_size=2**24, open_timeout=5
        )

    async def start(self) -> None:
        if self.ws is None:
            await self.connect()
        await super().start()

    async def _pump(self) -> AsyncIterator[Batch]:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                text = raw if isinstance(raw, str) else raw.decode()
                self.frames.append(text)
                obj = orjson.loads(text)
                if isinstance(obj, dict) and obj.get("type") == "ping":
                    await self.ws.send('{"type":"pong"}')
                    continue
                if isinstance(obj, dict) and obj.get("type") == "batch":
                    frame = codec.decode_frame(text)
                    assert isinstance(frame, m.EventBatch)
                    events = [codec.payload(x) for x in frame.events]
                    ids = [i for i in (event_id(e) for e in events) if i]
                    yield Batch(events, ids, frame.batch_id, [text])
                    continue
                try:
                    event = codec.payload(codec.decode(m.ServerMessage, text))
                except codec.UnknownMessageType:
                    continue
                eid = event_id(event)
                yield Batch([event], [eid] if eid else [], None, [text])
        except ConnectionClosed as e:
            self.closed_code = e.rcvd.code if e.rcvd else None
        else:
            self.closed_code = self.ws.close_code

    async def send_ack(self, ids: Iterable[str], batch_id: str | None = None, **extra: Any) -> None:
        """Send one `event_ack` frame, exactly as given."""
        body: dict[str, Any] = {
            "type": "event_ack",
            "correlation_id": str(uuid.uuid4()),
            "events_processed": list(ids),
            "timestamp": time.time_ns() // 1_000_000,
        }
        if batch_id is not None:
            body["batch_id"] = batch_id
        body.update(extra)
        await self.ws.send(orjson.dumps(body).decode())

    async def send_text(self, text: str) -> None:
        """Send an arbitrary text frame (malformed-input scenarios)."""
        await self.ws.send(text)

    async def ack(self, batch: Batch) -> None:
        if batch.handle is not None:
            await self.send_ack([], batch_id=batch.handle)
        else:  # what a compatible client does: one ack per event, [] for events without an id
            await self.send_ack(batch.event_ids)

    async def ack_ids(self, ids: Iterable[str]) -> None:
        await self.send_ack(ids)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        await super().close()
