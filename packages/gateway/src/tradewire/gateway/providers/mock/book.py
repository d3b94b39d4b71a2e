"""The mock account: orders, matching on the price path, netting positions and cash, with events.

Pure bookkeeping (no I/O, no clock): every method takes the simulated time and returns the stream
events it caused, in the spec's order for a fill: order, trade, position, account.

The events are returned unbuilt (see `Event`): building the wire messages of a fill costs more than
the fill itself, and a live gateway with no stream client drops them unseen. Each one captures the
values of the moment it happened, so building it later gives the same message.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial

import betterproto2

from tradewire.gateway.providers.mock.prices import Candle
from tradewire.protocol import reject_codes
from tradewire.protocol.errors import OrderNotFound, OrderNotModifiable, PositionNotFound
from tradewire.protocol.messages import (
    Account,
    AccountEvent,
    AccountEventType,
    ExitLegPlacement,
    Order,
    OrderEvent,
    OrderEventType,
    OrderHandle,
    OrderStatus,
    OrderType,
    Position,
    PositionEvent,
    PositionEventType,
    PositionSide,
    RejectReason,
    ServerMessage,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    Trade,
    TradeEvent,
    TradeEventType,
    TrailingType,
)

TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED})
_AVG = Decimal("0.00000001")
ZERO = Decimal(0)

#: A stream event not built yet: its member of the ServerMessage union and a call that builds the
#: payload from values captured when the event happened (`build_events` makes the messages).
Event = tuple[str, Callable[[], betterproto2.Message]]

_IMMEDIATE = (TimeInForce.IOC, TimeInForce.FOK)
_RANDOM = random.Random()  # seeded from the OS; correlation ids need uniqueness, not secrecy
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (4 << 76) | (0x8000 << 48)


@dataclass(slots=True)
class Working:
    """Matching state of an order besides its wire form."""

    order: Order
    triggered: bool = False  # stop part of a STOP_LIMIT has fired
    watermark: Decimal | None = None  # trailing stop's best price so far
    leg: str | None = None  # "stop_loss" / "take_profit" for protective legs
    siblings: list[str] = field(default_factory=list)  # OCO partners


@dataclass(slots=True)
class Holding:
    """A netting position (signed quantity)."""

    symbol: str
    quantity: Decimal = ZERO
    average: Decimal = ZERO
    realized: Decimal = ZERO
    opened_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


def _d(text: str | None) -> Decimal:
    return Decimal(text) if text is not None else ZERO


def _txt(value: Decimal) -> str:
    """Wire text of an exact Decimal (plain digits, scale kept, no negative zero).

    The book only formats finite Decimals, so this skips the general checks of `codec.dec`; it runs
    about fifteen times per fill.
    """
    return format(value if value else abs(value), "f")


def _avg(value: Decimal) -> Decimal:
    return value.quantize(_AVG, rounding=ROUND_HALF_EVEN).normalize()


def position_id(symbol: str) -> str:
    """The mock's position id for a symbol (one netting position per symbol)."""
    return f"pos-{symbol}"


def _uuid4() -> str:
    """A random (version 4) UUID as text, without the `uuid` module's object overhead."""
    h = f"{(_RANDOM.getrandbits(128) & _UUID_CLEAR) | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _wire_position(
    symbol: str,
    quantity: Decimal,
    average: Decimal,
    mark: Decimal,
    realized: Decimal,
    opened_at: dt.datetime | None,
    updated_at: dt.datetime | None,
) -> Position:
    return Position(
        id=position_id(symbol),
        symbol=symbol,
        side=PositionSide.SHORT if quantity < 0 else PositionSide.LONG,
        quantity=_txt(abs(quantity)),
        average_entry_price=_txt(average),
        current_price=_txt(mark),
        unrealized_pnl=_txt((mark - average) * quantity),
        realized_pnl=_txt(realized),
        opened_at=opened_at,
        updated_at=updated_at,
    )


def _wire_account(cash: Decimal, equity: Decimal, exposure: Decimal, upnl: Decimal, currency: str) -> Account:
    return Account(
        balance=_txt(cash),
        equity=_txt(equity),
        margin_used=_txt(exposure),
        margin_available=_txt(equity - exposure),
        unrealized_pnl=_txt(upnl),
        currency=currency,
    )


def _position_event(kind: PositionEventType, now: dt.datetime, *values: object) -> PositionEvent:
    return PositionEvent(event=kind, position=_wire_position(*values), timestamp=now)  # type: ignore[arg-type]


def _account_event(now: dt.datetime, *values: object) -> AccountEvent:
    return AccountEvent(
        event=AccountEventType.BALANCE_UPDATED,
        account=_wire_account(*values),  # type: ignore[arg-type]
        timestamp=now,
    )


def order_event(kind: OrderEventType, order: Order, now: dt.datetime, parent: bool = True) -> Event:
    """An `order` event carrying a snapshot of `order` as it is now."""
    return (
        "order",
        partial(
            OrderEvent,
            event=kind,
            order=_copy(order),
            parent_order_id=order.parent_order_id if parent else None,
            timestamp=now,
        ),
    )


def build_events(events: list[Event]) -> list[ServerMessage]:
    """The stream messages of recorded events, in order."""
    return [ServerMessage(**{member: build()}) for member, build in events]  # type: ignore[arg-type]


class Book:
    """Orders, fills, positions and cash of the one mock account.

    Args:
        balance: Starting cash.
        currency: Account currency.
    """

    def __init__(self, balance: Decimal, currency: str) -> None:
        self.cash = balance
        self.currency = currency
        self.orders: dict[str, Working] = {}
        self.working: dict[str, Working] = {}  # non-terminal orders only, so matching never scans history
        self.by_client_id: dict[str, str] = {}
        self.trades: list[Trade] = []
        self.holdings: dict[str, Holding] = {}
        self.marks: dict[str, Decimal] = {}
        self._order_ids = itertools.count(1)
        self._trade_ids = itertools.count(1)

    # -- views -------------------------------------------------------------------------------------
    def _totals(self) -> tuple[Decimal, Decimal, Decimal]:
        """(equity, exposure, unrealized P&L) at current marks, in one pass."""
        value = exposure = upnl = ZERO
        marks = self.marks
        for h in self.holdings.values():
            q = h.quantity
            if q:
                mark = marks[h.symbol]
                value += q * mark
                exposure += abs(q) * mark
                upnl += (mark - h.average) * q
        return self.cash + value, exposure, upnl

    def account(self) -> Account:
        """Cash, equity and margin at current marks."""
        return _wire_account(self.cash, *self._totals(), self.currency)

    def position(self, h: Holding) -> Position:
        """Wire form of a holding (quantity unsigned, side from the sign)."""
        return _wire_position(*self._position_values(h))

    def _position_values(
        self, h: Holding
    ) -> tuple[str, Decimal, Decimal, Decimal, Decimal, dt.datetime | None, dt.datetime | None]:
        return h.symbol, h.quantity, h.average, self.marks[h.symbol], h.realized, h.opened_at, h.updated_at

    def open_positions(self) -> list[Position]:
        """Every non-flat position."""
        return [self.position(h) for h in self.holdings.values() if h.quantity]

    def find_position(self, pid: str) -> Holding:
        """The open holding with position id `pid`."""
        for h in self.holdings.values():
            if h.quantity and position_id(h.symbol) == pid:
                return h
        raise PositionNotFound(f"Position not found: {pid}", {"resource": "position", "id": pid})

    def get(self, order_id: str) -> Working:
        """An order by id, any state."""
        working = self.orders.get(order_id)
        if working is None:
            raise OrderNotFound(f"Order not found: {order_id}", {"resource": "order", "id": order_id})
        return working

    # -- submit ------------------------------------------------------------------------------------
    def submit(
        self, req: SubmitOrderRequest, bid: Decimal, ask: Decimal, now: dt.datetime
    ) -> tuple[OrderHandle, list[Event]]:
        """Accept an order; market (and marketable) orders fill at once at the quote."""
        if req.client_order_id is not None and req.client_order_id in self.by_client_id:
            known = self.orders[self.by_client_id[req.client_order_id]].order
            return _handle(known), []  # idempotent submit
        if req.symbol not in self.marks:
            self.marks[req.symbol] = (bid + ask) / 2
        if req.reduce_only and not self._reduces(req.symbol, req.side):
            raise reject_codes.rejected(RejectReason.REDUCE_ONLY_VIOLATED)
        price = ask if req.side == Side.BUY else bid
        if req.post_only and self._would_take(req, bid, ask):
            raise reject_codes.rejected(RejectReason.POST_ONLY_VIOLATED)
        if req.order_type == OrderType.MARKET and self._lacks_funds(
            req.symbol, req.side, Decimal(req.quantity), price
        ):
            raise reject_codes.rejected(RejectReason.INSUFFICIENT_BALANCE)
        order = Order(
            id=f"ord-{next(self._order_ids):06d}",
            client_order_id=req.client_order_id,
            symbol=req.symbol,
            side=req.side,
            order_type=req.order_type,
            quantity=req.quantity,
            filled_quantity="0",
            remaining_quantity=req.quantity,
            limit_price=req.limit_price,
            stop_price=req.stop_price,
            stop_loss=req.stop_loss,
            take_profit=req.take_profit,
            trailing_distance=req.trailing_distance,
            trailing_type=req.trailing_type,
            status=OrderStatus.OPEN,
            reduce_only=req.reduce_only,
            post_only=req.post_only,
            hidden=req.hidden,
            display_quantity=req.display_quantity,
            oco_group_id=req.oco_group_id,
            position_id=req.position_id,
            correlation_id=_uuid4(),
            time_in_force=req.time_in_force or TimeInForce.GTC,
            created_at=now,
            updated_at=now,
        )
        working = Working(order)
        if order.order_type == OrderType.TRAILING_STOP:
            working.watermark = self.marks[order.symbol]
        self.orders[order.id] = working
        self.working[order.id] = working
        if req.client_order_id is not None:
            self.by_client_id[req.client_order_id] = order.id
        if req.oco_group_id is not None:
            group = [
                w
                for w in self.working.values()
                if w.order.oco_group_id == req.oco_group_id and w is not working
            ]
            for other in group:
                if other.order.status not in TERMINAL:
                    other.siblings.append(order.id)
                    working.siblings.append(other.order.id)
        bracket = req.stop_loss is not None or req.take_profit is not None
        kind = OrderEventType.BRACKET_ORDER_CREATED if bracket else OrderEventType.ORDER_CREATED
        events: list[Event] = [order_event(kind, order, now, parent=False)]
        events += self._try_now(working, bid, ask, now)
        return _handle(order), events

    @staticmethod
    def _would_take(req: SubmitOrderRequest, bid: Decimal, ask: Decimal) -> bool:
        if req.order_type != OrderType.LIMIT:
            return True  # only a resting limit order can be a maker
        limit = Decimal(req.limit_price or "0")
        return limit >= ask if req.side == Side.BUY else limit <= bid

    def _reduces(self, symbol: str, side: Side) -> bool:
        held = self.holdings.get(symbol)
        qty = held.quantity if held else ZERO
        return (qty > 0 and side == Side.SELL) or (qty < 0 and side == Side.BUY)

    def _lacks_funds(self, symbol: str, side: Side, quantity: Decimal, price: Decimal) -> bool:
        if self._reduces(symbol, side):
            held = self.holdings[symbol]
            quantity = max(ZERO, quantity - abs(held.quantity))  # only the part beyond flat needs funds
        equity, exposure, _ = self._totals()
        return quantity * price > equity - exposure

    def _try_now(self, w: Working, bid: Decimal, ask: Decimal, now: dt.datetime) -> list[Event]:
        """Fill what is marketable at the current quote; IOC/FOK leftovers expire (time in force ran out)."""
        o = w.order
        buy = o.side == Side.BUY
        touch = ask if buy else bid
        price: Decimal | None = None
        if o.order_type == OrderType.MARKET:
            price = touch
        elif o.order_type == OrderType.LIMIT:
            limit = Decimal(o.limit_price or "0")
            if (buy and touch <= limit) or (not buy and touch >= limit):
                price = touch
        elif o.order_type in (OrderType.STOP, OrderType.STOP_LIMIT):
            stop = Decimal(o.stop_price or "0")
            if (buy and touch >= stop) or (not buy and touch <= stop):
                if o.order_type == OrderType.STOP:
                    price = touch
                else:
                    w.triggered = True
                    limit = Decimal(o.limit_price or "0")
                    if (buy and touch <= limit) or (not buy and touch >= limit):
                        price = touch
        if price is not None:
            return self._fill(w, price, now)
        if o.time_in_force in _IMMEDIATE:
            return self._end(w, OrderStatus.EXPIRED, OrderEventType.ORDER_EXPIRED, now)
        return []

    # -- the price path ---------------------------------------------------------------------------
    def on_bar(self, symbol: str, bar: Candle, now: dt.datetime) -> list[Event]:
        """Trigger working orders of `symbol` whose prices the bar traded through; mark to close."""
        self.marks[symbol] = bar.close
        events: list[Event] = []
        for w in [w for w in self.working.values() if w.order.symbol == symbol]:
            if w.order.status in TERMINAL:  # an OCO sibling filled earlier in this loop
                continue
            price = self._bar_price(w, bar)
            if price is not None:
                events += self._fill(w, price, now)
        return events

    def _bar_price(self, w: Working, bar: Candle) -> Decimal | None:
        o = w.order
        buy = o.side == Side.BUY
        if o.order_type == OrderType.LIMIT or (o.order_type == OrderType.STOP_LIMIT and w.triggered):
            limit = Decimal(o.limit_price or "0")
            if buy and bar.low <= limit:
                return min(limit, bar.open)
            if not buy and bar.high >= limit:
                return max(limit, bar.open)
            return None
        if o.order_type in (OrderType.STOP, OrderType.STOP_LIMIT):
            stop = Decimal(o.stop_price or "0")
            hit = bar.high >= stop if buy else bar.low <= stop
            if not hit:
                return None
            trigger = max(stop, bar.open) if buy else min(stop, bar.open)
            if o.order_type == OrderType.STOP:
                return trigger
            w.triggered = True
            limit = Decimal(o.limit_price or "0")
            if (buy and trigger <= limit) or (not buy and trigger >= limit):
                return trigger
            return None
        if o.order_type == OrderType.TRAILING_STOP:
            assert w.watermark is not None
            level = self._trail_level(w)
            if (buy and bar.high >= level) or (not buy and bar.low <= level):
                return max(level, bar.open) if buy else min(level, bar.open)
            w.watermark = min(w.watermark, bar.low) if buy else max(w.watermark, bar.high)
        return None

    def _trail_level(self, w: Working) -> Decimal:
        o = w.order
        assert w.watermark is not None
        distance = Decimal(o.trailing_distance or "0")
        if o.trailing_type == TrailingType.PERCENT:
            distance = w.watermark * distance / 100
        return w.watermark + distance if o.side == Side.BUY else w.watermark - distance

    # -- fills ----------------------------------------------------------------------------------
    def _fill(self, w: Working, price: Decimal, now: dt.datetime) -> list[Event]:
        o = w.order
        quantity = Decimal(o.remaining_quantity)
        if o.reduce_only:
            held = self.holdings.get(o.symbol)
            available = abs(held.quantity) if held and self._reduces(o.symbol, o.side) else ZERO
            if available <= 0:
                return self._end(w, OrderStatus.CANCELLED, OrderEventType.ORDER_CANCELLED, now)
            quantity = min(quantity, available)
        # A market order was checked on submission at this very price; others are checked when they trigger.
        if (
            not o.reduce_only
            and o.order_type != OrderType.MARKET
            and self._lacks_funds(o.symbol, o.side, quantity, price)
        ):
            o.reject_reason = RejectReason.INSUFFICIENT_BALANCE
            return self._end(w, OrderStatus.REJECTED, OrderEventType.ORDER_REJECTED, now)
        filled = Decimal(o.filled_quantity) + quantity
        previous_avg = _d(o.average_fill_price)
        o.average_fill_price = _txt(
            _avg((previous_avg * Decimal(o.filled_quantity) + price * quantity) / filled)
        )
        o.filled_quantity = _txt(filled)
        rest = Decimal(o.quantity) - filled
        o.remaining_quantity = _txt(rest)
        # An IOC/FOK that fills only part (a reduce-only order trimmed to the position) fills that
        # part and expires the rest, as the backtest engine does.
        expire_rest = rest > 0 and o.time_in_force in _IMMEDIATE
        o.status = OrderStatus.PARTIALLY_FILLED if expire_rest else OrderStatus.FILLED
        o.updated_at = now
        if not expire_rest:
            self.working.pop(o.id, None)
        kind = OrderEventType.ORDER_PARTIALLY_FILLED if expire_rest else OrderEventType.ORDER_FILLED
        events: list[Event] = [order_event(kind, o, now)]
        trade = Trade(
            id=f"trd-{next(self._trade_ids):06d}",
            order_id=o.id,
            symbol=o.symbol,
            side=o.side,
            quantity=_txt(quantity),
            price=_txt(price),
            commission="0",
            commission_currency=self.currency,
            is_maker=o.order_type == OrderType.LIMIT,
            timestamp=now,
        )
        self.trades.append(trade)
        events.append(
            ("trade", partial(TradeEvent, event=TradeEventType.TRADE_FILLED, trade=trade, timestamp=now))
        )
        events += self._apply(o.symbol, quantity if o.side == Side.BUY else -quantity, price, now)
        for sibling_id in w.siblings:
            sibling = self.orders[sibling_id]
            if sibling.order.status not in TERMINAL:
                events += self._end(sibling, OrderStatus.CANCELLED, OrderEventType.ORDER_CANCELLED, now)
        if o.stop_loss is not None or o.take_profit is not None:
            events += self._attach_exits(w, quantity, now)
        if expire_rest:
            events += self._end(w, OrderStatus.EXPIRED, OrderEventType.ORDER_EXPIRED, now)
        return events

    def _apply(self, symbol: str, signed: Decimal, price: Decimal, now: dt.datetime) -> list[Event]:
        h = self.holdings.setdefault(symbol, Holding(symbol))
        self.cash -= signed * price
        self.marks[symbol] = self.marks.get(symbol, price)
        before = h.quantity
        if before == 0:
            h.quantity, h.average, h.realized, h.opened_at = signed, price, ZERO, now
            kind = PositionEventType.POSITION_OPENED
        elif (before > 0) == (signed > 0):
            h.average = _avg((h.average * abs(before) + price * abs(signed)) / (abs(before) + abs(signed)))
            h.quantity = before + signed
            kind = PositionEventType.POSITION_MODIFIED
        else:
            closing = min(abs(signed), abs(before))
            h.realized += (price - h.average) * closing * (1 if before > 0 else -1)
            h.quantity = before + signed
            if h.quantity == 0:
                kind = PositionEventType.POSITION_CLOSED
            else:
                if (h.quantity > 0) != (before > 0):  # flipped: the rest opens at this price
                    h.average, h.opened_at = price, now
                kind = PositionEventType.POSITION_MODIFIED
        h.updated_at = now
        events: list[Event] = [
            ("position", partial(_position_event, kind, now, *self._position_values(h))),
            ("account", partial(_account_event, now, self.cash, *self._totals(), self.currency)),
        ]
        if h.quantity == 0:
            # A flat position has no use for its protective legs.
            for w in list(self.working.values()):
                if w.leg and w.order.symbol == symbol:
                    events += self._end(w, OrderStatus.CANCELLED, OrderEventType.ORDER_CANCELLED, now)
        return events

    def _attach_exits(self, entry: Working, quantity: Decimal, now: dt.datetime) -> list[Event]:
        o = entry.order
        exit_side = Side.SELL if o.side == Side.BUY else Side.BUY
        legs: list[Working] = []
        for leg, order_type, price_field in (
            ("stop_loss", OrderType.STOP, "stop_price"),
            ("take_profit", OrderType.LIMIT, "limit_price"),
        ):
            trigger = getattr(o, leg)
            if trigger is None:
                continue
            child = Order(
                id=f"ord-{next(self._order_ids):06d}",
                symbol=o.symbol,
                side=exit_side,
                order_type=order_type,
                quantity=_txt(quantity),
                filled_quantity="0",
                remaining_quantity=_txt(quantity),
                status=OrderStatus.OPEN,
                parent_order_id=o.id,
                reduce_only=True,
                time_in_force=TimeInForce.GTC,
                created_at=now,
                updated_at=now,
            )
            setattr(child, price_field, trigger)
            w = Working(child, leg=leg)
            self.orders[child.id] = w
            self.working[child.id] = w
            legs.append(w)
        if len(legs) == 2:
            legs[0].siblings.append(legs[1].order.id)
            legs[1].siblings.append(legs[0].order.id)
        return [order_event(OrderEventType.ORDER_CREATED, w.order, now) for w in legs]

    def _end(self, w: Working, status: OrderStatus, kind: OrderEventType, now: dt.datetime) -> list[Event]:
        w.order.status = status
        w.order.updated_at = now
        self.working.pop(w.order.id, None)
        return [order_event(kind, w.order, now)]

    # -- amendments ------------------------------------------------------------------------------
    def cancel(self, order_id: str, now: dt.datetime) -> tuple[Order, list[Event]]:
        """Cancel a working order; an already cancelled one is returned unchanged."""
        w = self.get(order_id)
        if w.order.status == OrderStatus.CANCELLED:
            return _copy(w.order), []
        if w.order.status in TERMINAL:
            raise OrderNotModifiable(
                f"Order not modifiable: {order_id} is already finished", {"order_id": order_id}
            )
        events = self._end(w, OrderStatus.CANCELLED, OrderEventType.ORDER_CANCELLED, now)
        return _copy(w.order), events

    def modify(self, order_id: str, changes: dict[str, str], now: dt.datetime) -> tuple[Order, list[Event]]:
        """Amend price/quantity fields of a working order."""
        w = self.get(order_id)
        o = w.order
        if o.status in TERMINAL:
            raise OrderNotModifiable(
                f"Order not modifiable: {order_id} is already finished", {"order_id": order_id}
            )
        allowed = {"quantity", "stop_loss", "take_profit"}
        allowed |= {
            OrderType.LIMIT: {"limit_price"},
            OrderType.STOP: {"stop_price"},
            OrderType.STOP_LIMIT: {"limit_price", "stop_price"},
            OrderType.TRAILING_STOP: {"trailing_distance"},
        }.get(o.order_type, set())
        for name in changes:
            if name not in allowed:
                raise OrderNotModifiable(
                    f"Order not modifiable: {name} cannot change on a {o.order_type.name} order",
                    {"order_id": order_id, "field": name},
                )
        if "quantity" in changes and Decimal(changes["quantity"]) < Decimal(o.filled_quantity):
            raise OrderNotModifiable(
                "Order not modifiable: quantity below the filled quantity", {"order_id": order_id}
            )
        if not changes:
            return _copy(o), []
        for name, value in changes.items():
            setattr(o, name, value)
        if "quantity" in changes:
            o.remaining_quantity = _txt(Decimal(o.quantity) - Decimal(o.filled_quantity))
        o.updated_at = now
        return _copy(o), [order_event(OrderEventType.ORDER_MODIFIED, o, now)]

    def move_exits(
        self, pid: str, stop_loss: str | None, take_profit: str | None, now: dt.datetime
    ) -> tuple[dict[str, ExitLegPlacement], list[Event]]:
        """Move the resting protective legs of a position."""
        h = self.find_position(pid)
        placed: dict[str, ExitLegPlacement] = {}
        events: list[Event] = []
        for leg, value, price_field in (
            ("stop_loss", stop_loss, "stop_price"),
            ("take_profit", take_profit, "limit_price"),
        ):
            if value is None:
                continue
            legs = [w for w in self.working.values() if w.leg == leg and w.order.symbol == h.symbol]
            if not legs:
                raise OrderNotModifiable(
                    f"Order not modifiable: position {pid} has no resting {leg}",
                    {"position_id": pid, "leg_type": leg},
                )
            for w in legs:
                setattr(w.order, price_field, value)
                w.order.updated_at = now
                events.append(order_event(OrderEventType.ORDER_MODIFIED, w.order, now))
            placed[leg] = ExitLegPlacement(order_ids=[w.order.id for w in legs], trigger_price=value)
        return placed, events


def _handle(order: Order) -> OrderHandle:
    return OrderHandle(
        id=order.id,
        client_order_id=order.client_order_id,
        correlation_id=order.correlation_id,
        status=order.status,
    )


def _copy(order: Order) -> Order:
    # Events carry a snapshot: later changes to the live order must not rewrite queued events.
    # Every field is immutable (str, enum, datetime), so a shallow copy is a full snapshot; it is
    # done by hand because betterproto2's __copy__ costs ~10 µs per order.
    clone: Order = object.__new__(Order)
    clone.__dict__.update(order.__dict__)
    return clone
