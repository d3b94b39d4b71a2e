"""One WebSocket client: a bounded send queue, the writer that frames it, and its view of the acks."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tradewire.gateway import metrics
from tradewire.gateway.stream.wire import Batch, Wire, batch_frame, join
from tradewire.protocol import codec, routes
from tradewire.protocol.messages import ConnectionEvent, ConnectionEventType, PingEvent

log = logging.getLogger("tradewire.gateway.stream")

#: Most messages one batch frame carries in live mode (events.md, batched framing).
MAX_LIVE_FRAME = 1000
#: Ids acked before they were sent, remembered per client (bounded; the oldest are forgotten first).
MAX_EARLY_ACKS = 10_000
#: Batch ids remembered per client for acks by batch_id.
MAX_BATCHES = 4096

_ids = itertools.count(1)


@dataclass(slots=True, frozen=True)
class _Frame:
    """A frame built by `Session.stage` whose direct write did not happen."""

    text: str


@dataclass(slots=True, frozen=True)
class _Close:
    code: int
    reason: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def disconnecting() -> Wire:
    """The `connection` DISCONNECTING notice."""
    return Wire.of(ConnectionEvent(event=ConnectionEventType.DISCONNECTING, timestamp=_now()))


class Session:
    """A connected client.

    Args:
        send: The ASGI `send` callable of the WebSocket.
        batched: The client opted into `framing=batch`.
        paced: Backtest pacing: messages carry event ids and the queue is bounded by the step, not a limit.
        queue_limit: Live mode: messages queued before the client counts as too slow (close 1008).
        ping_interval: Seconds of outgoing silence before a JSON `ping`.
    """

    def __init__(
        self,
        send: Callable[[Any], Any],
        *,
        batched: bool,
        paced: bool,
        queue_limit: int,
        ping_interval: float,
    ) -> None:
        self.id = next(_ids)
        self._send = send
        self.batched = batched
        self.paced = paced
        self.queue_limit = queue_limit
        self.ping_interval = ping_interval
        self._queue: deque[Wire | Batch | _Frame | _Close] = deque()
        self._depth = 0  # messages (not frames) waiting
        self._wake = asyncio.Event()
        self._batch_no = 0
        self.closing = False
        self.closed = asyncio.Event()
        #: Backtest ids sent on this connection and not yet released.
        self.sent: set[str] = set()
        self._early: OrderedDict[str, None] = OrderedDict()
        self._batches: OrderedDict[str, list[str]] = OrderedDict()
        #: A frame is being written (by the writer task, or staged for `write_now`): nobody else may write.
        self._writing = False
        #: The last write failed: the writer ends the connection.
        self._broken = False
        self._last_sent = time.monotonic()

    # -- producer side (called by the hub, synchronously) -----------------------------------
    @property
    def depth(self) -> int:
        """Messages waiting to be written."""
        return self._depth

    def deliver(self, wires: list[Wire]) -> None:
        """Live: queue messages for this client; too many waiting closes it (1008)."""
        if self.closing or not wires:
            return
        if self._depth + len(wires) > self.queue_limit:
            self._overflow()
            return
        self._queue.extend(wires)
        self._depth += len(wires)
        metrics.QUEUE_DEPTH.inc(len(wires))
        self._wake.set()

    def deliver_batch(self, batch: Batch) -> list[str]:
        """Backtest: queue a batch for this client; returns ids this client had acked before they were sent."""
        if self.closing:
            return []
        hits = self._track(batch.ids)
        count = len(batch.texts)
        if self.batched:
            self._queue.append(batch)
        else:
            self._queue.extend(batch.wires())
        self._depth += count
        metrics.QUEUE_DEPTH.inc(count)
        self._wake.set()
        return hits

    def _track(self, ids: list[str]) -> list[str]:
        # Backtest bookkeeping: ids now sent here, and those this client acked before they were sent.
        self.sent.update(ids)
        early = self._early
        if not early:
            return []
        return [i for i in ids if early.pop(i, 0) is None]

    def stage(self, batch: Batch) -> tuple[list[str], list[str]]:
        """Backtest: like `deliver_batch`, but hand back the frame(s) to write at once if nothing is queued here.

        Returns (early-acked ids, frames). When frames are returned the session is reserved for the
        caller, who must pass them to `write_now`: that saves a hop through the writer task per step.
        The order of frames is unchanged, since this only happens with an empty queue and no write
        under way. With no frames, the messages were queued for the writer as by `deliver_batch`.
        """
        if self.closing or self._writing or self._queue:
            return self.deliver_batch(batch), []
        hits = self._track(batch.ids)
        texts = [self._batch_frame(batch)] if self.batched else batch.texts
        self._writing = True
        return hits, texts

    async def write_now(self, texts: list[str], count: int) -> None:
        """Write frames from `stage` (`count` messages); what could not be written goes to the writer."""
        send = self._send
        done = 0
        try:
            for text in texts:
                await send({"type": "websocket.send", "text": text})
                done += 1
            metrics.EVENTS_SENT.inc(count)
        except asyncio.CancelledError:
            self.requeue(texts[done:])  # the caller was cancelled: the writer sends the rest
            raise
        except Exception:
            # The connection is gone: the writer ends it (as if its own write had failed).
            log.debug("direct write failed", extra={"client": self.id}, exc_info=True)
            self._broken = True
            self.closing = True
        finally:
            self._writing = False
            self._last_sent = time.monotonic()
            if self._queue or self._broken:
                self._wake.set()

    def requeue(self, texts: list[str]) -> None:
        """Frames from `stage` that will not be written by the caller: put them first in the queue."""
        for text in reversed(texts):
            self._queue.appendleft(_Frame(text))
        self._writing = False
        if self._queue:
            self._wake.set()

    def _batch_frame(self, batch: Batch) -> str:
        # The batch id is given when the frame is written, so ids rise in the order sent.
        self._batch_no += 1
        batch_id = f"b-{self._batch_no}"
        if batch.ids:
            batches = self._batches
            batches[batch_id] = batch.ids
            if len(batches) > MAX_BATCHES:
                batches.popitem(last=False)
        return batch_frame(batch_id, batch.timestamp, batch.body)

    def close(self, code: int, reason: str, notice: Wire | None = None) -> None:
        """Send `notice` (if any) after what is queued, then close with `code`."""
        if self.closing:
            return
        self.closing = True
        if notice is not None:
            self._queue.append(notice)
            self._depth += 1
            metrics.QUEUE_DEPTH.inc()
        self._queue.append(_Close(code, reason))
        self._wake.set()

    def notify(self, notice: Wire) -> None:
        """Queue a gateway-local message (never limited, never holds up pacing)."""
        if not self.closing:
            self._queue.append(notice)
            self._depth += 1
            metrics.QUEUE_DEPTH.inc()
            self._wake.set()

    def _overflow(self) -> None:
        # The client stopped reading: tell it why and close, instead of dropping messages silently.
        log.warning("client too slow, closing", extra={"client": self.id, "queued": self._depth})
        metrics.SLOW_CLIENTS.inc()
        metrics.QUEUE_DEPTH.dec(self._depth)
        self._queue.clear()
        self._depth = 0
        self.close(routes.CLOSE_POLICY, "Send queue overflow: client too slow", disconnecting())

    # -- acks ---------------------------------------------------------------------------------
    def resolve_ack(self, ids: list[str], batch_id: str | None) -> list[str]:
        """Ids an ack from this client releases: those sent here; others are remembered for later."""
        out: list[str] = []
        sent = self.sent
        if batch_id is not None:
            group = self._batches.pop(batch_id, None)
            if group:
                out = [i for i in group if i in sent]
        for event_id in ids:
            if type(event_id) is not str:
                continue
            if event_id in sent:
                out.append(event_id)
            else:
                self._early[event_id] = None
                if len(self._early) > MAX_EARLY_ACKS:
                    self._early.popitem(last=False)
        return out

    # -- writer -------------------------------------------------------------------------------
    async def run_writer(self) -> None:
        """Write queued messages until a close is sent; a JSON ping after `ping_interval` of silence."""
        send = self._send
        queue = self._queue
        wake = self._wake
        try:
            while True:
                if self._broken:
                    return
                if not queue or self._writing:
                    wake.clear()
                    wait = self.ping_interval
                    if not self._writing:  # silence counts from the last write, direct ones included
                        wait = max(wait - (time.monotonic() - self._last_sent), 0.0)
                    try:
                        async with asyncio.timeout(wait):
                            await wake.wait()
                    except TimeoutError:
                        if self._writing or time.monotonic() - self._last_sent < self.ping_interval:
                            continue  # something went out meanwhile (a direct write): not silent
                        await self._write(Wire.of(PingEvent(timestamp=_now())).text)
                    continue
                item = queue.popleft()
                if type(item) is Wire:
                    if self.batched:
                        wires = [item]
                        while queue and len(wires) < MAX_LIVE_FRAME and type(queue[0]) is Wire:
                            wires.append(queue.popleft())  # type: ignore[arg-type]
                        self._batch_no += 1
                        text = batch_frame(f"b-{self._batch_no}", codec.timestamp_text(_now()), join(wires))
                        count = len(wires)
                    else:
                        text, count = item.text, 1
                elif type(item) is Batch:
                    text, count = self._batch_frame(item), len(item.texts)
                elif type(item) is _Frame:
                    await self._write(item.text)
                    continue
                else:
                    assert type(item) is _Close
                    await send({"type": "websocket.close", "code": item.code, "reason": item.reason})
                    return
                self._depth -= count
                metrics.QUEUE_DEPTH.dec(count)
                await self._write(text)
                metrics.EVENTS_SENT.inc(count)
        finally:
            metrics.QUEUE_DEPTH.dec(self._depth)
            self._depth = 0
            self.closing = True
            self.closed.set()

    async def _write(self, text: str) -> None:
        self._writing = True
        try:
            await self._send({"type": "websocket.send", "text": text})
        finally:
            self._writing = False
            self._last_sent = time.monotonic()
