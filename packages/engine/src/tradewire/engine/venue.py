"""BacktestVenue: the simulation behind the async `Venue` interface the gateway and SDK speak."""

# Pacing (spec events.md, "Backtest mode"): `stream()` yields one StreamBatch per step and holds
# simulated time until every event id of the step has been released with `ack()`. Orders placed
# meanwhile act at the held instant; their events come as further batches of the same step.

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any

from tradewire.engine.config import BacktestConfig
from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.data.series import Series
from tradewire.engine.json_text import JsonRenderer
from tradewire.engine.kernel_venue import KernelOperations
from tradewire.engine.operations import ProtocolOperations
from tradewire.engine.results.result import BacktestResult
from tradewire.engine.simulation import Simulation
from tradewire.protocol import messages as m
from tradewire.protocol.venue import EncodedBatch, PacedVenue, StreamBatch

__all__ = ["BacktestVenue"]


class BacktestVenue(KernelOperations, PacedVenue):
    """A deterministic, ack-paced backtest venue (the protocol's `PacedVenue` contract).

    Args:
        data: Series to replay (see `tradewire.engine` data sources).
        config: BacktestConfig; keyword arguments override fields.
        run_id: The run, for order and trade ids (`ord-<run_id>-000001`) and the gateway's `run_id`;
            empty (the default): ids without one (`ord-000001`), the same on every run, as in-process.
    """

    platform = m.TradingPlatform.BACKTEST

    def __init__(
        self,
        data: Series | Sequence[Series],
        config: BacktestConfig | None = None,
        *,
        run_id: str = "",
        **overrides: Any,
    ) -> None:
        cfg = config or BacktestConfig()
        if overrides:
            cfg = cfg.replace(**overrides)
        self.config = cfg
        self.run_id = run_id
        self.sim = Simulation(data, cfg, keep_history=True, run_id=run_id)
        self.operations = ProtocolOperations(self.sim)
        self.kernel = self.sim.kernel
        self.kernel.rec = []
        self._pending: set[str] = set()
        self._early: set[str] = set()  # acks for ids not yet yielded: applied when they are
        self._wake = asyncio.Event()
        self._streaming = False
        self._done = False
        self._yielded = 0  # highest event number handed to the consumer
        self._steps: Iterator[Any] | None = None
        self._text: JsonRenderer | None = None  # made by the first `next_wire`
        self._step = 0
        self._finished = False  # the last step has run (backtest_complete recorded)
        #: Called when a command added events to the held step (for `next_batch` consumers).
        self.on_events: Callable[[], None] | None = None

    # ------------------------------------------------------------------ the event stream
    async def stream(self) -> AsyncIterator[StreamBatch]:
        if self._streaming:
            raise RuntimeError("the backtest stream has one consumer")
        self._streaming = True
        wake = self._wake
        while True:
            batch = self.next_batch()
            if batch is not None:
                yield batch
                continue
            if self._done:
                return
            # hold the instant until all its ids are released; orders placed meanwhile add events
            await wake.wait()
            wake.clear()

    def next_batch(self) -> StreamBatch | None:
        """The stream's next batch if it is ready now, else None (its ids still pending, or the end).

        The synchronous form of `stream()` for a consumer that drives the pacing itself (the gateway
        calls it right after passing an ack on, with no task switch): None means wait for `ack()` or
        for `on_events` (a command added events to the held step); `finished` says the stream ended.
        Use either this (or `next_wire`) or `stream()`, not both.
        """
        taken = self._take()
        if taken is None:
            return None
        batch, ids = taken
        messages = self.operations.messages
        msgs = [messages.message(r) for r in batch]
        return StreamBatch(messages=msgs, step=self._step, event_ids=[i for i in ids if i is not None])

    def next_wire(self) -> EncodedBatch | None:
        """`next_batch` with the messages as wire JSON text, byte for byte what the codec writes.

        For a consumer that only forwards the messages (the gateway): candles and quotes are written
        from the simulation's integers without building protocol objects. Pacing is the same.
        """
        taken = self._take()
        if taken is None:
            return None
        text = self._text
        if text is None:
            text = self._text = JsonRenderer(self.operations.messages)
        return text.batch(self._step, *taken)

    def _take(self) -> tuple[list[tuple[int, int, int, Any]], list[str | None]] | None:
        # The next batch's records and their ids (None: no id), now pending; None as for next_batch.
        rec = self.kernel.rec
        assert rec is not None
        while not rec:
            if self._pending or self._done:
                return None
            if self._finished:
                self._done = True
                return None
            if self._steps is None:
                self._steps = self.sim.steps_iter()
            if next(self._steps, None) is None:
                self._finished = True
                self.sim.complete()
            else:
                self._step += 1
        batch = rec[:]
        rec.clear()
        ids: list[str | None] = [f"evt-{r[1]}" if r[1] else None for r in batch]
        self._yielded = max(self._yielded, max(r[1] for r in batch))
        early = self._early
        if early or None in ids:
            for i in ids:
                if i is None:
                    continue
                if i in early:
                    early.discard(i)  # acked before it was sent: released already
                else:
                    self._pending.add(i)
        else:
            self._pending.update(ids)  # type: ignore[arg-type]  # no None here
        self._wake.clear()
        return batch, ids

    async def ack(self, event_ids: Iterable[str]) -> None:
        pending = self._pending
        ids = event_ids if isinstance(event_ids, (list, tuple)) else list(event_ids)
        if pending.issuperset(ids):  # the usual ack: ids of the held step, released in one go
            pending.difference_update(ids)
            self._wake.set()
            return
        for i in ids:
            if i in pending:
                pending.discard(i)
            elif isinstance(i, str) and i.startswith("evt-") and not self._done:
                try:
                    n = int(i[4:])
                except ValueError:
                    continue
                if n > self._yielded:  # not yet sent: remember it
                    self._early.add(i)
        self._wake.set()

    def _poke(self) -> None:
        if self.kernel.rec:
            self._wake.set()
            if self.on_events is not None:
                self.on_events()

    @property
    def finished(self) -> bool:
        """True once `backtest_complete` has been streamed."""
        return self._done

    def result(self) -> BacktestResult:
        """Results so far (complete once the stream has ended)."""
        return BacktestResult.from_simulation(self.sim)

    def _after_command(self) -> None:
        self._poke()

    # ------------------------------------------------------------------ market data, facts
    async def get_bars(self, request: m.GetBarsRequest) -> list[m.Bar]:
        return self.operations.bars(request)

    async def capabilities(self) -> m.Capabilities:
        return self.operations.capabilities()

    async def status(self) -> m.ConnectionStatus:
        """Always connected; `last_heartbeat` is the simulated instant (no wall clock in a backtest)."""
        return m.ConnectionStatus(connected=True, latency_ms=0, last_heartbeat=ns_to_dt(self.kernel.now))
