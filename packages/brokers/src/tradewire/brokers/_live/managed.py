"""Gateway-managed exits, sans I/O: brackets and OCO groups a broker lacks, kept as persisted exit rules.

Broker-neutral: it reads the protocol's `Order` / `ServerMessage` values an adapter already makes, and
answers with `Action`s (place an exit, cancel an order, emit an event) that `managed_run.ManagedExits`
carries out through the adapter's narrow `ExitPort`. Every change is written to the `Store` first, so a
restart resumes each rule where it stood and never sends an exit twice.

Semantics (the backtest engine's, docs/spec events.md):

* A bracket (entry + `stop_loss` / `take_profit`) sends its entry as a plain order. Its exits start
  once the entry has ended: fully filled, or cancelled / expired after a partial fill, sized to the
  filled quantity (like the engine and Alpaca's native brackets, a still-working partly filled entry
  is not yet protected). An entry that ends with nothing filled drops the rule.
* Each exit either rests at the broker (`rest`: the take-profit LIMIT) or is held by the gateway as a
  stop trigger (`trigger`): a bracket's stop-loss and an OCO group's STOP / STOP_LIMIT members, where
  the broker lacks them or would refuse two resting exits for one position (both claim the quantity).
  A trigger fires when the bid (a SELL exit) falls to the stop, or the ask (a BUY exit) rises to it;
  it first cancels its resting siblings and then sends a MARKET order (STOP) or a LIMIT at its limit
  price (STOP_LIMIT) for what is left, under the trigger's own id (`fire_exit_rule`: once, ever).
* One-cancels-other: a fill of one leg reduces a trigger sibling by the filled quantity (a MODIFIED
  event) and cancels it when the leg is filled; a resting sibling is cancelled at the leg's first fill.
  A bracket leg cancelled by the client or the broker cancels its group (as Alpaca's brackets do); a
  closed position cancels its symbol's working bracket exits (as the engine does) once a position event
  had shown it open while they worked.
* Ids: a bracket of group `g` has legs `g-tp` / `g-sl`, the client order ids they are sent under; an
  OCO member is its own client order id. A trigger is reported under that id before and after it
  fires (its broker order's events are relabelled), with `parent_order_id` (bracket legs) or
  `oco_group_id` (OCO members) as the spec defines them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Final

from tradewire.brokers._live.store import ExitRule, Store
from tradewire.protocol import codec, order_rules
from tradewire.protocol.messages import (
    Order,
    OrderEvent,
    OrderEventType,
    OrderStatus,
    OrderType,
    PositionEventType,
    ServerMessage,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    Trade,
    TradeEvent,
)

__all__ = [
    "TRIGGER_TYPES",
    "Action",
    "Cancel",
    "Emit",
    "ExitManager",
    "Leg",
    "Place",
]

log = logging.getLogger(__name__)

_ZERO: Final = Decimal(0)
_ENDED: Final = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED}
)
#: Order types a trigger holds; what it sends when it fires.
TRIGGER_TYPES: Final[Mapping[OrderType, OrderType]] = {
    OrderType.STOP: OrderType.MARKET,
    OrderType.STOP_LIMIT: OrderType.LIMIT,
}
# Phases of a leg: waiting for its entry, working (resting or armed), firing (a trigger waits for its
# resting siblings to end), placed (a fired trigger's order is at the broker), cancelling (we asked
# the broker to cancel it), done.
_ACTIVE: Final = frozenset({"working", "firing", "placed", "cancelling"})


@dataclass(frozen=True, slots=True)
class Place:
    """Send `request` under client order id `leg_id` (idempotently: the id never changes)."""

    leg_id: str
    request: SubmitOrderRequest


@dataclass(frozen=True, slots=True)
class Cancel:
    """Cancel the broker's order `order_id` (an exit leg); already ended is fine."""

    order_id: str


@dataclass(frozen=True, slots=True)
class Emit:
    """Send `message` to clients (events of trigger legs, which the broker does not know)."""

    message: ServerMessage


Action = Place | Cancel | Emit


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _opt(value: str) -> Decimal | None:
    return Decimal(value) if value else None


@dataclass(slots=True)
class Leg:
    """One row of a managed group: the entry of a bracket, or an exit leg (in memory and in the store)."""

    id: str
    group: str
    #: entry | tp | sl | member
    role: str
    #: entry | rest | trigger
    mode: str
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: Decimal
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    filled: Decimal = _ZERO
    phase: str = "waiting"
    broker_id: str = ""
    #: Bracket legs: the entry's order id; OCO members: the client's group id.
    parent: str = ""
    oco: str = ""
    created_at: dt.datetime = field(default_factory=_now)
    state: str = "armed"

    def rule(self) -> ExitRule:
        spec: dict[str, str | Decimal] = {
            "role": self.role,
            "mode": self.mode,
            "side": Side(self.side).name,
            "order_type": OrderType(self.order_type).name,
            "time_in_force": TimeInForce(self.time_in_force).name,
            "quantity": self.quantity,
            "limit_price": "" if self.limit_price is None else self.limit_price,
            "stop_price": "" if self.stop_price is None else self.stop_price,
            "filled": self.filled,
            "phase": self.phase,
            "broker_id": self.broker_id,
            "parent": self.parent,
            "oco": self.oco,
            "created_at": self.created_at.isoformat(),
        }
        return ExitRule(self.id, self.group, self.symbol, spec, self.state)

    @classmethod
    def from_rule(cls, rule: ExitRule) -> Leg:
        s = {k: str(v) for k, v in rule.spec.items()}
        return cls(
            id=rule.rule_id,
            group=rule.entry_id,
            role=s["role"],
            mode=s["mode"],
            symbol=rule.symbol,
            side=Side[s["side"]],
            order_type=OrderType[s["order_type"]],
            time_in_force=TimeInForce[s["time_in_force"]],
            quantity=Decimal(s["quantity"]),
            limit_price=_opt(s["limit_price"]),
            stop_price=_opt(s["stop_price"]),
            filled=Decimal(s["filled"]),
            phase=s["phase"],
            broker_id=s["broker_id"],
            parent=s["parent"],
            oco=s["oco"],
            created_at=dt.datetime.fromisoformat(s["created_at"]),
            state=rule.state,
        )

    @property
    def triggered_type(self) -> OrderType:
        return TRIGGER_TYPES.get(OrderType(self.order_type), OrderType(self.order_type))


class ExitManager:
    """The managed groups of one venue, loaded from and written through to its `Store`.

    Not thread-safe: call it from the adapter's event loop only. Every method returns the actions the
    adapter must carry out, in order.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._legs: dict[str, Leg] = {}
        self._by_broker: dict[str, Leg] = {}
        # Bracket legs a position event showed open after they started: only those go with a closed
        # position (a CLOSED read just before a new entry filled must not cancel that entry's exits).
        self._saw_open: set[str] = set()
        for rule in store.exit_rules(armed_only=False):
            leg = Leg.from_rule(rule)
            if leg.phase != "done":
                self._index(leg)

    # -- bookkeeping --------------------------------------------------------------------------
    def _index(self, leg: Leg) -> None:
        self._legs[leg.id] = leg
        if leg.broker_id:
            self._by_broker[leg.broker_id] = leg

    def _save(self, leg: Leg) -> None:
        self._store.put_exit_rule(leg.rule())
        self._index(leg)

    def _group(self, leg: Leg) -> list[Leg]:
        return [g for g in self._legs.values() if g.group == leg.group and g is not leg and g.role != "entry"]

    def _finish(self, leg: Leg, state: str) -> None:
        leg.phase, leg.state = "done", state
        self._save(leg)

    def _leg(self, order: Order) -> Leg | None:
        if order.client_order_id and order.client_order_id in self._legs:
            return self._legs[order.client_order_id]
        return self._by_broker.get(order.id)

    def is_managed(self, order_id: str) -> bool:
        """Whether `order_id` (a wire or broker id) is an order of a working managed group: clients may
        not modify it, since a broker's replace gives it a new client order id the rule cannot follow."""
        leg = self._legs.get(order_id) or self._by_broker.get(order_id)
        return leg is not None and leg.phase != "done"

    # -- new groups ---------------------------------------------------------------------------
    def add_bracket(
        self,
        group: str,
        entry_client_id: str,
        request: SubmitOrderRequest,
        *,
        stop_trigger: bool = True,
    ) -> None:
        """Record a bracket before its entry (`request`, sent as `entry_client_id` without its exits) leaves.

        `stop_trigger`: the stop-loss is a gateway trigger (else it rests at the broker as a STOP).
        """
        side = Side(request.side)
        exit_side = Side.SELL if side == Side.BUY else Side.BUY
        tif = TimeInForce.GTC  # exits outlive the entry's IOC; GTC is what every broker takes
        symbol = request.symbol
        entry = Leg(
            entry_client_id, group, "entry", "entry", symbol, side, OrderType(request.order_type), tif,
            Decimal(order_rules.quantity_of(request, "gateway-managed exits")), _opt(request.take_profit or ""), _opt(request.stop_loss or ""),
            phase="working",
        )  # fmt: skip
        legs = [entry]
        if request.take_profit is not None:
            legs.append(
                Leg(f"{group}-tp", group, "tp", "rest", symbol, exit_side, OrderType.LIMIT, tif, _ZERO,
                    limit_price=Decimal(request.take_profit))
            )  # fmt: skip
        if request.stop_loss is not None:
            legs.append(
                Leg(f"{group}-sl", group, "sl", "trigger" if stop_trigger else "rest", symbol, exit_side,
                    OrderType.STOP, tif, _ZERO, stop_price=Decimal(request.stop_loss))
            )  # fmt: skip
        for leg in legs:
            self._save(leg)

    def add_oco_member(self, client_id: str, request: SubmitOrderRequest) -> list[Action]:
        """Record an order of OCO group `request.oco_group_id`, sent as `client_id` (a trigger when it
        is a STOP / STOP_LIMIT: not sent now; its ORDER_CREATED is the first action)."""
        order_type = OrderType(request.order_type)
        trigger = order_type in TRIGGER_TYPES
        leg = Leg(
            client_id, f"oco:{request.oco_group_id}", "member", "trigger" if trigger else "rest",
            request.symbol, Side(request.side), order_type,
            TimeInForce.GTC if request.time_in_force is None else TimeInForce(request.time_in_force),
            Decimal(order_rules.quantity_of(request, "gateway-managed OCO groups")), _opt(request.limit_price or ""), _opt(request.stop_price or ""),
            phase="working", oco=request.oco_group_id or "",
        )  # fmt: skip
        self._save(leg)
        return [self._emit(OrderEventType.ORDER_CREATED, leg)] if trigger else []

    def drop(self, leg_or_group: str) -> None:
        """Forget a group (or an OCO member) whose order the broker refused before it existed."""
        for leg in list(self._legs.values()):
            if leg.group == leg_or_group or leg.id == leg_or_group:
                self._finish(leg, "cancelled")
                del self._legs[leg.id]

    # -- what the broker reports --------------------------------------------------------------
    def placed(self, leg_id: str, order: Order) -> list[Action]:
        """The broker accepted a leg placed by a `Place`: remember its id, then treat it as an update."""
        leg = self._legs.get(leg_id)
        if leg is None:
            return []
        if not leg.broker_id:
            leg.broker_id = order.id
            self._save(leg)
        return self.on_order(order)

    def sent(self, leg_id: str, order_id: str) -> None:
        """The broker's id of an order the adapter sent itself (a bracket's entry, an OCO member)."""
        leg = self._legs.get(leg_id)
        if leg is not None and not leg.broker_id:
            leg.broker_id = order_id
            self._save(leg)

    def hand_over(self, leg_id: str, order: Order) -> list[Action]:
        """A working trigger the adapter placed at the broker itself (e.g. with its sibling in one native
        OCO list): from now on the broker's order `order` is the truth, still reported under the
        trigger's id, and the gateway no longer fires it."""
        leg = self._legs.get(leg_id)
        if leg is None or leg.mode != "trigger" or leg.phase != "working":
            return []
        leg.phase, leg.broker_id = "placed", order.id
        self._save(leg)
        return self.on_order(order)

    def failed(self, leg_id: str, reason: str) -> list[Action]:
        """The broker refused a `Place`: the leg ends REJECTED (clients see it; the position is theirs)."""
        leg = self._legs.get(leg_id)
        if leg is None or leg.phase == "done":
            return []
        log.warning("managed exit %s was refused by the broker: %s", leg_id, reason)
        self._finish(leg, "cancelled")
        return [self._emit(OrderEventType.ORDER_REJECTED, leg, OrderStatus.REJECTED)]

    def held(self, leg_id: str) -> list[Action]:
        """The broker will not rest a stop leg: the market is already past its price (or a resting sibling
        claims the quantity). The gateway holds it as a trigger instead, which the next price read fires
        when the market is past it, as the engine fills a stop its bar has crossed."""
        leg = self._legs.get(leg_id)
        if leg is None or leg.phase == "done":
            return []
        if leg.stop_price is None or leg.mode != "rest":  # a fired trigger's order is not held twice
            return self.failed(leg_id, "the broker would not rest it, and it is not a resting stop")
        log.info("managed exit %s: the broker would not rest it; held as a trigger", leg_id)
        leg.mode, leg.phase = "trigger", "working"
        self._save(leg)
        return [self._emit(OrderEventType.ORDER_CREATED, leg)]

    def on_order(self, order: Order) -> list[Action]:
        """An order's current state (stream event or REST read), in any order and any number of times."""
        leg = self._leg(order)
        if leg is None or leg.phase in ("done", "waiting"):
            return []
        if not leg.broker_id and (leg.mode != "trigger" or leg.phase == "placed"):
            leg.broker_id = order.id
            self._by_broker[order.id] = leg
        filled = Decimal(order.filled_quantity)
        delta = filled - leg.filled
        if delta < 0:
            return []  # an older state than one already seen
        leg.filled = filled
        ended = order.status in _ENDED
        if leg.role == "entry":
            return self._entry(leg, ended)
        before = leg.phase
        if ended:
            leg.phase = "done"
            leg.state = "fired" if filled > 0 else "cancelled"
        self._save(leg)
        actions: list[Action] = []
        if delta > 0:
            actions += self._reduce_siblings(leg, delta, order.status == OrderStatus.FILLED)
        if ended:
            actions += self._leg_ended(leg, before, order.status)
        return actions

    def _entry(self, entry: Leg, ended: bool) -> list[Action]:
        if not ended:
            self._save(entry)
            return []
        self._finish(entry, "fired" if entry.filled > 0 else "cancelled")
        actions: list[Action] = []
        for leg in self._group(entry):
            if leg.phase != "waiting":
                continue
            if entry.filled == 0:
                self._finish(leg, "cancelled")  # never created: no event
                continue
            leg.quantity, leg.parent, leg.phase = entry.filled, entry.broker_id, "working"
            self._save(leg)
            if leg.mode == "trigger":
                actions.append(self._emit(OrderEventType.ORDER_CREATED, leg))
            else:
                actions.append(Place(leg.id, self._request(leg, leg.order_type)))
        return actions

    def _reduce_siblings(self, leg: Leg, delta: Decimal, full: bool) -> list[Action]:
        actions: list[Action] = []
        for sib in self._group(leg):
            if sib.mode == "trigger" and sib.phase in ("working", "firing"):
                if full or sib.quantity <= delta:  # cancelled as it stood: nothing left to protect
                    self._finish(sib, "cancelled")
                    actions.append(self._emit(OrderEventType.ORDER_CANCELLED, sib, OrderStatus.CANCELLED))
                else:
                    sib.quantity -= delta
                    self._save(sib)
                    actions.append(self._emit(OrderEventType.ORDER_MODIFIED, sib))
            elif sib.mode == "rest" and sib.phase == "working" and sib.broker_id:
                sib.phase = "cancelling"
                self._save(sib)
                actions.append(Cancel(sib.broker_id))
        return actions

    def _leg_ended(self, leg: Leg, before: str, status: OrderStatus) -> list[Action]:
        actions: list[Action] = []
        siblings = self._group(leg)
        unfilled_end = status != OrderStatus.FILLED and before == "working" and leg.role in ("tp", "sl")
        if unfilled_end:
            # Cancelled or expired by someone else: the bracket goes with it (Alpaca's rule).
            actions += self._cancel_legs(siblings)
        for sib in siblings:
            if sib.phase == "firing":
                actions += self._send_if_clear(sib)
        return actions

    def _cancel_legs(self, legs: Iterable[Leg]) -> list[Action]:
        actions: list[Action] = []
        for sib in legs:
            if sib.mode == "trigger" and sib.phase in ("working", "firing"):
                self._finish(sib, "cancelled")
                actions.append(self._emit(OrderEventType.ORDER_CANCELLED, sib, OrderStatus.CANCELLED))
            elif sib.phase in ("working", "placed") and sib.broker_id:
                sib.phase = "cancelling"
                self._save(sib)
                actions.append(Cancel(sib.broker_id))
            elif sib.phase == "waiting":
                self._finish(sib, "cancelled")
        return actions

    def _send_if_clear(self, trigger: Leg) -> list[Action]:
        """A fired trigger's order goes out once no resting sibling can still fill."""
        if any(s.mode == "rest" and s.phase in ("working", "cancelling") for s in self._group(trigger)):
            return []
        trigger.phase = "placed"
        self._save(trigger)
        return [Place(trigger.id, self._request(trigger, trigger.triggered_type))]

    # -- prices -------------------------------------------------------------------------------
    def trigger_symbols(self) -> list[str]:
        """Symbols with an armed trigger: the adapter feeds their prices to `on_price`."""
        return sorted({g.symbol for g in self._legs.values() if g.mode == "trigger" and g.phase == "working"})

    def on_price(self, symbol: str, bid: Decimal, ask: Decimal) -> list[Action]:
        """The market in `symbol` now: fires the triggers it reaches."""
        actions: list[Action] = []
        for leg in list(self._legs.values()):
            if leg.symbol != symbol or leg.mode != "trigger" or leg.phase != "working":
                continue
            stop = leg.stop_price
            hit = stop is not None and (bid <= stop if leg.side == Side.SELL else ask >= stop)
            if not hit or not self._store.fire_exit_rule(leg.id):
                continue
            leg.state, leg.phase = "fired", "firing"
            self._save(leg)
            for sib in self._group(leg):
                if sib.mode == "rest" and sib.phase == "working" and sib.broker_id:
                    sib.phase = "cancelling"
                    self._save(sib)
                    actions.append(Cancel(sib.broker_id))
            actions += self._send_if_clear(leg)
        return actions

    def on_position(self, symbol: str, closed: bool) -> list[Action]:
        """A position event in `symbol`: once flat, the exits that saw it open have nothing to protect.

        Bracket legs only: an OCO group's members are the client's own orders (the engine's rule).
        """
        legs = [
            g
            for g in self._legs.values()
            if g.symbol == symbol and g.role in ("tp", "sl") and g.phase in ("working", "firing")
        ]
        if not closed:
            self._saw_open.update(g.id for g in legs)
            return []
        return self._cancel_legs(g for g in legs if g.id in self._saw_open)

    # -- client requests ----------------------------------------------------------------------
    def cancel(self, order_id: str) -> list[Action] | None:
        """A client cancels `order_id`; None when it is not a managed trigger (the broker cancels it)."""
        leg = self._legs.get(order_id)
        if leg is None or leg.mode != "trigger":
            return None
        if leg.phase == "placed":
            return [Cancel(leg.broker_id)] if leg.broker_id else []
        if leg.phase not in ("working", "firing"):
            return []
        actions = self._cancel_legs([leg])
        if leg.role == "sl":
            actions += self._cancel_legs(self._group(leg))
        return actions

    def cancel_all(self, symbol: str | None = None) -> list[Action]:
        """Cancel-all: every working trigger (of `symbol`); resting legs are the broker's to cancel."""
        return self._cancel_legs(
            g
            for g in list(self._legs.values())
            if g.mode == "trigger" and g.phase in ("working", "firing") and symbol in (None, g.symbol)
        )

    # -- restart ------------------------------------------------------------------------------
    def to_refresh(self) -> list[str]:
        """Client order ids whose broker state a restart must read back (then fed to `on_order`)."""
        return [
            g.id
            for g in self._legs.values()
            if (g.role == "entry" and g.phase == "working")
            or (g.mode == "rest" and g.phase in ("working", "cancelling"))
            or g.phase == "placed"
        ]

    def resume(self) -> list[Action]:
        """After the refresh: redo what a stop mid-way left half done (each step is idempotent)."""
        actions: list[Action] = []
        legs = list(self._legs.values())
        for leg in sorted(legs, key=lambda g: g.phase != "firing"):  # firing first: it may cancel siblings
            if leg.phase == "firing":
                for sib in self._group(leg):
                    if sib.mode == "rest" and sib.phase == "working" and sib.broker_id:
                        sib.phase = "cancelling"  # stopped between the two writes of `on_price`
                        self._save(sib)
                actions += self._send_if_clear(leg)
            elif leg.phase == "placed" and not leg.broker_id:
                actions.append(Place(leg.id, self._request(leg, leg.triggered_type)))
            elif leg.mode == "rest" and leg.phase == "working" and not leg.broker_id and leg.role != "entry":
                actions.append(Place(leg.id, self._request(leg, leg.order_type)))
            elif leg.mode == "rest" and leg.phase == "cancelling" and leg.broker_id:
                actions.append(Cancel(leg.broker_id))  # still open after the refresh: ask again
        return actions

    # -- what clients see ---------------------------------------------------------------------
    def orders(self, symbol: str | None = None, *, working: bool = True) -> list[Order]:
        """Triggers that never reached the broker: working ones (`working`), else the ended ones."""
        out = []
        for leg in self._legs.values():
            if leg.mode != "trigger" or leg.broker_id or symbol not in (None, leg.symbol):
                continue
            if (leg.phase in ("working", "firing")) == working:
                out.append(self._order(leg))
        return out

    def order(self, order_id: str) -> Order | None:
        """A trigger not (yet) at the broker, by its id."""
        leg = self._legs.get(order_id)
        if leg is None or leg.mode != "trigger" or leg.broker_id or leg.phase == "placed":
            return None  # once sent, the broker's order is the truth (`broker_id`, `decorate`)
        return self._order(leg)

    def broker_id(self, order_id: str) -> str | None:
        """The broker's id of a fired trigger reported as `order_id`."""
        leg = self._legs.get(order_id)
        return leg.broker_id if leg is not None and leg.mode == "trigger" and leg.broker_id else None

    def decorate(self, order: Order) -> Order:
        """A broker's order as clients see it: a fired trigger under its own id and type, a leg with its
        parent or group, an entry with its exits."""
        leg = self._leg(order)
        if leg is None:
            return order
        if leg.role == "entry":
            return replace(
                order,
                stop_loss=None if leg.stop_price is None else codec.dec(leg.stop_price),
                take_profit=None if leg.limit_price is None else codec.dec(leg.limit_price),
            )
        changes: dict[str, object] = {
            "parent_order_id": leg.parent or None,
            "oco_group_id": leg.oco or None,
            "reduce_only": True if leg.role != "member" else order.reduce_only,
        }
        if leg.mode == "trigger":
            changes |= {
                "id": leg.id,
                "order_type": leg.order_type,
                "stop_price": None if leg.stop_price is None else codec.dec(leg.stop_price),
                "limit_price": None if leg.limit_price is None else codec.dec(leg.limit_price),
            }
        return replace(order, **changes)  # type: ignore[arg-type]

    def label(self, messages: list[ServerMessage]) -> list[ServerMessage]:
        """The broker's events of managed orders as clients see them (see `decorate`); trades of a fired
        trigger carry its id."""
        for m in messages:  # a fill's trade comes before its order's state: learn the ids first
            if m.order is not None and m.order.order is not None:
                leg = self._leg(m.order.order)
                if leg is not None and leg.mode == "trigger":
                    self._by_broker.setdefault(m.order.order.id, leg)
        out: list[ServerMessage] = []
        for m in messages:
            if m.order is not None and m.order.order is not None:
                out.append(self._label_order(m))
            elif m.trade is not None and m.trade.trade is not None:
                out.append(self._label_trade(m, m.trade, m.trade.trade))
            else:
                out.append(m)
        return out

    def _label_order(self, m: ServerMessage) -> ServerMessage:
        event = m.order
        assert event is not None and event.order is not None
        leg = self._leg(event.order)
        if leg is None:
            return m
        kind = OrderEventType(event.event)
        if kind == OrderEventType.ORDER_CREATED:
            if leg.role == "entry":
                kind = OrderEventType.BRACKET_ORDER_CREATED
            elif leg.mode == "trigger":
                kind = OrderEventType.ORDER_MODIFIED  # the trigger was created when armed; it fired
        order = self.decorate(event.order)
        return replace(
            m, order=replace(event, event=kind, order=order, parent_order_id=order.parent_order_id)
        )

    def _label_trade(self, m: ServerMessage, event: TradeEvent, trade: Trade) -> ServerMessage:
        leg = self._by_broker.get(trade.order_id)
        if leg is None or leg.mode != "trigger":
            return m
        return replace(m, trade=replace(event, trade=replace(trade, order_id=leg.id)))

    def trade_order_id(self, order_id: str) -> str:
        """The id clients know the order of a fill by (a fired trigger's own id)."""
        leg = self._by_broker.get(order_id)
        return leg.id if leg is not None and leg.mode == "trigger" else order_id

    def watch(self, messages: list[ServerMessage]) -> list[Action]:
        """What the broker's (unlabelled) events mean for the rules: order updates, closed positions, quotes."""
        actions: list[Action] = []
        for m in messages:
            if m.order is not None and m.order.order is not None:
                actions += self.on_order(m.order.order)
            elif m.position is not None and m.position.position is not None:
                closed = m.position.event == PositionEventType.POSITION_CLOSED
                actions += self.on_position(m.position.position.symbol, closed)
            elif m.quote is not None and (quote := m.quote.quote) is not None:
                # A streamed quote reaches a trigger sooner than the adapter's price poll.
                actions += self.on_price(quote.symbol, Decimal(quote.bid), Decimal(quote.ask))
        return actions

    # -- building -----------------------------------------------------------------------------
    def _request(self, leg: Leg, order_type: OrderType) -> SubmitOrderRequest:
        return SubmitOrderRequest(
            symbol=leg.symbol,
            side=leg.side,
            quantity=codec.dec(leg.quantity),
            order_type=order_type,
            time_in_force=leg.time_in_force,
            limit_price=None
            if leg.limit_price is None or order_type == OrderType.MARKET
            else codec.dec(leg.limit_price),
            stop_price=None
            if leg.stop_price is None or order_type in (OrderType.MARKET, OrderType.LIMIT)
            else codec.dec(leg.stop_price),
            client_order_id=leg.id,
        )

    def _order(self, leg: Leg, status: OrderStatus | None = None) -> Order:
        if status is None:
            status = OrderStatus.OPEN if leg.phase in ("working", "firing") else OrderStatus.CANCELLED
        quantity = max(leg.quantity, leg.filled)
        return Order(
            id=leg.id,
            client_order_id=leg.id,
            symbol=leg.symbol,
            side=leg.side,
            order_type=leg.order_type,
            quantity=codec.dec(quantity),
            filled_quantity=codec.dec(leg.filled),
            remaining_quantity=codec.dec(quantity - leg.filled),
            limit_price=None if leg.limit_price is None else codec.dec(leg.limit_price),
            stop_price=None if leg.stop_price is None else codec.dec(leg.stop_price),
            status=status,
            parent_order_id=leg.parent or None,
            oco_group_id=leg.oco or None,
            reduce_only=leg.role in ("tp", "sl"),
            time_in_force=leg.time_in_force,
            created_at=leg.created_at,
            updated_at=_now(),
        )

    def _emit(self, kind: OrderEventType, leg: Leg, status: OrderStatus | None = None) -> Emit:
        order = self._order(leg, status)
        return Emit(
            ServerMessage(
                order=OrderEvent(
                    event=kind, order=order, parent_order_id=order.parent_order_id, timestamp=_now()
                )
            )
        )
