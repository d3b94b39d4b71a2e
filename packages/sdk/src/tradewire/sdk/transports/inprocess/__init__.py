"""The in-process transport: a Strategy driven by the engine's synchronous Backtest — no sockets, no JSON."""

# The only SDK package that imports `tradewire.engine` (lazily; install `tradewire-sdk[backtest]`).
# Semantics match the wire exactly: each instant's market data and the fills it caused form one
# delivery (state first, then handlers), and orders placed by handlers produce further deliveries of
# the same instant before time moves on (tests/test_wire.py pins fills, equity and the event log).

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO, Any, NamedTuple

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk._routes import build_order
from tradewire.sdk.errors import ConfigurationError, TradewireError, refine
from tradewire.sdk.failures import HandlerFailed, StrategyError, describe_event, strategy_frame
from tradewire.sdk.market import Candle, EngineCandle, Tick, engine_candle_class
from tradewire.sdk.marks import mark_account, signed_quantity
from tradewire.sdk.refusals import REFUSALS, Refusals
from tradewire.sdk.result import RunResult
from tradewire.sdk.router import Router
from tradewire.sdk.state import TradingState
from tradewire.sdk.strategy import Strategy
from tradewire.sdk.transports import BACKTEST_ID_SEED, ClientOrderIds

__all__ = ["InProcessTransport", "engine", "run_inprocess"]

#: Handlers that need the engine's event messages (the general path); without them the fast path runs.
_EVENT_HANDLERS = (
    "on_order",
    "on_trade",
    "on_position",
    "on_account",
    "on_margin_warning",
    "on_error",
    "on_quote",
)
#: Keywords of SubmitOrderRequest the engine's submit takes; the others are venue hints it ignores.
_ENGINE_FIELDS = frozenset(
    {
        "time_in_force",
        "limit_price",
        "stop_price",
        "trailing_distance",
        "trailing_type",
        "stop_loss",
        "take_profit",
        "client_order_id",
        "oco_group_id",
        "reduce_only",
        "post_only",
    }
)
_PROGRESS_EVERY = 8192
_ZERO = Decimal(0)
_SIDES = {"BUY": 1, "SELL": 2, "buy": 1, "sell": 2}
_TYPES = {"MARKET": 1, "LIMIT": 2, "STOP": 3, "STOP_LIMIT": 4, "TRAILING_STOP": 5}


def engine() -> Any:
    """The engine module (`tradewire.engine`), or a one-line error naming the extra to install.

    This package uses only the engine's documented public API: the names `tradewire.engine`
    exports and the members they document (see `Backtest`'s embedding API and `BarView`).
    tests/test_engine_seam.py fails on any private engine name here.
    """
    try:
        import tradewire.engine as te
    except ImportError as e:
        raise ConfigurationError(
            f"in-process backtests need the engine: pip install 'tradewire-sdk[backtest]' ({e})"
        ) from None
    return te


class InProcessTransport:
    """Strategy commands as direct calls on the engine's broker, at the current simulated instant."""

    platform = "backtest"

    def __init__(self, bt: Any, refusals: Refusals) -> None:
        self.bt = bt
        self.broker = bt.operations
        self.refusals = refusals
        self.submitted = 0
        self.new_id = ClientOrderIds(BACKTEST_ID_SEED)
        #: Called after every command, so its events become their own delivery (as over the wire).
        self.after_command: Callable[[], None] | None = None
        #: Called before every command with the symbols whose positions it may fill at once (None: any),
        #: so the state keeps the view of the delivery being handled.
        self.before_command: Callable[[Sequence[str] | None], None] | None = None
        #: Called when the strategy asks to stop.
        self.on_stop_request: Callable[[], None] | None = None

    def request_stop(self) -> None:
        if self.on_stop_request is not None:
            self.on_stop_request()

    def _before(self, symbols: Sequence[str] | None) -> None:
        if self.before_command is not None:
            self.before_command(symbols)

    def _done(self) -> None:
        if self.after_command is not None:
            self.after_command()

    def submit(self, request: m.SubmitOrderRequest | None, fields: dict[str, Any]) -> m.OrderHandle:
        self.submitted += 1
        symbol = request.symbol if request is not None else fields.get("symbol")
        self._before((symbol,) if isinstance(symbol, str) else None)
        try:
            if request is not None:
                request = build_order(request, new_id=self.new_id)
                o = self.broker.submit_request(request)
            else:
                if not fields.get("client_order_id"):
                    fields["client_order_id"] = self.new_id()
                try:
                    symbol, side, quantity = fields["symbol"], fields["side"], fields["quantity"]
                except KeyError as e:
                    raise TypeError(f"submit_order needs symbol, side and quantity (missing {e})") from None
                kw = {k: v for k, v in fields.items() if k in _ENGINE_FIELDS and v is not None}
                if type(quantity) is float or any(type(v) is float for v in kw.values()):
                    raise TypeError("floats are never money: pass Decimal, int or decimal text")
                otype = fields.get("order_type") or "MARKET"
                # the engine's own int codes for the common spellings skip its enum parsing
                o = self.broker.submit(
                    symbol, _SIDES.get(side, side), quantity, _TYPES.get(otype, otype), **kw
                )
        except REFUSALS as e:
            return self.refusals.refused(refine(e), request or _described(fields, e))
        except TradewireError as e:
            raise refine(e) from None
        finally:
            self._done()
        return _Handle(o)  # type: ignore[return-value]

    def _command(self, fills: Sequence[str] | None, fn: Callable[..., Any], *args: Any) -> Any:
        self._before(fills)
        return self._call(fn, *args)

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except TradewireError as e:
            raise refine(e) from None
        finally:
            self._done()

    def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        return self._command((), self.broker.cancel, order_id)  # type: ignore[no-any-return]

    def cancel_all_orders(self, symbol: str | None) -> m.CancelAllResult:
        return self._command((), self.broker.cancel_all, symbol)  # type: ignore[no-any-return]

    def modify_order(self, order_id: str, **fields: Any) -> m.ModifyOrderResult:
        request = m.ModifyOrderRequest(**{k: None if v is None else codec.dec(v) for k, v in fields.items()})
        return self._command(None, self.broker.modify, order_id, request)  # type: ignore[no-any-return]

    def close_position(self, position_id: str, request: m.ClosePositionRequest) -> m.OrderHandle:
        self.submitted += 1
        return self._command(None, self.broker.close_position, position_id, request)  # type: ignore[no-any-return]

    def get_bars(self, symbol: str, timeframe: str, limit: int) -> list[m.Bar]:
        tf = codec.parse_enum(m.Timeframe, timeframe)
        return self._call(self.broker.bars, m.GetBarsRequest(symbol=symbol, timeframe=tf, limit=limit))  # type: ignore[no-any-return]

    def get_account(self) -> m.Account:
        return self.broker.account()  # type: ignore[no-any-return]

    def list_positions(self) -> list[m.Position]:
        return self.broker.list_positions()  # type: ignore[no-any-return]

    def list_orders(self) -> list[m.Order]:
        return self.broker.list_orders(None, False)  # type: ignore[no-any-return]


def _described(fields: dict[str, Any], error: TradewireError) -> m.SubmitOrderRequest:
    """The request a refused keyword submit stands for (`error` itself when the keywords cannot make one)."""
    try:
        return build_order(None, **fields)
    except (TypeError, ValueError, TradewireError):
        raise refine(error) from None


class _EngineState(TradingState):
    """The state of a run without event handlers, read from the engine when asked.

    No event messages exist on this path, so the view is built from what the wire's events would
    have carried: positions from the engine's live ones (at its current prices, exactly what a
    position event marked at this instant says), the account from its report at the last account
    event (every fill, margin warnings and calls). Both are marked by `tradewire.sdk.marks`, the
    code that marks the wire's state, so the two transports agree digit for digit.
    """

    __slots__ = ("_acct", "_at", "_bt", "_frozen", "_open")

    def __init__(self, bt: Any) -> None:
        # not TradingState.__init__: orders and fills are read from the engine, not kept
        self._version = 0
        self._marked = (-1, None, {})
        self._bt = bt
        self._acct: Any = bt.account_snapshot()
        self._open: dict[int, None] = {}  # instruments with an open position, in opening order
        self._at = bt.now_ns
        self._frozen: _View | None = None
        position_snapshot = bt.position_snapshot

        def on_account(snapshot: Any) -> None:
            self._acct = snapshot
            self._version += 1

        def on_fill(f: Any) -> None:
            if position_snapshot(f.sym)[1]:
                self._open[f.sym] = None
            else:
                self._open.pop(f.sym, None)
            self._version += 1

        bt.account_listeners.append(on_account)
        bt.fill_listeners.append(on_fill)

    def freeze(self, symbols: Sequence[str] | None = None) -> None:
        """Keep this delivery's view while the handler's own command on `symbols` changes the engine.

        Over the wire a command's events arrive as a later delivery, so what a handler reads does not
        move under it when it places, cancels or modifies an order; the view follows the engine again
        at the next instant (or `thaw`). Only a command's own symbol can fill at once, so its position
        is the one kept (every open one when `symbols` is None); the rest stays the engine's.
        """
        bt = self._bt
        frozen = self._view()
        if frozen is None:
            frozen = self._frozen = _View(
                bt.now_ns, self._acct, dict(self._open), {}, bt.open_order_snapshots(), len(bt.fill_log)
            )
        kept, position_snapshot = frozen.positions, bt.position_snapshot
        index = bt.instrument_index
        for sym in list(self._open) if symbols is None else [index(s) for s in symbols]:
            if sym is not None and sym not in kept:
                kept[sym] = position_snapshot(sym)

    def thaw(self) -> None:
        """Follow the engine again (every event has been delivered)."""
        self._frozen = None

    def _view(self) -> _View | None:
        frozen = self._frozen
        if frozen is not None and frozen.at == self._bt.now_ns:
            return frozen
        return None

    def quantity(self, symbol: str) -> Decimal:
        frozen = self._view()
        bt = self._bt
        if frozen is not None:
            sym = bt.instrument_index(symbol)
            snap = frozen.positions.get(sym)
            if snap is not None:
                return signed_quantity(bt.messages.position(snap)) if snap[1] else _ZERO
        return bt.position(symbol)  # type: ignore[no-any-return]

    def _mark(self) -> tuple[int, m.Account | None, dict[str, m.Position]]:
        bt = self._bt
        frozen = self._view()
        if frozen is not None:
            kept, position_snapshot = frozen.positions, bt.position_snapshot
            snapshots = [kept.get(s) or position_snapshot(s) for s in frozen.open]
            return (-1, *self._messages(frozen.account, snapshots))
        if bt.now_ns != self._at:
            self._at = bt.now_ns  # prices move with every instant
            self._version += 1
        marked = self._marked
        if marked[0] == self._version:
            return marked
        position_snapshot = bt.position_snapshot
        self._marked = marked = (
            self._version,
            *self._messages(self._acct, [position_snapshot(s) for s in self._open]),
        )
        return marked

    def _messages(self, account: Any, positions: list[Any]) -> tuple[m.Account, dict[str, m.Position]]:
        messages = self._bt.messages
        marked = {p.symbol: p for p in (messages.position(s) for s in positions)}
        return mark_account(messages.account(account), marked), marked

    @property
    def orders(self) -> dict[str, m.Order]:  # type: ignore[override]
        frozen = self._view()
        bt = self._bt
        snapshots = frozen.orders if frozen is not None else bt.open_order_snapshots()
        order = bt.messages.order
        return {o.id: o for o in (order(s) for s in snapshots)}

    @property
    def fills(self) -> int:  # type: ignore[override]
        frozen = self._view()
        return frozen.fills if frozen is not None else len(self._bt.fill_log)


class _View(NamedTuple):
    """An _EngineState's view kept at one instant (see `_EngineState.freeze`)."""

    at: int
    account: Any  # the engine's account snapshot at the last account event before it
    open: dict[int, None]  # instruments with an open position
    positions: dict[int, Any]  # position snapshots of the instruments commands touched
    orders: list[Any]  # the engine's order snapshots, oldest first
    fills: int


def _candle_maker(bt: Any) -> Callable[[Any], Candle]:
    """Candle from the engine's (reused) BarView: a fresh object per bar, close eager, the rest on access."""
    classes: dict[int, type[EngineCandle]] = {}

    def make(bar: Any) -> Candle:
        cls = classes.get(bar.sym)
        if cls is None:
            cls = classes[bar.sym] = _candle_class(bt, bar)
        ch, i = bar.chunk, bar.i
        return cls(ch.close_f[i], ch, i)

    return make


def _candle_class(bt: Any, bar: Any) -> type[EngineCandle]:
    inst = bt.instruments[bar.sym]
    return engine_candle_class(
        inst.symbol, inst.timeframe or "", bar.messages, bar.sym, bar.price_div, bar.volume_div
    )


class _Handle:
    """The OrderHandle of an in-process submit: the same fields, the correlation id derived on access."""

    __slots__ = ("_status", "client_order_id", "id")

    def __init__(self, o: Any) -> None:
        self.id = o.id
        self.client_order_id = o.client_order_id
        self._status = o.status  # at submission, like the REST answer

    @property
    def status(self) -> m.OrderStatus:
        return m.OrderStatus(self._status)

    @property
    def correlation_id(self) -> str:
        return engine().correlation_id(self.id)  # type: ignore[no-any-return]

    def to_message(self) -> m.OrderHandle:
        """As the protocol OrderHandle (what the gateway would answer)."""
        return m.OrderHandle(
            id=self.id,
            client_order_id=self.client_order_id,
            correlation_id=self.correlation_id,
            status=self.status,
        )

    def __repr__(self) -> str:
        return f"OrderHandle(id={self.id!r}, client_order_id={self.client_order_id!r}, status={self.status.name})"


class _Run:
    """Bookkeeping shared by the two adapters."""

    def __init__(
        self,
        strategy: Strategy,
        bt: Any,
        result: RunResult,
        progress: Callable[[RunResult, Strategy], None] | None,
        refusals: Refusals,
    ) -> None:
        self.strategy = strategy
        self.bt = bt
        self.result = result
        self.progress = progress
        self.router = Router(strategy)
        self.refusals = refusals
        self.transport = InProcessTransport(bt, refusals)
        self.transport.before_command = lambda symbols: strategy.state.freeze(symbols)
        self.make_candle = _candle_maker(bt)
        self.started = time.perf_counter()

    def start(self, _bt: Any) -> None:
        s = self.strategy
        s._transport = self.transport
        bt = self.bt
        # no event yet, so no time: `now` in on_start is the epoch, as over the wire
        self.router.run_sync(s.on_start, no_arg=True)
        s._clock = lambda: bt.now_ns
        self.deliver_refusals()

    def end(self, _bt: Any) -> None:
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


class _FastAdapter:
    """Plain `on_candle` handling, nothing listening to order/trade/position/account events: candles
    straight from the engine's bars, the state read from the engine (`_EngineState`), one symbol or many."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.on_start = self._start
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
            None
            if only is not None and inst.symbol not in only
            else engine_candle_class(
                inst.symbol, inst.timeframe or "", view.messages, view.sym, view.price_div, view.volume_div
            )
            for inst, view in zip(bt.instruments, bt.bar_views, strict=True)
        ]

        def _skip(_: Any) -> None:
            return None

        h = handler or _skip

        def stop() -> None:
            nonlocal h
            h = _skip

        run.transport.on_stop_request = stop

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
                if progress is not None and not self.bars & 8191:
                    result.bars = self.bars
                    progress(result, strategy)

        self.on_bar = on_bar

    def _start(self, bt: Any) -> None:
        self.run.start(bt)


class _GeneralAdapter:
    """Every event kind, several symbols, quotes, event logs: instant by instant through the Router."""

    def __init__(self, run: _Run, events_log: IO[bytes] | None) -> None:
        self.run = run
        self.on_start = run.start
        self.on_end = run.end
        self.log = events_log
        self.market: list[m.ServerMessage] = []  # this instant's market messages (for the log)
        self.batch_no = 0
        self.pending: list[list[Any]] = []
        self.trades = run.result.trades
        self.stopped = False
        run.transport.after_command = self._cut
        run.transport.on_stop_request = self._stop

    def _stop(self) -> None:
        self.stopped = True

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
        if run.progress is not None and not run.result.steps % 1024:
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


def run_inprocess(
    strategy: Strategy,
    data: Any,
    *,
    config: Any = None,
    progress: Callable[[RunResult, Strategy], None] | None = None,
    events_log: IO[bytes] | None = None,
    strict: bool = False,
    **overrides: Any,
) -> RunResult:
    """Backtest `strategy` on `data` in this process and return the result.

    Args:
        strategy: The strategy instance.
        data: Engine market data: a Series or list of Series (`tradewire.engine.read_csv`, ...).
        config: A `tradewire.engine.BacktestConfig`; `overrides` change its fields (`cash="1e6"`).
        progress: Called now and then with the running result and the strategy.
        events_log: A binary file that receives every batch as its wire JSON frame, one per line.
        strict: Raise the venue's error when it refuses an order, instead of delivering
            ORDER_REJECTED and going on (see `tradewire.sdk.refusals`).
    """
    Backtest = engine().Backtest
    router_probe = Router(strategy)
    general = (
        events_log is not None
        or router_probe.simple_candle is None
        or any(getattr(type(strategy), h) is not getattr(Strategy, h) for h in _EVENT_HANDLERS)
    )
    adapter_box: list[_GeneralAdapter] = []

    def sink(message: m.ServerMessage) -> None:
        adapter_box[0].sink(message)

    bt = Backtest(data, config, event_log=sink if events_log is not None else None, **overrides)
    result = RunResult(type(strategy).__name__, "backtest", "inprocess")
    result.start_cash = Decimal(str(bt.config.cash))
    refusals = Refusals(strict, lambda: strategy.now, queue=general)
    run = _Run(strategy, bt, result, progress, refusals)
    if general:
        strategy.state.load(bt.account(), [], [])
        adapter: Any = _GeneralAdapter(run, events_log)
        adapter_box.append(adapter)
    else:
        strategy.state = _EngineState(bt)
        adapter = _FastAdapter(run)
    failed: HandlerFailed | None = None
    when = strategy.now
    try:
        report = bt.run(adapter)
    except HandlerFailed as e:
        failed, when = e, strategy.now
        report = bt.result()  # ends at the instant the strategy raised
    finally:
        strategy._transport = None
        strategy._clock = None
        run.router.close()
    result.elapsed_s = time.perf_counter() - run.started
    if not general:
        result.bars = adapter.bars or bt.steps  # one symbol: a bar per instant, not counted
        result.steps = bt.steps
        result.events = result.bars
        wire, fills = bt.messages, bt.fill_log
        result._trade_source = lambda: [wire.trade(f) for f in fills]
        buys = sum(1 for f in fills if f.side == 1)
        result._counts = (buys, len(fills) - buys)
    result.account = bt.account()
    result.orders = run.transport.submitted
    result.report = report
    if failed is not None:
        result.partial = True
        raise StrategyError(
            failed.error,
            failed.handler,
            when,
            describe_event(failed.event),
            strategy_frame(failed.error),
            result,
        ) from failed.error
    return result
