"""Routes decoded events to a Strategy's handlers by kind and symbol, after updating its state."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk._candles import WireCandle
from tradewire.sdk.failures import HandlerFailed
from tradewire.sdk.market import Candle, Tick, ns_of
from tradewire.sdk.strategy import Strategy, set_time

__all__ = ["Router", "candle_of", "tick_of"]

_Handler = Callable[..., Any]
_WARN = (m.AccountEventType.MARGIN_WARNING, m.AccountEventType.MARGIN_CALL)
#: Event types that are market data (Candle subclasses are checked with isinstance).
_MARKET = (m.CandleEvent, m.QuoteEvent, WireCandle, Tick)
_TF: dict[Any, str] = {}


def _tf(timeframe: Any) -> str:
    text = _TF.get(timeframe)
    if text is None:
        text = _TF[timeframe] = codec.enum_spelling(timeframe)
    return text


def candle_of(event: m.CandleEvent) -> Candle:
    """The Candle a strategy sees for a protocol candle event."""
    b = event.bar
    assert b is not None and b.timestamp is not None
    return Candle(
        b.symbol,
        _tf(b.timeframe),
        ns_of(b.timestamp),
        float(b.open),
        float(b.high),
        float(b.low),
        float(b.close),
        float(b.volume),
        b,
    )


def tick_of(event: m.QuoteEvent) -> Tick:
    """The Tick a strategy sees for a protocol quote event."""
    q = event.quote
    assert q is not None and q.timestamp is not None
    return Tick(q.symbol, ns_of(q.timestamp), float(q.bid), float(q.ask), float(q.last), q)


def _overrides(strategy: Strategy, name: str) -> _Handler | None:
    if getattr(type(strategy), name) is getattr(Strategy, name):
        return None
    fn: _Handler = getattr(strategy, name)
    return fn


class Router:
    """Calls the strategy's handlers for a list of events (one delivery of one instant).

    State first: every order/position/account/trade event of the delivery updates `strategy.state`
    before any handler runs, so `on_candle` sees fills that happened at this bar's open. Then the
    handlers run in event order; `async def` handlers are awaited (`adeliver`) or run to completion
    on a private loop (`deliver`).
    """

    def __init__(self, strategy: Strategy) -> None:
        self.strategy = strategy
        self.only: frozenset[str] | None = frozenset(strategy.symbols) or None
        self.routes: dict[str, tuple[_Handler | None, dict[str, list[_Handler]], list[_Handler]]] = {}
        for kind in ("candle", "quote", "order", "trade", "position"):
            default = _overrides(strategy, f"on_{kind}")
            by_symbol: dict[str, list[_Handler]] = {}
            every: list[_Handler] = []
            for name in dir(type(strategy)):
                fn = getattr(type(strategy), name, None)
                for rkind, symbols in getattr(fn, "__tradewire_routes__", ()):
                    if rkind != kind:
                        continue
                    bound = getattr(strategy, name)
                    if symbols:
                        for s in symbols:
                            by_symbol.setdefault(s, []).append(bound)
                    else:
                        every.append(bound)
            self.routes[kind] = (default, by_symbol, every)
        self.on_account = _overrides(strategy, "on_account")
        self.on_margin_warning = _overrides(strategy, "on_margin_warning")
        self.on_connection = _overrides(strategy, "on_connection")
        self.on_error: _Handler = strategy.on_error
        handlers = [
            h
            for d, bs, ev in self.routes.values()
            for h in ([d] if d else []) + ev + [x for v in bs.values() for x in v]
        ]
        handlers += [h for h in (self.on_account, self.on_margin_warning, self.on_connection) if h]
        handlers += [strategy.on_start, strategy.on_stop, strategy.on_error]
        self.has_async = any(inspect.iscoroutinefunction(h) for h in handlers)
        self._loop: asyncio.Runner | None = None
        default, by_symbol, every = self.routes["candle"]
        #: The fast path for candles: one plain handler and no per-symbol routes.
        self.simple_candle: _Handler | None = (
            default
            if default is not None
            and not by_symbol
            and not every
            and not inspect.iscoroutinefunction(default)
            else None
        )
        self.candle_any = default is not None or bool(by_symbol) or bool(every)

    # -- handler selection ------------------------------------------------------------------------
    def _kind(self, kind: str, symbol: str, arg: Any, out: list[tuple[_Handler, Any]]) -> None:
        if self.only is not None and symbol not in self.only and (kind == "candle" or kind == "quote"):
            return  # market data of symbols the strategy did not ask for
        default, by_symbol, every = self.routes[kind]
        if default is not None:
            out.append((default, arg))
        for h in every:
            out.append((h, arg))
        for h in by_symbol.get(symbol, ()):
            out.append((h, arg))

    def calls(self, events: list[Any]) -> list[tuple[_Handler, Any]]:
        """Update state from `events`, then list (handler, argument) pairs in event order."""
        state = self.strategy.state
        if state.placing and any(type(ev) in _MARKET or isinstance(ev, Candle) for ev in events):
            state.settle()
        observe = state.observe
        seen: list[Any] = []  # the events with protocol market messages as the Candles/Ticks handlers take
        for ev in events:
            t = type(ev)
            if t is m.CandleEvent:
                ev = candle_of(ev)
                observe(ev)
            elif t is m.QuoteEvent:
                ev = tick_of(ev)
                observe(ev)
            elif t is WireCandle or t is Tick or isinstance(ev, Candle):
                observe(ev)
            else:
                state.apply(ev)
            seen.append(ev)
        out: list[tuple[_Handler, Any]] = []
        # one plain on_candle for every symbol: skip the per-kind lookup for each of a step's candles
        simple = self.simple_candle if self.only is None else None
        for ev in seen:
            t = type(ev)
            if t is WireCandle or t is Candle or isinstance(ev, Candle):
                if simple is not None:
                    out.append((simple, ev))
                elif self.candle_any:
                    self._kind("candle", ev.symbol, ev, out)
            elif t is Tick:
                self._kind("quote", ev.symbol, ev, out)
            elif t is m.OrderEvent:
                self._kind("order", ev.order.symbol, ev, out)
            elif t is m.TradeEvent:
                self._kind("trade", ev.trade.symbol, ev, out)
            elif t is m.PositionEvent:
                self._kind("position", ev.position.symbol, ev, out)
            elif t is m.AccountEvent:
                if self.on_account is not None:
                    out.append((self.on_account, ev))
                if ev.event in _WARN and self.on_margin_warning is not None:
                    out.append((self.on_margin_warning, ev))
            elif t is m.ConnectionEvent:
                if self.on_connection is not None:
                    out.append((self.on_connection, ev))
            elif t is m.ErrorEvent:
                out.append((self.on_error, ev))
        return out

    def set_time(self, events: list[Any]) -> None:
        """Move `strategy.now` to the delivery's time (unless the run's clock drives it)."""
        for ev in events:
            if type(ev) is WireCandle:
                set_time(self.strategy, ev.at)
                return
            ts = getattr(ev, "timestamp", None)
            if ts is not None:
                set_time(self.strategy, ns_of(ts))
                return

    def _plain_candles(self, events: list[Any]) -> bool:
        """Whether the delivery is wire candles only, for the one plain `on_candle` of `simple_candle`."""
        if self.simple_candle is None:
            return False
        for ev in events:
            if type(ev) is not WireCandle:
                return False
        return True

    # -- running ----------------------------------------------------------------------------------
    def run_sync(self, fn: _Handler, arg: Any = None, *, no_arg: bool = False) -> None:
        """Call one handler from synchronous code (an async handler runs to completion)."""
        try:
            result = fn() if no_arg else fn(arg)
            if result is not None and inspect.isawaitable(result):
                if self._loop is None:
                    self._loop = asyncio.Runner()
                self._loop.run(_await(result))
        except Exception as e:
            raise HandlerFailed(e, fn.__name__, arg) from e

    def deliver(self, events: list[Any]) -> None:
        """Handle one delivery from synchronous code."""
        self.set_time(events)
        for fn, arg in self.calls(events):
            self.run_sync(fn, arg)

    async def adeliver(self, events: list[Any]) -> None:
        """Handle one delivery inside an event loop."""
        self.set_time(events)
        if self._plain_candles(events):
            # a backtest's common step: no state to update first, one handler, no (handler, arg) list
            on_candle = self.simple_candle
            only = self.only
            assert on_candle is not None
            state = self.strategy.state
            state.settle()
            observe = state.observe
            for ev in events:
                observe(ev)
            for ev in events:
                if only is not None and ev.symbol not in only:
                    continue  # market data of symbols the strategy did not ask for
                try:
                    result = on_candle(ev)
                    if result is not None and inspect.isawaitable(result):
                        await result
                except Exception as e:
                    raise HandlerFailed(e, on_candle.__name__, ev) from e
            return
        for fn, arg in self.calls(events):
            try:
                result = fn(arg)
                if result is not None and inspect.isawaitable(result):
                    await result
            except Exception as e:
                raise HandlerFailed(e, fn.__name__, arg) from e

    def connection(self, state: Any) -> None:
        """Tell the strategy about a change of the client's own connection."""
        if self.on_connection is not None:
            self.run_sync(self.on_connection, state)

    def close(self) -> None:
        """Release the private loop used for async handlers."""
        if self._loop is not None:
            self._loop.close()
            self._loop = None


async def _await(awaitable: Any) -> Any:
    return await awaitable
