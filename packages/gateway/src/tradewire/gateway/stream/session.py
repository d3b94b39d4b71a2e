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
from tradewire.protocol.messages import (
    ConnectionEvent,
    ConnectionEventType,
    ErrorEvent,
    PingEvent,
    WsErrorCode,
)

log = logging.getLogger("tradewire.gateway.stream")

#: Most messages one batch frame carries in live mode (events.md, batched framing).
MAX_LIVE_FRAME = 1000
#: Ids acked before they were sent, remembered per client (bounded; the oldest are forgotten first).
MAX_EARLY_ACKS = 10_000
#: Batch ids remembered per client for acks by batch_id.
MAX_BATCHES = 4096
#: Most ids one `event_ack` may list; a longer ack is refused whole (INVALID_MESSAGE). Compatible
#: clients list one id per ack and the SDK acks a batch frame by its batch_id, so this only stops
#: a client that would make the gateway walk an unbounded list in one go.
MAX_ACK_IDS = 10_000

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


def too_many_ids(count: int) -> Wire:
    """The `error` INVALID_MESSAGE answering an `event_ack` that lists more than MAX_ACK_IDS ids."""
    return Wire.of(
        ErrorEvent(
            code=WsErrorCode.INVALID_MESSAGE,
            message=f"event_ack ignored: it lists {count} ids, at most {MAX_ACK_IDS} are accepted per ack",
            details=codec.json_to_value({"reason": "too_many_ids", "limit": MAX_ACK_IDS, "count": count}),
            timestamp=_now(),
        )
    )


def repeated_key(key: str) -> Wire:
    """The `error` INVALID_MESSAGE answering an `event_ack` that gives a key twice (which of the two
    values was meant cannot be known, and acking either could release or hold the wrong events)."""
    return Wire.of(
        ErrorEvent(
            code=WsErrorCode.INVALID_MESSAGE,
            message=f"event_ack ignored: the key {key!r} is given more than once",
            details=codec.json_to_value({"reason": "duplicate_key", "key": key}),
            timestamp=_now(),
        )
    )


class Session:
    """A connected client.

    Args:
        send: The ASGI `send` callable of the WebSocket.
        batched: The client opted into `framing=batch`.
        paced: Backtest pacing: messages carry event ids and the queue is bounded by the step, not a limit.
        queue_limit: Live mode: messages queued before the client counts as too slow (close 1008).
        ping_interval: Seconds of outgoing silence before a JSON `ping`.
        send_timeout: Seconds one frame may take to write before the client counts as too slow
            (close 1008), and again for the close to be written before the connection is aborted;
            enforced by `check`, which the hub calls periodically. None: unbounded.
        abort: Resets the client's TCP connection at once; True if it did.
    """

    def __init__(
        self,
        send: Callable[[Any], Any],
        *,
        batched: bool,
        paced: bool,
        queue_limit: int,
        ping_interval: float,
        send_timeout: float | None = None,
        abort: Callable[[], bool] | None = None,
    ) -> None:
        self.id = next(_ids)
        self._send = send
        self.batched = batched
        self.paced = paced
        self.queue_limit = queue_limit
        self.ping_interval = ping_interval
        self.send_timeout = send_timeout
        self._abort = abort
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
        #: When the ASGI send under way began (0.0: none is under way).
        self._send_since = 0.0
        #: When `close` was called (0.0: not closing).
        self._close_since = 0.0
        self._aborted = False
        self._writer: asyncio.Task[None] | None = None

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
                self._send_since = time.monotonic()
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
            self._send_since = 0.0
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
        self._close_since = time.monotonic()
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
        self._too_slow("Send queue overflow: client too slow")

    def _too_slow(self, reason: str) -> None:
        # The client stopped reading: tell it why and close, instead of dropping messages silently.
        # What is queued is dropped at once (its memory too); `check` aborts the connection if even
        # the close cannot be written in time.
        log.warning("client too slow, closing", extra={"client": self.id, "queued": self._depth})
        metrics.SLOW_CLIENTS.inc()
        metrics.QUEUE_DEPTH.dec(self._depth)
        self._queue.clear()
        self._depth = 0
        self.close(routes.CLOSE_POLICY, reason, disconnecting())

    # -- send timeout -------------------------------------------------------------------------
    def check(self, now: float) -> None:
        """Enforce `send_timeout` at monotonic time `now` (called periodically by the hub).

        A frame that has not been written after `send_timeout` closes the client 1008; a close
        that has not been written `send_timeout` after it was asked for (1008 or any other)
        aborts the TCP connection, which also ends the write that is stuck.
        """
        timeout = self.send_timeout
        if timeout is None or self._aborted or self.closed.is_set():
            return
        if not self.closing:
            since = self._send_since
            if since and now - since > timeout:
                self._too_slow("Send timeout: client too slow")
        elif self._close_since and now - self._close_since > timeout:
            self.abort()

    def abort(self) -> None:
        """Cut the client off without a close frame (it reads nothing, so none can be written)."""
        if self._aborted or self.closed.is_set():
            return
        self._aborted = True
        self.closing = True
        if self._abort is not None and self._abort():
            log.warning("client not reading, connection aborted", extra={"client": self.id})
            return
        # No handle on the connection (another server): end this session at least, so that it
        # leaves the hub and frees its queue; the server keeps the socket until it drains.
        log.warning("client not reading and its connection cannot be aborted", extra={"client": self.id})
        if self._writer is not None:
            self._writer.cancel()

    # -- acks ---------------------------------------------------------------------------------
    def resolve_ack(self, ids: list[str], batch_id: str | None) -> list[str]:
        """Ids an ack from this client releases: those sent here; others are remembered for later."""
        out: list[str] = []
        sent = self.sent
        if batch_id is not None:
            group = self._batches.pop(batch_id, None)
            if group:
                out = [i for i in group if i in sent]
        # One pass over the ids (at most MAX_ACK_IDS, checked by the route), constant work each;
        # the memory of early acks is trimmed once at the end, oldest first.
        early = self._early
        for event_id in ids:
            if type(event_id) is not str:
                continue
            if event_id in sent:
                out.append(event_id)
            else:
                early[event_id] = None
        for _ in range(len(early) - MAX_EARLY_ACKS):
            early.popitem(last=False)
        return out

    # -- writer -------------------------------------------------------------------------------
    async def run_writer(self) -> None:
        """Write queued messages until a close is sent; a JSON ping after `ping_interval` of silence."""
        send = self._send
        queue = self._queue
        wake = self._wake
        self._writer = asyncio.current_task()
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
                    self._send_since = time.monotonic()
                    await send({"type": "websocket.close", "code": item.code, "reason": item.reason})
                    return
                self._depth -= count
                metrics.QUEUE_DEPTH.dec(count)
                await self._write(text)
                metrics.EVENTS_SENT.inc(count)
        finally:
            metrics.QUEUE_DEPTH.dec(self._depth)
            self._depth = 0
            self._queue.clear()
            self._send_since = 0.0
            self.closing = True
            self.closed.set()

    async def _write(self, text: str) -> None:
        self._writing = True
        self._send_since = time.monotonic()
        try:
            await self._send({"type": "websocket.send", "text": text})
        finally:
            self._writing = False
            self._send_since = 0.0
            self._last_sent = time.monotonic()
