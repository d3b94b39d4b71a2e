"""A strategy driven by a script of orders, cancels, modifies and closes, sized from state it reads."""

# One class per (read style, handler set), built on demand. Only the style's own mixin mentions the
# state it reads, so a runtime that guesses from a class's code what it reads is caught guessing wrong:
# the "helper" style reads cash and equity through a module-level function, and "none" reads nothing.

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Any, ClassVar

from tradewire.protocol import messages as m
from tradewire.sdk import Candle, Strategy, TradewireError

__all__ = [
    "KINDS",
    "SIDES",
    "STYLES",
    "TIFS",
    "Action",
    "Cancel",
    "Close",
    "Modify",
    "Place",
    "Script",
    "ScriptedStrategy",
    "available",
    "journal_of",
    "strategy_class",
]

SIDES = ("BUY", "SELL")
KINDS = ("MARKET", "LIMIT", "STOP", "STOP_LIMIT", "TRAILING_STOP")
TIFS = ("GTC", "DAY", "IOC", "FOK")
#: How a strategy reads the state its order sizes depend on.
STYLES = ("none", "properties", "helper", "account", "positions", "position")

_TICK = Decimal("0.01")
_LOT = Decimal("0.01")
_BPS = Decimal(10_000)
_LIMITED = (m.OrderType.LIMIT, m.OrderType.STOP_LIMIT)


@dataclass(frozen=True)
class Place:
    """Submit an order on symbol number `symbol`, sized at `size` per mille of the budget.

    `offset_bps`: limit/stop price (stop price for STOP_LIMIT, distance for TRAILING_STOP) against the
    last close; `limit_bps`: a STOP_LIMIT's limit against its stop; `bracket`: (stop-loss, take-profit)
    distances in basis points, for MARKET and LIMIT entries; `notional`: a MARKET order sized by quote
    notional (the budget share itself, no bracket) instead of by quantity.
    """

    symbol: int
    side: str
    kind: str
    tif: str
    size: int
    offset_bps: int = 0
    limit_bps: int = 0
    bracket: tuple[int, int] | None = None
    trail_percent: bool = False
    notional: bool = False


@dataclass(frozen=True)
class Cancel:
    """Cancel open order number `which` (0 = the oldest)."""

    which: int = 0


@dataclass(frozen=True)
class Modify:
    """Move open order number `which`'s price by `price_bps`, or else its quantity by `quantity_pct`."""

    which: int = 0
    price_bps: int = 0
    quantity_pct: int = 0


@dataclass(frozen=True)
class Close:
    """Close the position in symbol number `symbol` at market."""

    symbol: int = 0


Action = Place | Cancel | Modify | Close
#: (candle number, actions taken in that on_candle call), candles counted over all symbols from 1.
Script = tuple[tuple[int, tuple[Action, ...]], ...]


def _tick(price: Decimal) -> Decimal:
    return max(price.quantize(_TICK, ROUND_HALF_EVEN), _TICK)


def _moved(price: Decimal, bps: int) -> Decimal:
    return _tick(price * (_BPS + bps) / _BPS)


class ScriptedStrategy(Strategy):
    """Runs `script`; a subclass's `budget` says how much account currency an order may use."""

    symbols: ClassVar[tuple[str, ...]] = ("AAPL",)
    script: ClassVar[Script] = ()
    #: Orders never size above this budget (the default starting cash), so the venue never refuses one.
    cap: ClassVar[Decimal] = Decimal(100_000)
    #: Reference prices before the first candle, for orders placed in on_start (the script's step 0).
    opening: ClassVar[dict[str, Decimal]] = {}

    def on_start(self) -> None:
        self.plan = dict(self.script)
        self.journal: list[tuple[Any, ...]] = []
        self.candles = 0
        self.last: dict[str, Decimal] = dict(self.opening)
        for action in self.plan.get(0, ()):
            self.journal.append((0, *self.perform(action)))

    def on_candle(self, bar: Candle) -> None:
        self.candles += 1
        self.last[bar.symbol] = bar.decimal("close")
        for action in self.plan.get(self.candles, ()):
            self.journal.append((self.candles, *self.perform(action)))

    def budget(self, symbol: str) -> Decimal:
        """Account currency one order may use (the read style's job)."""
        raise NotImplementedError

    # -- actions ------------------------------------------------------------------------------------
    def perform(self, action: Action) -> tuple[Any, ...]:
        """Do one action; what it returned, or the refusal's type (the run goes on either way)."""
        try:
            if isinstance(action, Place):
                return self.place(action)
            if isinstance(action, Cancel):
                return self.cancel(action)
            if isinstance(action, Modify):
                return self.modify(action)
            return self.close(action)
        except TradewireError as e:
            return ("refused", type(e).__name__)

    def _symbol(self, number: int) -> str:
        return self.symbols[number % len(self.symbols)]

    def place(self, a: Place) -> tuple[Any, ...]:
        symbol = self._symbol(a.symbol)
        last = self.last.get(symbol)
        if last is None:
            return ("skipped", "no price yet")
        price = _moved(last, a.offset_bps)
        fields: dict[str, Any] = {"time_in_force": a.tif}
        ref = last
        if a.kind == "LIMIT":
            fields["limit_price"] = ref = price
        elif a.kind == "STOP":
            fields["stop_price"] = ref = price
        elif a.kind == "STOP_LIMIT":
            fields["stop_price"] = price
            fields["limit_price"] = ref = _moved(price, a.limit_bps)
        elif a.kind == "TRAILING_STOP":
            distance = Decimal(abs(a.offset_bps) % 2_000 or 25)
            if a.trail_percent:
                fields["trailing_type"], fields["trailing_distance"] = "PERCENT", distance / 100
            else:
                fields["trailing_type"], fields["trailing_distance"] = (
                    "ABSOLUTE",
                    _tick(last * distance / _BPS),
                )
        if a.notional and a.kind == "MARKET":
            return self._place_notional(symbol, a)
        if a.bracket is not None and a.kind in ("MARKET", "LIMIT"):
            sign = 1 if a.side == "BUY" else -1
            fields["stop_loss"] = _moved(last, -sign * a.bracket[0])
            fields["take_profit"] = _moved(last, sign * a.bracket[1])
        budget = min(max(self.budget(symbol), Decimal(0)), self.cap)
        quantity = (budget * a.size / 1000 / max(ref, last)).quantize(_LOT, ROUND_DOWN)
        if quantity <= 0:
            return ("skipped", "no budget")
        handle = self.submit_order(symbol=symbol, side=a.side, quantity=quantity, order_type=a.kind, **fields)
        return ("placed", handle.id, handle.status.name, str(quantity))

    def _place_notional(self, symbol: str, a: Place) -> tuple[Any, ...]:
        budget = min(max(self.budget(symbol), Decimal(0)), self.cap)
        notional = (budget * a.size / 1000).quantize(_TICK, ROUND_DOWN)
        if notional <= 0:
            return ("skipped", "no budget")
        # a request message: both transports take it as it is
        request = m.SubmitOrderRequest(
            symbol=symbol,
            side=m.Side[a.side],
            order_type=m.OrderType.MARKET,
            time_in_force=m.TimeInForce[a.tif],
            notional=str(notional),
        )
        handle = self.submit_order(request)
        return ("placed", handle.id, handle.status.name, f"notional {notional}")

    def _pick(self, which: int) -> m.Order | None:
        orders = sorted(self.open_orders.values(), key=lambda o: o.id)
        return orders[which % len(orders)] if orders else None

    def cancel(self, a: Cancel) -> tuple[Any, ...]:
        order = self._pick(a.which)
        if order is None:
            return ("skipped", "no open order")
        result = self.cancel_order(order.id)
        return ("cancelled", order.id, result.success)

    def modify(self, a: Modify) -> tuple[Any, ...]:
        order = self._pick(a.which)
        if order is None:
            return ("skipped", "no open order")
        change: dict[str, Decimal] = {}
        kind = order.order_type
        if a.price_bps and kind in _LIMITED and order.limit_price is not None:
            change["limit_price"] = _moved(Decimal(order.limit_price), a.price_bps)
        elif a.price_bps and kind == m.OrderType.STOP and order.stop_price is not None:
            change["stop_price"] = _moved(Decimal(order.stop_price), a.price_bps)
        else:
            filled = Decimal(order.filled_quantity or 0)
            wanted = (Decimal(order.quantity) * (100 + a.quantity_pct) / 100).quantize(_LOT, ROUND_DOWN)
            change["quantity"] = max(wanted, filled + _LOT)
        result = self.modify_order(order.id, **change)
        status = result.order.status.name if result.order is not None else None
        return ("modified", order.id, status, {k: str(v) for k, v in change.items()})

    def close(self, a: Close) -> tuple[Any, ...]:
        handle = self.close_position(self._symbol(a.symbol))
        return ("closed", None if handle is None else handle.id)


# -- read styles: each mixin alone names the state it reads ---------------------------------------------


def available(strategy: Strategy) -> Decimal:
    """A helper outside the strategy's class: the smaller of its cash and equity."""
    return min(strategy.cash, strategy.equity)


class _ReadsNothing(ScriptedStrategy):
    def budget(self, symbol: str) -> Decimal:
        return self.cap


class _ReadsProperties(ScriptedStrategy):
    def budget(self, symbol: str) -> Decimal:
        return min(self.cash, self.equity)


class _ReadsThroughHelper(ScriptedStrategy):
    def budget(self, symbol: str) -> Decimal:
        return available(self)


class _ReadsAccount(ScriptedStrategy):
    def budget(self, symbol: str) -> Decimal:
        account = self.account
        return Decimal(0) if account is None else Decimal(account.balance) - Decimal(account.margin_used or 0)


class _ReadsPositions(ScriptedStrategy):
    def budget(self, symbol: str) -> Decimal:
        held = self.positions
        exposure = sum(
            (abs(Decimal(p.quantity)) * Decimal(p.average_entry_price) for p in held.values()), Decimal(0)
        )
        return self.cap - exposure - (Decimal(held[symbol].unrealized_pnl or 0) if symbol in held else 0)


class _ReadsPosition(ScriptedStrategy):
    def budget(self, symbol: str) -> Decimal:
        return self.cap - abs(self.position(symbol)) * self.last[symbol] * 4


_STYLE_CLASSES: dict[str, type[ScriptedStrategy]] = {
    "none": _ReadsNothing,
    "properties": _ReadsProperties,
    "helper": _ReadsThroughHelper,
    "account": _ReadsAccount,
    "positions": _ReadsPositions,
    "position": _ReadsPosition,
}


class _HandlesEvents(ScriptedStrategy):
    """Order, trade, position and account handlers (they send a runtime down its event-by-event path)."""

    def on_order(self, event: m.OrderEvent) -> None:
        self.journal.append(("order", event.event.name, event.order.id if event.order is not None else None))

    def on_trade(self, event: m.TradeEvent) -> None:
        self.journal.append(("trade", event.trade.id if event.trade is not None else None))

    def on_position(self, event: m.PositionEvent) -> None:
        self.journal.append(("position", event.event.name))

    def on_account(self, event: m.AccountEvent) -> None:
        self.journal.append(("account event", event.event.name))


_CLASSES: dict[tuple[str, bool], type[ScriptedStrategy]] = {}


def strategy_class(style: str, events: bool) -> type[ScriptedStrategy]:
    """The scripted strategy reading state in `style`, with (`events`) or without event handlers."""
    key = (style, events)
    cls = _CLASSES.get(key)
    if cls is None:
        name = f"Scripted_{style}" + ("_events" if events else "")
        bases = (_STYLE_CLASSES[style], _HandlesEvents) if events else (_STYLE_CLASSES[style],)
        cls = _CLASSES[key] = type(name, bases, {"__module__": __name__, "__qualname__": name})
    return cls


def journal_of(strategy: Strategy) -> list[tuple[Any, ...]]:
    """What a scripted strategy did and was told, in order (compared as the runs' extra)."""
    if not isinstance(strategy, ScriptedStrategy):
        raise TypeError(f"{type(strategy).__name__} is not a ScriptedStrategy")
    return strategy.journal
