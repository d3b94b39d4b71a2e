"""The fast in-process path: `Backtest(data).run(strategy)` calls the strategy synchronously per step."""

# The strategy's callback returning is the acknowledgement: orders it places act at that instant under
# the fill model, exactly as over the wire. Protocol messages are built only when the strategy defines
# `on_event` or an event log is attached, so the bar loop stays free of per-bar objects.

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from tradewire.engine.config import BacktestConfig
from tradewire.engine.core.events import K_CANDLE, K_QUOTE, Fill, FillLog
from tradewire.engine.core.instrument import Instrument
from tradewire.engine.core.numbers import fmt_money, fmt_qty
from tradewire.engine.core.orders import BUY, MARKET, SELL, OrderSnapshot, OrderState
from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.data.series import Series
from tradewire.engine.messages import MessageBuilder
from tradewire.engine.operations import ProtocolOperations
from tradewire.engine.results.result import BacktestResult
from tradewire.engine.simulation import Simulation
from tradewire.engine.views import BarView, FillView, QuoteView, StepView
from tradewire.protocol import codec
from tradewire.protocol import messages as m

__all__ = ["Backtest"]

EventSink = Callable[[m.ServerMessage], None]
_ZERO = Decimal(0)


def _creation(o: OrderState) -> tuple[int, int]:
    return o.created, o.seq


class Backtest:
    """One in-process backtest run.

    Args:
        data: A Series or a list of Series (see `from_arrays`, `read_csv`, `read_parquet`,
            `from_dataframe`, `synthetic_bars`, `sample_data`).
        config: A BacktestConfig; keyword arguments override its fields (`Backtest(data, cash="1e6")`).
        event_log: Optional consumer of every event as a protocol message (a callable), or a path to
            write them to as JSON lines (the same bytes the gateway would send).

    The strategy is any object with some of: `on_start(bt)`, `on_bar(bar)`, `on_quote(quote)`,
    `on_step(step)` (instead of on_bar/on_quote: once per instant with all its bars and quotes),
    `on_fill(fill)`, `on_event(message)` (order/trade/position/account/error messages), `on_end(bt)`;
    or a plain callable, used as on_bar. During callbacks it trades through this object's methods.

    Embedding API: a transport that drives a Backtest itself (the SDK's in-process transport) uses
    only these documented members besides the trading API below: `operations` (the same operations
    in protocol terms: requests in, protocol messages out), `messages` (engine records and snapshots
    to protocol messages), `instruments`, `series`, `steps`, `now_ns`, `bar_views` / `quote_views`
    (the reused views handed to strategies), `fill_log`, `fill_listeners`, `account_listeners`,
    `records`, `instrument_index()`, `has_position()`, `open_order_snapshots()`, `account_snapshot()`,
    `position_snapshot()` and `last_close()`.

    Attributes:
        operations: The run's `ProtocolOperations` on the account (`submit_request`, `modify`,
            `close_position`, `bars`, `list_orders`, ...); every call acts at the current instant.
        messages: The run's `MessageBuilder`: `message(record)`, `account(snapshot)`,
            `position(snapshot)`, `trade(fill)`, `bar(...)` and `quote(...)` build protocol messages.
        broker, wire: Deprecated aliases of `operations` and `messages`, kept for one release.
        bar_views: The BarView of each instrument, by index (reused bar after bar).
        quote_views: The QuoteView of each instrument, by index.
    """

    def __init__(
        self,
        data: Series | Sequence[Series],
        config: BacktestConfig | None = None,
        *,
        event_log: EventSink | str | None = None,
        **overrides: Any,
    ) -> None:
        cfg = config or BacktestConfig()
        if overrides:
            cfg = cfg.replace(**overrides)
        self.sim = Simulation(data, cfg, keep_history=True)
        self.config = cfg
        self.operations = ProtocolOperations(self.sim)
        self.messages = self.operations.messages
        self.kernel = self.sim.kernel
        self._event_log = event_log
        self._ran = False
        qs = self.kernel.qs
        self._qs = qs
        self.bar_views = [
            BarView(i.symbol, i.index, i.price_scale, qs, i.timeframe_ns, self.messages)
            for i in self.sim.instruments
        ]
        self.quote_views = [QuoteView(i.symbol, i.index, i.price_scale) for i in self.sim.instruments]
        self._pos_cache: list[tuple[int, Decimal]] = [(0, _ZERO) for _ in self.sim.instruments]

    # ------------------------------------------------------------------ the run
    def run(self, strategy: Any) -> BacktestResult:
        """Run the whole history through `strategy`; returns the results."""
        if self._ran:
            raise RuntimeError("a Backtest runs once; create a new one")
        self._ran = True
        k = self.kernel
        on_bar = getattr(strategy, "on_bar", None) or (strategy if callable(strategy) else None)
        on_quote = getattr(strategy, "on_quote", None)
        on_step = getattr(strategy, "on_step", None)
        on_event = getattr(strategy, "on_event", None)
        on_fill = getattr(strategy, "on_fill", None)
        sink = self._open_sink()
        if on_fill is not None:
            ins, ms = self.sim.instruments, k.ms
            k.fill_listeners.append(
                lambda f: on_fill(FillView(f, ins[f.sym].symbol, ins[f.sym].price_scale, self._qs, ms))
            )
        recording = on_event is not None or sink is not None
        if recording:
            k.rec = []
        start = getattr(strategy, "on_start", None)
        if start is not None:
            start(self)
        try:
            simple = (
                len(self.sim.series) == 1
                and self.sim.series[0].kind == "bar"
                and not recording
                and on_step is None
            )
            if simple:
                self._run_fast(on_bar)
            else:
                self._run_general(on_bar, on_quote, on_step, on_event, sink)
            end = getattr(strategy, "on_end", None)
            if end is not None:
                end(self)
            self.sim.complete()
            if recording:
                self._deliver(on_event, sink)
        finally:
            self._close_sink()
        return BacktestResult.from_simulation(self.sim)

    def _run_fast(self, on_bar: Callable[[BarView], None] | None) -> None:
        """One symbol, bars only, nobody listening to messages: the tight loop."""
        sim, k = self.sim, self.kernel
        bar = self.bar_views[0]
        sim.keep_history = (
            False  # recent bars are read back from the chunks instead (see Simulation.recent_bars)
        )
        # every-step sampling of one symbol's bars is the chunk's own times and closes, in bulk
        bulk = sim.every_step
        nxt = 2**63 - 1 if bulk else sim.next_sample
        for ch in sim.chunks():
            k.cols[0] = sim.switch_chunk(ch)
            sim.cur_chunk = ch
            bar.chunk = ch
            row = k.row
            k.quote_mark[0] = False
            k.has_price[0] = True
            if sim.start_ns is None and ch.n:
                sim.start_ns = ch.ts[0]
            i = -1
            try:
                for i, t in enumerate(ch.ts):
                    k.now = t
                    k.market_version += 1
                    k.evt += 1
                    row[0] = i
                    if k.n_working:
                        k._match_bar(0, ch.start[i], ch.a[i], ch.b[i], ch.c[i], ch.e[i])
                    if k.watch:
                        k.check_margin()
                    if t >= nxt:
                        sim.sample_equity()
                        nxt = sim.next_sample
                    if on_bar is not None:
                        bar.i = i
                        on_bar(bar)
            except BaseException:
                sim.steps += i + 1  # the instant the strategy raised at counts: `result()` ends there
                if bulk:
                    sim.eq_ts.extend(ch.ts[: i + 1])
                    sim.px_raw[0].extend(ch.d[: i + 1])
                raise
            sim.steps += ch.n
            if bulk:
                sim.eq_ts.extend(ch.ts)
                sim.px_raw[0].extend(ch.d)
            sim.prev_chunk = ch

    def _run_general(self, on_bar: Any, on_quote: Any, on_step: Any, on_event: Any, sink: Any) -> None:
        k = self.kernel
        bars, quotes = self.bar_views, self.quote_views
        step = StepView()
        for ch, i, j in self.sim.steps_iter():
            if k.rec is not None:
                # the market events of this instant come first, then what matching produced
                self._deliver_market(sink)
            sym, kind = ch.sym, ch.kind
            if on_step is not None:
                step.bars.clear()
                step.quotes.clear()
                step.time_ns = ch.ts[i]
            for r in range(i, j):
                s = sym[r]
                if kind[r] == 0:
                    v = bars[s]
                    v.chunk = ch
                    v.i = r
                    if on_step is not None:
                        step.bars.append(v)
                    elif on_bar is not None:
                        on_bar(v)
                else:
                    q = quotes[s]
                    q.chunk = ch
                    q.i = r
                    if on_step is not None:
                        step.quotes.append(q)
                    elif on_quote is not None:
                        on_quote(q)
            if on_step is not None:
                on_step(step)
            if k.rec is not None:
                self._deliver(on_event, sink)

    def result(self) -> BacktestResult:
        """The results so far: final once `run` has returned; when a strategy's exception ended `run`,
        they end at the instant it raised (the run is then complete and cannot go on)."""
        self.sim.complete()
        return BacktestResult.from_simulation(self.sim)

    # ------------------------------------------------------------------ events out
    def _deliver_market(self, sink: EventSink | None) -> None:
        """Send the candle/quote records at the head of the step to the sink."""
        rec = self.kernel.rec
        assert rec is not None
        n = 0
        builder = self.messages
        while n < len(rec) and rec[n][0] in (K_CANDLE, K_QUOTE):
            if sink is not None:
                sink(builder.message(rec[n]))
            n += 1
        del rec[:n]

    def _deliver(self, on_event: EventSink | None, sink: EventSink | None) -> None:
        """Hand the pending records to the log and on_event, until the strategy stops adding more
        (orders placed from on_event join the same instant, like a further batch of the step)."""
        rec = self.kernel.rec
        assert rec is not None
        builder = self.messages
        while rec:
            batch = rec[:]
            rec.clear()
            for r in batch:
                msg = builder.message(r)
                if sink is not None:
                    sink(msg)
                if on_event is not None and r[0] not in (K_CANDLE, K_QUOTE):
                    on_event(msg)

    def _open_sink(self) -> EventSink | None:
        log = self._event_log
        self._fh = None
        if log is None or callable(log):
            return log
        fh = open(log, "wb")
        self._fh = fh

        def write(msg: m.ServerMessage) -> None:
            fh.write(codec.encode(msg) + b"\n")

        return write

    def _close_sink(self) -> None:
        if self._fh is not None:
            self._fh.close()

    # ------------------------------------------------------------------ trading API (during the run)
    @property
    def now(self) -> dt.datetime:
        """The current simulated instant (UTC)."""
        return ns_to_dt(self.kernel.now)

    def submit(
        self,
        symbol: str,
        side: str | int,
        quantity: Decimal | int | str | None = None,
        order_type: str | int = MARKET,
        **fields: Any,
    ) -> OrderState:
        """Submit an order; fields as in SubmitOrderRequest (limit_price, stop_price, time_in_force,
        trailing_distance, trailing_type, stop_loss, take_profit, client_order_id, oco_group_id,
        reduce_only, post_only, notional). Prices/quantities are decimal text, Decimal or int; a MARKET
        order may give `notional` (quote currency) instead of `quantity`.
        Returns the live order state (`.id`, `.status`); raises the protocol's typed errors."""
        return self.operations.submit(symbol, side, quantity, order_type, **fields)

    def buy(
        self,
        symbol: str,
        quantity: Decimal | int | str | None = None,
        order_type: str | int = MARKET,
        **fields: Any,
    ) -> OrderState:
        """Submit a BUY order (market unless `order_type` says otherwise)."""
        return self.operations.submit(symbol, BUY, quantity, order_type, **fields)

    def sell(
        self,
        symbol: str,
        quantity: Decimal | int | str | None = None,
        order_type: str | int = MARKET,
        **fields: Any,
    ) -> OrderState:
        """Submit a SELL order (market unless `order_type` says otherwise)."""
        return self.operations.submit(symbol, SELL, quantity, order_type, **fields)

    def cancel(self, order_id: str) -> m.CancelOrderResult:
        return self.operations.cancel(order_id)

    def cancel_all(self, symbol: str | None = None) -> m.CancelAllResult:
        return self.operations.cancel_all(symbol)

    def modify(self, order_id: str, **changes: Any) -> m.ModifyOrderResult:
        """Amend a working order: quantity, limit_price, stop_price, stop_loss, take_profit, trailing_distance."""
        return self.operations.modify(
            order_id, m.ModifyOrderRequest(**{k: str(v) for k, v in changes.items()})
        )

    def close_position(self, symbol: str, quantity: Decimal | int | str | None = None) -> OrderState | None:
        """Close all or part of `symbol`'s position with a market order; None when flat."""
        s = self.operations._sym(symbol)
        if self.kernel.ledger.positions[s].qty == 0:
            return None
        return self.operations.close(s, quantity)

    def close_all(self) -> list[m.OrderHandle]:
        return self.operations.close_all()

    def position(self, symbol: str) -> Decimal:
        """Signed position quantity of `symbol` (0 when flat), with the digits its position message shows
        (`Decimal("10")`, not `Decimal("10.00000000")`)."""
        s = self.sim.symbols[symbol]
        q = self.kernel.ledger.positions[s].qty
        cached = self._pos_cache[s]
        if cached[0] == q:
            return cached[1]
        d = Decimal(fmt_qty(q, self._qs)) if q else _ZERO
        self._pos_cache[s] = (q, d)
        return d

    def get_position(self, symbol: str) -> m.Position | None:
        """The open position of `symbol` as a protocol Position, or None."""
        s = self.sim.symbols[symbol]
        return self.operations.position_message(s) if self.kernel.ledger.positions[s].qty else None

    def positions(self) -> list[m.Position]:
        return self.operations.list_positions()

    def account(self) -> m.Account:
        return self.operations.account()

    @property
    def cash(self) -> Decimal:
        return Decimal(fmt_money(self.kernel.ledger.cash, self.kernel.ms))

    @property
    def equity(self) -> Decimal:
        return Decimal(fmt_money(self.kernel.equity(), self.kernel.ms))

    def order(self, order_id: str) -> m.Order:
        return self.operations.get_order(order_id)

    def open_orders(self, symbol: str | None = None) -> list[m.Order]:
        return self.operations.list_orders(m.ListOrdersRequest(symbol=symbol), terminal=False)

    def bars(self, symbol: str, limit: int = 100) -> list[m.Bar]:
        """The last `limit` completed bars of `symbol` (never the future)."""
        inst = self.sim.instruments[self.sim.symbols[symbol]]
        from tradewire.engine.data.timeframes import timeframe_enum

        tf = m.Timeframe(timeframe_enum(inst.timeframe)) if inst.timeframe else m.Timeframe(0)
        return self.operations.bars(m.GetBarsRequest(symbol=symbol, timeframe=tf, limit=limit))

    @property
    def fills(self) -> list[Fill]:
        """Every fill so far, as a new list of `Fill` objects (see `fill_log` for the live log)."""
        return list(self.kernel.fills)

    # ------------------------------------------------------------------ embedding API
    @property
    def broker(self) -> ProtocolOperations:
        """Deprecated alias of `operations`, kept for one release."""
        return self.operations

    @property
    def wire(self) -> MessageBuilder:
        """Deprecated alias of `messages`, kept for one release."""
        return self.messages

    @property
    def fill_log(self) -> FillLog:
        """The run's live fill log (no copy): `len()`, indexing and iteration give `Fill` objects
        (`id`, `order_id`, `sym`, `side` 1 buy / 2 sell, scaled `qty` / `price` / `commission`, `ts`)."""
        return self.kernel.fills

    @property
    def fill_listeners(self) -> list[Callable[[Fill], None]]:
        """Callables run with each `Fill` as it happens (append to listen)."""
        return self.kernel.fill_listeners

    def has_position(self, sym: int) -> bool:
        """Whether instrument `sym` has an open position now."""
        return self.kernel.ledger.positions[sym].qty != 0

    def instrument_index(self, symbol: str) -> int | None:
        """The index of `symbol`'s instrument (as in `instruments`), or None when the run has none."""
        return self.sim.symbols.get(symbol)

    def open_order_snapshots(self) -> list[OrderSnapshot]:
        """Every order not yet finished, oldest first, in the engine's scaled form (`messages.order(s)`
        is its message): the same orders as `open_orders()` without building messages or reading the
        finished-order history."""
        if not self.kernel.n_working:
            return []
        live = [o for orders in self.kernel.working for o in orders]
        live.sort(key=_creation)
        return [o.snapshot() for o in live]

    @property
    def account_listeners(self) -> list[Callable[[tuple[int, int, int, int, int]], None]]:
        """Callables run with the account snapshot of every account event (each fill, margin warnings
        and calls), as `account_snapshot()` gives it (append to listen)."""
        return self.kernel.account_listeners

    @property
    def instruments(self) -> list[Instrument]:
        """The run's instruments by index: `symbol`, `index`, `timeframe`, `price_scale`, ..."""
        return self.sim.instruments

    @property
    def series(self) -> list[Series]:
        """The input data series (one per symbol and kind)."""
        return self.sim.series

    @property
    def steps(self) -> int:
        """Simulated instants processed so far."""
        return self.sim.steps

    @property
    def now_ns(self) -> int:
        """The current simulated instant, nanoseconds since the Unix epoch (UTC)."""
        return self.kernel.now

    @property
    def records(self) -> list[tuple[int, int, int, object]] | None:
        """Event records produced and not yet delivered (`wire.message(r)` turns one into a protocol
        message), or None when the run records no events. Consumers take and clear them."""
        return self.kernel.rec

    def account_snapshot(self) -> tuple[int, int, int, int, int]:
        """The account now, in the engine's scaled form (`wire.account(snapshot)` is the message)."""
        return self.kernel.account_snapshot()

    def position_snapshot(self, sym: int) -> tuple[int, ...]:
        """Instrument `sym`'s position now (`wire.position(snapshot)` is the message; index 1 is
        the signed quantity, 0 when flat)."""
        return self.kernel.position_snapshot(sym)

    def last_close(self, sym: int) -> float | None:
        """The close of instrument `sym`'s latest bar as a float, or None before its first bar."""
        k = self.kernel
        cols, row = k.cols[sym], k.row[sym]
        if cols is None or row < 0:
            return None
        return cols.d[row] / self.bar_views[sym].price_div  # type: ignore[no-any-return]
