"""The hub: reads the venue's stream once, broadcasts to every session, and paces a backtest on acks."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tradewire.gateway import metrics
from tradewire.gateway.stream.session import Session, disconnecting
from tradewire.gateway.stream.wire import Batch, Wire, event_id_of
from tradewire.protocol import busy_poll, codec, routes
from tradewire.protocol.messages import (
    ConnectionEvent,
    ConnectionEventType,
    DataStalenessEvent,
    DataStalenessEventType,
    ErrorEvent,
    WsErrorCode,
)
from tradewire.protocol.venue import EncodedBatch, PacedVenue, StreamBatch, Venue

if TYPE_CHECKING:
    from tradewire.gateway.settings import GatewaySettings

log = logging.getLogger("tradewire.gateway.stream")

COMPLETE_REASON = routes.CLOSE_REASON_COMPLETE
SHUTDOWN_REASON = "Gateway shutting down"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Hub:
    """Fans the venue's event stream out to the connected clients.

    Live venues are read from start-up and every message goes to whoever is connected. A paced
    venue (a `PacedVenue`, such as the backtest) is read only once a client has connected; its
    messages stay *pending* until some client acks them (any client's ack counts), and the venue
    advances time only when the hub has passed every id of the step to `venue.ack`. A client that
    connects mid-run first receives the pending messages again (same ids).
    """

    def __init__(self, venue: Venue, settings: GatewaySettings, run_id: str = "") -> None:
        self.venue = venue
        self.settings = settings
        self.run_id = run_id  # the gateway's run, on every CONNECTED (empty: none sent)
        #: The venue as a `PacedVenue` (the one check of pacing), None for a live venue.
        self._pacer = venue if isinstance(venue, PacedVenue) else None
        self.paced = self._pacer is not None
        self.broker = codec.enum_spelling(venue.platform)
        self.sessions: set[Session] = set()
        #: Backtest: id -> text of the messages emitted and not yet released, in emission order.
        self.pending: dict[str, str] = {}
        self._pending_at = ""  # the simulated instant of the pending messages (wire timestamp text)
        self.finished = False
        self.stopping = False
        self._client_seen = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._complete_id: str | None = None
        self._complete_released = asyncio.Event()
        self._complete_delivered = asyncio.Event()
        self._step: int | None = None
        self._step_timer: asyncio.TimerHandle | None = None
        self._end_task: asyncio.Task[None] | None = None
        # A paced venue is driven through its synchronous hand-over (`next_wire`, `on_events`,
        # `finished`) straight from the ack that releases its step, with no hop through the hub's
        # task; None once the venue failed, so that acks stop pumping it.
        self._next_wire: Callable[[], EncodedBatch | None] | None = (
            None if self._pacer is None else self._pacer.next_wire
        )
        self._pumping = False
        self._poked = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Start reading the venue's stream (a backtest waits for its first client)."""
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(), name="tradewire-hub")
        self._watch_task = loop.create_task(self._watch(), name="tradewire-hub-send-timeout")

    async def _watch(self) -> None:
        # Every client's send timeout, checked by one periodic timer rather than a timer per frame.
        tick = min(max(self.settings.ws_send_timeout / 4, 0.05), 1.0)
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            for session in list(self.sessions):
                session.check(now)

    async def _run(self) -> None:
        if self._pacer is not None:
            await self._client_seen.wait()
            await self._run_pull(self._pacer)
            return
        try:
            async for batch in self.venue.stream():
                await self._publish(batch)
                if self.finished:
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("venue stream failed")
            metrics.VENUE_ERRORS.labels(code="STREAM").inc()

    async def _run_pull(self, venue: PacedVenue) -> None:
        # Acks pump the venue themselves (`_release`); this task only starts the run and takes the
        # events that REST commands add to a held step (the venue's `on_events`).
        poked = self._poked
        venue.on_events = poked.set
        try:
            while not self.finished:
                poked.clear()
                if not await self._pump(venue):
                    return
                await poked.wait()
        finally:
            venue.on_events = None

    async def _pump(self, venue: PacedVenue) -> bool:
        """Publish every batch the venue has ready; False once the stream is over (or failed)."""
        next_wire = self._next_wire
        if next_wire is None or self._pumping:
            return True  # the running pump polls again after its current batch
        self._pumping = True
        try:
            while not self.finished and not self.stopping:
                batch = next_wire()
                if batch is None:
                    if venue.finished:
                        if self._end_task is None:
                            log.warning("backtest stream ended without backtest_complete")
                        return False
                    return True
                encoded = Batch(batch.texts, batch.event_ids, batch.timestamp)
                await self._publish_paced(encoded, batch.step, batch.complete_id)
                busy_poll.poke()  # the ack is due: keep a spinning loop (uvloop) polling for it
            return not self.finished
        except Exception:
            log.exception("venue stream failed")
            metrics.VENUE_ERRORS.labels(code="STREAM").inc()
            self._next_wire = None
            return False
        finally:
            self._pumping = False

    async def shutdown(self, grace: float) -> None:
        """DISCONNECTING to every client, `grace` seconds, then close 1001; stop reading the venue."""
        self.stopping = True
        notice = disconnecting()
        for session in list(self.sessions):
            session.notify(notice)
        if self.sessions:
            await asyncio.sleep(grace)
        for session in list(self.sessions):
            session.close(routes.CLOSE_GOING_AWAY, SHUTDOWN_REASON)
        await self._wait_closed(2.0)
        if any(not s.closed.is_set() for s in self.sessions):
            # Their close frame could not be written: they stopped reading. Do not leave them to
            # the server, whose graceful close would wait for their buffers to drain.
            for session in list(self.sessions):
                session.abort()
            await self._wait_closed(0.5)
        await self.stop()

    async def stop(self) -> None:
        """Stop the reader tasks (no messages to clients)."""
        self._cancel_timer()
        for task in (self._task, self._end_task, self._watch_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _wait_closed(self, timeout: float) -> None:
        waits = [s.closed.wait() for s in self.sessions if not s.closed.is_set()]
        if waits:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await asyncio.gather(*waits)

    # -- sessions ------------------------------------------------------------------------------------
    def join(self, session: Session) -> None:
        """Greet a new client (CONNECTED, STALE if any) and, in backtest, resend the pending messages."""
        self.sessions.add(session)
        metrics.WS_CLIENTS.inc()
        session.notify(
            Wire.of(
                ConnectionEvent(
                    event=ConnectionEventType.CONNECTED,
                    broker=self.broker,
                    timestamp=_now(),
                    run_id=self.run_id or None,
                )
            )
        )
        stale = self.venue.stale_symbols()
        if stale:
            session.notify(
                Wire.of(
                    DataStalenessEvent(
                        event=DataStalenessEventType.STALE,
                        symbols=list(stale),
                        broker=self.broker,
                        timestamp=_now(),
                    )
                )
            )
        if self.stopping:
            session.close(routes.CLOSE_GOING_AWAY, SHUTDOWN_REASON, disconnecting())
            return
        if self.paced:
            if self.finished:
                session.close(routes.CLOSE_NORMAL, COMPLETE_REASON)
                return
            if self.pending:
                pending = self.pending
                hits = session.deliver_batch(Batch(list(pending.values()), list(pending), self._pending_at))
                if hits:
                    asyncio.get_running_loop().create_task(self._release(hits))
                if self._complete_id in self.pending:
                    self._complete_delivered.set()
            self._arm_timer()
            self._client_seen.set()

    def leave(self, session: Session) -> None:
        """Forget a disconnected client. In backtest the run pauses if it was the last one."""
        if session in self.sessions:
            self.sessions.discard(session)
            metrics.WS_CLIENTS.dec()
        if not self.sessions:
            self._cancel_timer()

    # -- publishing ----------------------------------------------------------------------------------
    async def _publish(self, batch: StreamBatch) -> None:
        """Send a live venue's batch to whoever is connected (nobody to tell, nothing to keep)."""
        if self.stopping or not batch.messages or not self.sessions:
            return  # after DISCONNECTING nothing else goes out
        messages = batch.messages
        ids: list[str | None] = (
            list(batch.event_ids)
            if len(batch.event_ids) == len(messages)
            else [event_id_of(m) for m in messages]
        )
        wires = [Wire.of(m, i) for m, i in zip(messages, ids, strict=True)]
        for session in list(self.sessions):
            session.deliver(wires)

    async def _publish_paced(self, batch: Batch, step: int | None, complete_id: str | None) -> None:
        """Backtest: hold the batch's ids pending and send it, written at once where a client is idle."""
        if self.stopping:
            return
        pending = self.pending
        for i, text in zip(batch.event_ids, batch.texts, strict=True):
            if i is not None:
                pending[i] = text
        self._pending_at = batch.timestamp
        if complete_id is not None:
            self._complete_id = complete_id
        if step != self._step:
            self._step = step
            self._cancel_timer()
        self._arm_timer()
        hits: list[str] = []
        direct: list[tuple[Session, list[str]]] = []
        for session in self.sessions:  # `stage` does not yield, so the set cannot change meanwhile
            early, texts = session.stage(batch)
            if early:
                hits.extend(early)
            if texts:
                direct.append((session, texts))
        if self._complete_id is not None and self._end_task is None:
            if self.sessions:
                self._complete_delivered.set()
            self._end_task = asyncio.get_running_loop().create_task(
                self._finish(), name="tradewire-backtest-end"
            )
        count = len(batch.texts)
        for n, (session, texts) in enumerate(direct):
            try:
                await session.write_now(texts, count)
            except asyncio.CancelledError:
                # The task driving this (a reader whose client left) is going away mid-step: the
                # other clients' frames go to their writers and the hub's task takes over the rest.
                for later, frames in direct[n + 1 :]:
                    later.requeue(frames)
                if hits:
                    asyncio.get_running_loop().create_task(self._release(hits))
                self._poked.set()
                raise
        if hits:
            await self._release(hits)

    # -- acks ----------------------------------------------------------------------------------------
    async def ack(self, session: Session, ids: list[str], batch_id: str | None) -> None:
        """Apply one client's `event_ack` (live: counted and ignored)."""
        metrics.ACKS.inc()
        if not self.paced:
            return
        await self._release(session.resolve_ack(ids, batch_id))

    async def _release(self, ids: list[str]) -> None:
        pending = self.pending
        released = [
            i for i in (ids if len(ids) == 1 else dict.fromkeys(ids)) if pending.pop(i, None) is not None
        ]
        if not released:
            return
        for session in self.sessions:
            session.sent.difference_update(released)
        metrics.EVENTS_RELEASED.inc(len(released))
        if not pending:
            self._cancel_timer()
        if self._complete_id is not None and self._complete_id in released:
            self._complete_released.set()
        await self.venue.ack(released)
        pacer = self._pacer
        if not pending and pacer is not None and self._client_seen.is_set():
            await self._pump(pacer)

    # -- end of run ----------------------------------------------------------------------------------
    async def _finish(self) -> None:
        # Bounded wait for the ack of backtest_complete, counted from when a client has it.
        await self._complete_delivered.wait()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.settings.complete_ack_timeout):
                await self._complete_released.wait()
        self.finished = True
        self._cancel_timer()
        for session in list(self.sessions):
            session.close(routes.CLOSE_NORMAL, COMPLETE_REASON)
        log.info("backtest complete", extra={"released": self._complete_released.is_set()})

    def _arm_timer(self) -> None:
        timeout = self.settings.ack_timeout
        if timeout is None or self._step_timer is not None or not self.pending or not self.sessions:
            return
        self._step_timer = asyncio.get_running_loop().call_later(timeout, self._on_ack_timeout, self._step)

    def _cancel_timer(self) -> None:
        if self._step_timer is not None:
            self._step_timer.cancel()
            self._step_timer = None

    def _on_ack_timeout(self, step: int | None) -> None:
        self._step_timer = None
        if not self.pending or self.finished:
            return
        if not self.sessions:  # paused: nobody to wait for
            return
        pending = list(self.pending)
        log.error("backtest ack timeout", extra={"step": step, "pending": len(pending)})
        notice = Wire.of(
            ErrorEvent(
                code=WsErrorCode.INTERNAL_ERROR,
                message=f"Backtest stopped: step not acknowledged within {self.settings.ack_timeout:g} s",
                details=codec.json_to_value({"reason": "ack_timeout", "pending": pending}),
                timestamp=_now(),
            )
        )
        self.finished = True
        for session in list(self.sessions):
            session.close(routes.CLOSE_INTERNAL, "ack timeout", notice)
        if self._task is not None:
            self._task.cancel()
