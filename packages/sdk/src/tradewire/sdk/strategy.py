"""The `Strategy` base class: handlers for every event kind, live state, and order helpers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from tradewire.sdk.market import Candle, Tick
from tradewire.sdk.state import TradingState

if TYPE_CHECKING:
    from tradewire.protocol import messages as m
    from tradewire.sdk.transports import Transport

__all__ = ["Strategy", "bind", "interrupt", "on", "set_clock", "set_time", "unbind"]

_log = logging.getLogger("tradewire.strategy")
_HANDLERS = (
    "on_start",
    "on_candle",
    "on_quote",
    "on_order",
    "on_trade",
    "on_position",
    "on_account",
    "on_margin_warning",
    "on_connection",
    "on_error",
    "on_stop",
)


class _On:
    """Decorators that route one event kind for some symbols to a method (`@on.candle("AAPL")`)."""

    @staticmethod
    def _mark(kind: str, symbols: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            routes = list(getattr(fn, "__tradewire_routes__", ()))
            routes.append((kind, symbols))
            fn.__tradewire_routes__ = routes  # type: ignore[attr-defined]
            return fn

        return decorate

    def candle(self, *symbols: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Call the method with each Candle of these symbols (all symbols when none are given)."""
        return self._mark("candle", symbols)

    def quote(self, *symbols: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Call the method with each Tick of these symbols."""
        return self._mark("quote", symbols)

    def order(self, *symbols: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Call the method with each OrderEvent of these symbols."""
        return self._mark("order", symbols)

    def trade(self, *symbols: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Call the method with each TradeEvent of these symbols."""
        return self._mark("trade", symbols)

    def position(self, *symbols: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Call the method with each PositionEvent of these symbols."""
        return self._mark("position", symbols)


on = _On()


class Strategy:
    """Base class of a trading strategy: write it once, run it on any platform.

    Override the handlers you need; each may be a plain or an `async def` method. Handlers for one
    instant run in event order, after the state (positions, orders, account) has been brought up to
    that instant; the venue advances (in a backtest) only when they have all returned.

    Class attributes:
        symbols: Instruments the strategy trades; a backtest loads just these from the data
            (empty = every symbol in the data).
        timeframe: Bar size the strategy expects (`"1m"`, `"1d"`, ...). Declared (set on the
            subclass, or as a constructor parameter), it is the size of every candle delivered:
            finer data is aggregated to it (in-process at load, over the wire by the gateway's
            `--timeframe` or else by the runner), coarser data is refused in-process and dropped
            over the wire. Left at the base class default, the data's own bars are delivered.

    Keyword arguments given to the constructor override class attributes of the same name
    (parameters), so `SmaCross(fast=5)` works when the class declares `fast = 10`. A subclass that
    defines `__init__` must call `super().__init__(**params)`; set up indicators in `on_start`.
    """

    symbols: ClassVar[Sequence[str]] = ()
    timeframe: ClassVar[str] = "1m"

    def __init__(self, **params: Any) -> None:
        for name, value in params.items():
            if name.startswith("_") or not hasattr(type(self), name) or name in _HANDLERS:
                raise TypeError(f"{type(self).__name__} has no parameter {name!r}")
            setattr(self, name, value)
        self.state = TradingState()
        self._transport: Transport | None = None
        self._now = 0
        self._clock: Callable[[], int] | None = None
        self._stop_requested = False
        self.log = logging.getLogger(f"tradewire.strategy.{type(self).__name__}")

    # -- handlers (override) ----------------------------------------------------------------------
    def on_start(self) -> None:
        """Called once before the first event (state holds the initial account)."""

    def on_candle(self, bar: Candle) -> None:
        """A completed bar of any symbol."""

    def on_quote(self, tick: Tick) -> None:
        """A new quote."""

    def on_order(self, event: m.OrderEvent) -> None:
        """Every order lifecycle event (created, modified, partially filled, filled, cancelled, rejected, expired)."""

    def on_trade(self, event: m.TradeEvent) -> None:
        """A fill."""

    def on_position(self, event: m.PositionEvent) -> None:
        """A position opened, changed or closed."""

    def on_account(self, event: m.AccountEvent) -> None:
        """Balance or margin changed."""

    def on_margin_warning(self, event: m.AccountEvent) -> None:
        """MARGIN_WARNING or MARGIN_CALL (also delivered to on_account)."""

    def on_connection(self, event: Any) -> None:
        """The link changed: a gateway `ConnectionEvent`, or the client's own `StreamState`."""

    def on_error(self, event: m.ErrorEvent) -> None:
        """A gateway `error` notice (POSITION_UNPROTECTED, LIQUIDATION, OCO_DOUBLE_EXIT, ...)."""
        self.log.warning("gateway error %s: %s", event.code, event.message)

    def on_stop(self) -> None:
        """Called once after the last event (state holds the final account)."""

    # -- state --------------------------------------------------------------------------------------
    @property
    def account(self) -> m.Account | None:
        """Latest account (balance, equity, margin) as exact decimal text."""
        return self.state.account

    @property
    def positions(self) -> dict[str, m.Position]:
        """Open positions by symbol."""
        return self.state.positions

    @property
    def open_orders(self) -> dict[str, m.Order]:
        """Working orders by id."""
        return self.state.orders

    def position(self, symbol: str) -> Decimal:
        """Signed position size in `symbol` (positive long, negative short, 0 flat)."""
        return self.state.quantity(symbol)

    @property
    def cash(self) -> Decimal:
        """Account balance (exact)."""
        return Decimal(self.state.account.balance) if self.state.account else Decimal(0)

    @property
    def equity(self) -> Decimal:
        """Account equity (exact)."""
        return Decimal(self.state.account.equity) if self.state.account else Decimal(0)

    @property
    def now(self) -> dt.datetime:
        """Time of the event being handled (simulated time in a backtest); the epoch before the first."""
        ns = self._clock() if self._clock is not None else self._now
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=ns // 1000)

    @property
    def stop_requested(self) -> bool:
        """Whether `stop()` was called: the run ends after the current delivery."""
        return self._stop_requested

    @property
    def platform(self) -> str:
        """The platform the strategy runs on (`backtest`, `alpaca-paper`, ...)."""
        return self._require().platform

    # -- orders -------------------------------------------------------------------------------------
    def _require(self) -> Transport:
        if self._transport is None:
            raise RuntimeError("the strategy is not running: orders can be sent from handlers only")
        return self._transport

    def submit_order(self, request: m.SubmitOrderRequest | None = None, /, **fields: Any) -> m.OrderHandle:
        """Submit any order (same keywords as `Client.submit_order`); a client_order_id is always set.

        Raises:
            OrderRejected / InsufficientFunds: the venue refused it.
        """
        return self._require().submit(request, fields)

    def buy(
        self,
        symbol: str,
        quantity: Decimal | int | str | None = None,
        *,
        notional: Decimal | int | str | None = None,
        limit: Decimal | int | str | None = None,
        stop: Decimal | int | str | None = None,
        **fields: Any,
    ) -> m.OrderHandle:
        """Buy `quantity` of `symbol`: at market, or LIMIT/STOP/STOP_LIMIT when `limit`/`stop` are given.

        `notional` instead of `quantity`: a market buy of that much of the quote currency's worth
        (venues whose capabilities list `notional_orders`; the backtest does). Other keywords
        (time_in_force, stop_loss, take_profit, client_order_id, ...) pass through.
        """
        if (quantity is None) == (notional is None):
            raise TypeError("buy() takes a quantity or a notional (one of them)")
        fields["symbol"], fields["side"], fields["quantity"] = symbol, "BUY", quantity
        if notional is not None:
            fields["notional"] = notional
        if limit is None and stop is None:
            fields["order_type"] = "MARKET"
        else:
            fields.update(_priced(limit, stop))
        return self._require().submit(None, fields)

    def sell(
        self,
        symbol: str,
        quantity: Decimal | int | str | None = None,
        *,
        notional: Decimal | int | str | None = None,
        limit: Decimal | int | str | None = None,
        stop: Decimal | int | str | None = None,
        **fields: Any,
    ) -> m.OrderHandle:
        """Sell `quantity` of `symbol`, or `notional` worth of it at market (see `buy`)."""
        if (quantity is None) == (notional is None):
            raise TypeError("sell() takes a quantity or a notional (one of them)")
        fields["symbol"], fields["side"], fields["quantity"] = symbol, "SELL", quantity
        if notional is not None:
            fields["notional"] = notional
        if limit is None and stop is None:
            fields["order_type"] = "MARKET"
        else:
            fields.update(_priced(limit, stop))
        return self._require().submit(None, fields)

    def bracket(
        self,
        symbol: str,
        side: str,
        quantity: Decimal | int | str,
        *,
        stop_loss: Decimal | int | str,
        take_profit: Decimal | int | str,
        limit: Decimal | int | str | None = None,
        **fields: Any,
    ) -> m.OrderHandle:
        """An entry (market, or limit at `limit`) with a protective stop-loss and a take-profit exit."""
        return self.submit_order(
            symbol=symbol,
            side=side,
            quantity=quantity,
            stop_loss=stop_loss,
            take_profit=take_profit,
            **_priced(limit, None),
            **fields,
        )

    def close_position(
        self, symbol: str, quantity: Decimal | int | str | None = None
    ) -> m.OrderHandle | None:
        """Close the position in `symbol` at market (all of it, or `quantity`); None when flat."""
        from tradewire.protocol import codec
        from tradewire.protocol import messages as m

        position = self.state.positions.get(symbol)
        if position is None:
            return None
        request = m.ClosePositionRequest(quantity=None if quantity is None else codec.dec(quantity))
        return self._require().close_position(position.id, request)

    def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        """Cancel one working order."""
        return self._require().cancel_order(order_id)

    def cancel_all_orders(self, symbol: str | None = None) -> m.CancelAllResult:
        """Cancel every working order (of one symbol, if given)."""
        return self._require().cancel_all_orders(symbol)

    def modify_order(self, order_id: str, **fields: Any) -> m.ModifyOrderResult:
        """Amend a working order (quantity, limit_price, stop_price, stop_loss, take_profit, trailing_distance)."""
        return self._require().modify_order(order_id, **fields)

    def stop(self) -> None:
        """End the run after the current delivery: a live run disconnects; a backtest calls no more handlers."""
        self._stop_requested = True
        transport = self._transport
        if transport is not None and hasattr(transport, "request_stop"):
            transport.request_stop()

    def history(self, symbol: str, limit: int, timeframe: str | None = None) -> list[m.Bar]:
        """The last `limit` completed bars of `symbol` before now (to warm up indicators)."""
        return self._require().get_bars(symbol, timeframe or self.timeframe, limit)


def _priced(limit: Any, stop: Any) -> dict[str, Any]:
    if limit is not None and stop is not None:
        return {"order_type": "STOP_LIMIT", "limit_price": limit, "stop_price": stop}
    if limit is not None:
        return {"order_type": "LIMIT", "limit_price": limit}
    if stop is not None:
        return {"order_type": "STOP", "stop_price": stop}
    return {"order_type": "MARKET"}


# -- the runners' side: how a transport attaches to a running strategy ------------------------------
def bind(strategy: Strategy, transport: Transport) -> None:
    """Attach `strategy` to the transport its orders go through (at the start of a run)."""
    strategy._transport = transport


def interrupt(strategy: Strategy) -> bool:
    """Stop the run `strategy` is bound to at the current instant (Ctrl-C): its next delivery raises
    `Interrupted` (with the partial result) instead of reaching a handler. False when it is not running.
    Safe to call from a signal handler."""
    transport = strategy._transport
    if transport is None:
        return False
    transport.interrupt()
    return True


def unbind(strategy: Strategy) -> None:
    """Detach `strategy` at the end of a run: orders are refused again, `now` stops following the run."""
    strategy._transport = None
    strategy._clock = None


def set_clock(strategy: Strategy, clock: Callable[[], int] | None) -> None:
    """Make `strategy.now` read `clock` (ns since the epoch): an in-process run's simulated clock."""
    strategy._clock = clock


def set_time(strategy: Strategy, ns: int) -> bool:
    """Move `strategy.now` to `ns` unless a clock drives it; returns whether it moved."""
    if strategy._clock is not None:
        return False
    strategy._now = ns
    return True
