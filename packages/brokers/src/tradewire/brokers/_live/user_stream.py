"""The reconnect-and-resync driver a broker's order-event stream runs on (mapping.md §8), once for all.

A subclass owns the broker's socket dialect through narrow hooks: `_open` (connect, authenticate,
subscribe), `_on_message` (one decoded frame), `_snapshot` (what a gap hid, over REST), `_release`
(emit sequenced updates) and `_after_resync` (positions and balance after a resync). This class reads
frames, drives `_live.backoff.Reconnector` after a loss (its notices become connection events), holds
the new socket's updates in the `_live.resync.Sequencer` until the snapshot is released, and only then
reports BROKER_RECONNECTED.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Final, Generic

import websockets
from websockets.asyncio.client import ClientConnection

from tradewire.brokers._live import jsondecimal
from tradewire.brokers._live.backoff import Backoff, LinkState, Notice, Reconnector, Step
from tradewire.brokers._live.resync import PayloadT, SeenIds, Sequencer, Update
from tradewire.brokers._live.store import Store
from tradewire.protocol.errors import RateLimited, TradewireError
from tradewire.protocol.messages import ConnectionEventType, ServerMessage
from tradewire.protocol.venue import StreamBatch

__all__ = ["LINK_ERRORS", "ResyncingStream", "StreamClosed", "utc_now"]

log = logging.getLogger(__name__)


class StreamClosed(Exception):
    """The socket closed or failed; the message says how."""


#: What a reconnect attempt (or a socket rotation) survives and retries after (TimeoutError is an OSError).
LINK_ERRORS: Final = (OSError, StreamClosed, TradewireError, websockets.exceptions.WebSocketException)


def utc_now() -> dt.datetime:
    """The time stamped on events the adapter makes itself (connection events, fills, balances)."""
    return dt.datetime.now(dt.UTC)


class ResyncingStream(abc.ABC, Generic[PayloadT]):
    """One broker stream of order events and fills, kept up across losses, each event emitted once.

    Args:
        store: Seen fill ids are loaded from it (exactly once across restarts too).
        broker: The name connection events carry (`alpaca-paper`).
        emit: Called with each batch, in order; must not block (the venue puts it on a queue).
        policy: The reconnect policy (mapping.md §8's by default).
        draw, clock, sleep: The jitter source, monotonic clock and sleep (tests replace them).
    """

    #: How log lines name the stream ("Alpaca trading stream").
    label: ClassVar[str]
    #: The error a loss reports in BROKER_DISCONNECTED ("trading stream closed").
    lost_reason: ClassVar[str]

    def __init__(
        self,
        store: Store,
        broker: str,
        emit: Callable[[StreamBatch], None],
        *,
        policy: Backoff | None = None,
        draw: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.store = store
        self.broker = broker
        self._emit = emit
        self._clock = clock
        self._sleep = sleep
        self.link = Reconnector(policy or Backoff(), draw)
        self.sequencer: Sequencer[PayloadT] = Sequencer(SeenIds(store.seen_fills()))
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    # -- the broker's hooks -----------------------------------------------------------------------
    @abc.abstractmethod
    async def _open(self) -> ClientConnection:
        """Connect, authenticate and subscribe; sets `_ws`.

        Raises:
            AuthenticationError: the keys were refused (not retried: they will not improve).
            StreamClosed: anything else went wrong.
        """

    @abc.abstractmethod
    def _on_message(self, message: dict[str, Any]) -> bool:
        """Handle one decoded frame without raising on a malformed event; False stops reading."""

    @abc.abstractmethod
    async def _snapshot(self, lost_at: dt.datetime) -> list[Update[PayloadT]]:
        """What the gap that began at `lost_at` hid, read over REST (the broker's resync)."""

    @abc.abstractmethod
    def _release(self, updates: list[Update[PayloadT]]) -> None:
        """Emit updates the sequencer released, in order."""

    @abc.abstractmethod
    async def _after_resync(self) -> None:
        """Positions and the balance as REST shows them once the snapshot is out."""

    # -- the driver -------------------------------------------------------------------------------
    async def close(self) -> None:
        for task in self._background():
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    def _background(self) -> tuple[asyncio.Task[None] | None, ...]:
        """The tasks `close` cancels, in order."""
        return (self._task,)

    async def _read(self, ws: ClientConnection) -> None:
        """Feed every frame to `_on_message` until the socket closes (or it says stop)."""
        try:
            async for frame in ws:
                try:
                    message = jsondecimal.loads(frame)
                except jsondecimal.BrokerJsonError:
                    log.warning("%s: a frame that is not JSON was skipped", self.label)
                    continue
                if isinstance(message, dict) and not self._on_message(message):
                    break
        except websockets.exceptions.ConnectionClosed:
            pass

    async def _keep_up(self, first: asyncio.Task[None]) -> None:
        """Read until the socket is lost, recover, read again; until the reconnector gives up."""
        reader: asyncio.Task[None] | None = first
        while reader is not None:
            await reader
            self.connected.clear()
            reader = await self._recover()
        # Gave up: BROKER_CONNECTION_FAILED was sent and the stream stays down.

    async def _recover(self) -> asyncio.Task[None] | None:
        """Reconnect and resync after a loss; the new socket's reader task, or None on giving up."""
        lost_at = utc_now()
        self.sequencer.begin_gap()
        step = self.link.lost(self._clock(), self.lost_reason)
        self._notices(step)
        while True:
            if step.retry_in is not None:
                await self._sleep(step.retry_in)
            self._notices(self.link.attempt(self._clock()))
            reader: asyncio.Task[None] | None = None
            try:
                ws = await self._open()
                self.link.opened(self._clock())
                # The new socket is read at once: its updates are held by the sequencer's gap.
                reader = asyncio.create_task(self._read(ws))
                snapshot = await self._snapshot(lost_at)
                self._release(self.sequencer.finish(snapshot))
                await self._after_resync()
            except LINK_ERRORS as e:
                if reader is not None:
                    reader.cancel()
                if self._ws is not None:
                    with contextlib.suppress(Exception):
                        await self._ws.close()
                retry_after = e.retry_after if isinstance(e, RateLimited) else None
                step = self.link.failed(self._clock(), f"{type(e).__name__}: {e}", retry_after)
                self._notices(step)
                if self.link.state == LinkState.FAILED:
                    return None
                continue
            self._notices(self.link.resynced(self._clock()))
            self.connected.set()
            return reader

    def _notices(self, step: Step) -> None:
        if not step.notices:
            return
        messages = []
        for notice in step.notices:
            self._log(notice)
            event = notice.message(self.broker)
            event.timestamp = utc_now()
            messages.append(ServerMessage(connection=event))
        self._emit(StreamBatch(messages))

    def _log(self, notice: Notice) -> None:
        """One line for an operator per loss, recovery or giving up (each attempt is an event only)."""
        if notice.event == ConnectionEventType.BROKER_DISCONNECTED:
            log.warning("%s lost (%s); reconnecting", self.label, notice.error)
        elif notice.event == ConnectionEventType.BROKER_RECONNECTED:
            log.info("%s reconnected after %s ms", self.label, notice.gap_duration_ms)
        elif notice.event == ConnectionEventType.BROKER_CONNECTION_FAILED:
            log.error("%s: gave up reconnecting (%s)", self.label, notice.error)
