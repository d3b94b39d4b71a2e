"""What the engine calls during an in-process run: candles only, or every event kind as protocol messages."""

# Semantics match the wire exactly: each instant's market data and the fills it caused form one
# delivery (state first, then handlers), and orders placed by handlers produce further deliveries of
# the same instant before time moves on (tests/test_wire.py pins fills, equity and the event log).

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk.failures import HandlerFailed, Interrupted
from tradewire.sdk.market import Candle, EngineCandle, Tick, engine_candle_class
from tradewire.sdk.refusals import Refusals
from tradewire.sdk.result import RunResult
from tradewire.sdk.router import Router
from tradewire.sdk.strategy import Strategy, bind, set_clock
from tradewire.sdk.transports.inprocess.transport import InProcessTransport

if TYPE_CHECKING:
    from tradewire.engine import BarView, Embedding

__all__ = ["CandleAdapter", "EventAdapter", "RunContext"]


def candle_maker(bt: Embedding) -> Callable[[Any], Candle]:
    """Candle from the engine's (reused) BarView: a fresh object per bar, close eager, the rest on access."""
    classes: dict[int, type[EngineCandle]] = {}

    def make(bar: Any) -> Candle:
        cls = classes.get(bar.sym)
        if cls is None:
            cls = classes[bar.sym] = candle_class(bt, bar)
        ch, i = bar.chunk, bar.i
        return cls(ch.close_f[i], ch, i)

    return make


def candle_class(bt: Embedding, bar: BarView) -> type[EngineCandle]:
    inst = bt.instruments[bar.sym]
    return engine_candle_class(
        inst.symbol, inst.timeframe or "", bar.messages, bar.sym, bar.price_div, bar.volume_div
    )


class RunContext:
    """Bookkeeping shared by the two adapters."""

    def __init__(
        self,
        strategy: Strategy,
        bt: Embedding,
        result: RunResult,
        progress: Callable[[RunResult, Strategy], None] | None,
        refusals: Refusals,
        router: Router,
    ) -> None:
        self.strategy = strategy
        self.bt = bt
        self.result = result
        self.progress = progress
        self.router = router
        self.refusals = refusals
        self.transport = InProcessTransport(bt, refusals)
        self.transport.before_command = lambda symbols: strategy.state.freeze(symbols)
        self.make_candle = candle_maker(bt)
        self.started = time.perf_counter()

    def start(self, _bt: Embedding) -> None:
        s = self.strategy
        bind(s, self.transport)
        bt = self.bt
        # no event yet, so no time: `now` in on_start is the epoch, as over the wire
        self.router.run_sync(s.on_start, no_arg=True)
        set_clock(s, lambda: bt.now_ns)
        self.deliver_refusals()

    def end(self, _bt: Embedding) -> None:
        self.strategy.state.thaw()  # on_stop sees the final state, as after the wire's last delivery
        self.router.run_sync(self.strategy.on_stop, no_arg=True)
        self.deliver_refusals()

    def deliver_refusals(self) -> None:
        """Deliver the ORDER_REJECTED events of refusals the venue made no event for (as over the wire:
        right after the handlers that placed them, before the events of their other orders)."""
        take = self.refusals.take
        events: list[Any] = take()
        while events:
            self.router.deliver(events)
            events = take()


class CandleAdapter:
    """Plain `on_candle` handling, nothing listening to order/trade/position/account events: candles
    straight from the engine's bars, the state read from the engine (`EngineState`), one symbol or many."""

    def __init__(self, run: RunContext) -> None:
        self.run = run
        self.on_start = run.start
        self.on_end = run.end
        self.bars = 0  # bars handled, when they differ from the instants (several symbols)
        handler = run.router.simple_candle
        result = run.result
        progress = run.progress
        strategy = run.strategy
        bt = run.bt
        only = run.router.only
        # per instrument, its Candle class (None: a symbol the strategy did not ask for)
        classes: list[type[EngineCandle] | None] = [
            None if only is not None and inst.symbol not in only else candle_class(bt, view)
            for inst, view in zip(bt.instruments, bt.bar_views, strict=True)
        ]

        def _skip(_: Any) -> None:
            return None

        h = handler or _skip

        def stop() -> None:
            nonlocal h
            h = _skip

        def stopped(_: Any) -> None:
            raise Interrupted()

        def interrupt() -> None:
            # the next bar raises instead of reaching the handler: the run ends at that instant
            nonlocal h
            h = stopped

        run.transport.on_stop_request = stop
        run.transport.on_interrupt = interrupt

        if len(classes) == 1 and progress is None and classes[0] is not None:
            candle = classes[0]

            # The hot path of every single-symbol backtest: one fresh Candle and one handler call per bar.
            def on_bar(bar: Any) -> None:
                ch = bar.chunk
                i = bar.i
                c = candle(ch.close_f[i], ch, i)
                try:
                    h(c)
                except Exception as e:
                    raise HandlerFailed(e, "on_candle", c) from e

        else:

            def on_bar(bar: Any) -> None:
                cls = classes[bar.sym]
                if cls is None:
                    return
                ch = bar.chunk
                i = bar.i
                c = cls(ch.close_f[i], ch, i)
                try:
                    h(c)
                except Exception as e:
                    raise HandlerFailed(e, "on_candle", c) from e
                self.bars += 1
                if progress is not None and not self.bars & 255:
                    result.bars = self.bars
                    progress(result, strategy)

        self.on_bar = on_bar


class EventAdapter:
    """Every event kind, several symbols, quotes, event logs: instant by instant through the Router."""

    def __init__(self, run: RunContext, events_log: IO[bytes] | None) -> None:
        self.run = run
        self.on_end = run.end
        self.log = events_log
        self.market: list[m.ServerMessage] = []  # this instant's market messages (for the log)
        self.batch_no = 0
        self.pending: list[list[Any]] = []
        self.trades = run.result.trades
        self.stopped = False
        self.interrupted = False
        run.transport.after_command = self._cut
        run.transport.on_stop_request = self._stop
        run.transport.on_interrupt = self._interrupt

    def on_start(self, bt: Embedding) -> None:
        self.run.start(bt)
        # Orders placed in on_start: their events come before the first instant's and, as over the
        # wire (where the gateway holds them until the stream connects), as one delivery.
        self._cut()
        if self.pending:
            self.pending = [[r for batch in self.pending for r in batch]]
        self._drain()

    def _stop(self) -> None:
        self.stopped = True

    def _interrupt(self) -> None:
        self.interrupted = True

    # the engine's message sink (only with an events log): market messages arrive before on_step
    def sink(self, message: m.ServerMessage) -> None:
        self.market.append(message)

    def _cut(self) -> None:
        """Records a command produced become their own pending delivery."""
        rec = self.run.bt.records
        if rec:
            self.pending.append(rec[:])
            rec.clear()

    def _write(self, messages: list[m.ServerMessage]) -> None:
        if self.log is None or not messages:
            return
        self.batch_no += 1
        frame = m.EventBatch(batch_id=f"b-{self.batch_no}", timestamp=self.run.bt.now, events=messages)
        self.log.write(codec.encode(frame) + b"\n")

    def _deliver(self, events: list[Any], messages: list[m.ServerMessage]) -> None:
        run = self.run
        result = run.result
        if self.interrupted:
            raise Interrupted()
        self._write(messages)
        for ev in events:
            if type(ev) is m.TradeEvent and ev.trade is not None:
                self.trades.append(ev.trade)
        if not self.stopped:
            run.router.deliver(events)
            run.deliver_refusals()
        result.steps += 1
        result.events += len(events)

    def on_step(self, step: Any) -> None:
        run = self.run
        bt = run.bt
        rec = bt.records
        assert rec is not None  # this adapter runs with the engine recording events
        wire = bt.messages
        make = run.make_candle
        records = rec[:]
        rec.clear()
        events: list[Any] = [make(b) for b in step.bars]
        run.result.bars += len(events)
        messages = self.market
        self.market = []
        if step.quotes:
            last_close = bt.last_close
            for q in step.quotes:
                s, ch, i, div = q.sym, q.chunk, q.i, q.price_div
                last = last_close(s)
                if last is None:
                    last = ch.close_f[i]
                exact = functools.partial(wire.quote, s, ch.ts[i], ch.a[i], ch.b[i], None, None)
                events.append(Tick(q.symbol, ch.ts[i], ch.a[i] / div, ch.b[i] / div, last, exact))
        for r in records:
            msg = wire.message(r)
            if msg is not None:
                messages.append(msg)
                events.append(codec.payload(msg))
        self._deliver(events, messages)
        self._drain()
        if run.progress is not None and not run.result.steps % 256:
            run.progress(run.result, run.strategy)

    def _drain(self) -> None:
        wire = self.run.bt.messages
        while True:
            self._cut()
            if not self.pending:
                return
            batches, self.pending = self.pending, []
            for records in batches:
                messages = [msg for msg in (wire.message(r) for r in records) if msg is not None]
                self._deliver([codec.payload(x) for x in messages], messages)

    def on_event(self, message: m.ServerMessage) -> None:
        # only the final backtest_complete (and records no step consumed) arrive here
        self._write([message])
