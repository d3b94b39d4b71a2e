"""Synchronous trading operations on a running simulation, in protocol terms (shared by both shells)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Protocol

from tradewire.engine.config import BacktestConfig
from tradewire.engine.core.kernel import Kernel
from tradewire.engine.core.numbers import fmt_scaled
from tradewire.engine.core.orders import (
    BUY,
    CANCELLED,
    EV_FILLED,
    FILLED,
    LIMIT,
    MARKET,
    SELL,
    STOP,
    TERMINAL,
    OrderState,
)
from tradewire.engine.core.submit import correlation_id, parse_modify, quantity_lots, submit_order
from tradewire.engine.data.timeframes import TIMEFRAME_NS, timeframe_enum
from tradewire.engine.messages import MessageBuilder
from tradewire.protocol import messages as m
from tradewire.protocol import order_rules
from tradewire.protocol.errors import (
    InvalidRequest,
    OrderNotFound,
    OrderNotModifiable,
    PositionNotFound,
    SymbolNotFound,
)

__all__ = ["Market", "ProtocolOperations"]

_ORDER_TYPES = [
    m.OrderType.MARKET,
    m.OrderType.LIMIT,
    m.OrderType.STOP,
    m.OrderType.STOP_LIMIT,
    m.OrderType.TRAILING_STOP,
]


def _ns(t: dt.datetime) -> int:
    if t.tzinfo is None:
        raise InvalidRequest("Invalid request: timestamps must carry a UTC offset", {"field": "since/until"})
    delta = t - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


class Market(Protocol):
    """What the operations read of a market: a kernel, its settings, symbols and bar history.

    A backtest's `Simulation` and the live venue's `LiveMarket` both provide it.
    """

    @property
    def kernel(self) -> Kernel: ...
    @property
    def config(self) -> BacktestConfig: ...
    @property
    def symbols(self) -> dict[str, int]: ...
    def recent_bars(self, sym: int) -> list[tuple[int, int, int, int, int, int]]: ...


class ProtocolOperations:
    """The simulated venue's operations in protocol terms. Every method acts at the simulation's
    current instant.

    Public as `Backtest.operations` (part of the embedding API): its methods without a leading
    underscore take protocol requests or plain values and return protocol messages, raising the
    protocol's typed errors; `messages` is the run's MessageBuilder.
    """

    def __init__(self, sim: Market) -> None:
        self.sim = sim
        self.k = sim.kernel
        self.messages = MessageBuilder(self.k, sim.config.provider)

    # ------------------------------------------------------------------ helpers
    def _order(self, order_id: str) -> OrderState:
        o = self.k.orders.get(order_id)
        if o is None:
            raise OrderNotFound(f"Order not found: {order_id}", {"resource": "order", "id": order_id})
        return o

    def _sym(self, symbol: str) -> int:
        s = self.sim.symbols.get(symbol)
        if s is None:
            raise SymbolNotFound(f"Symbol not found: {symbol}", {"symbol": symbol})
        return s

    def _pos_sym(self, position_id: str) -> int:
        sym = position_id[4:] if position_id.startswith("pos-") else None
        s = self.sim.symbols.get(sym) if sym is not None else None
        if s is None or self.k.ledger.positions[s].qty == 0:
            raise PositionNotFound(
                f"Position not found: {position_id}", {"resource": "position", "id": position_id}
            )
        return s

    def order_message(self, o: OrderState) -> m.Order:
        return self.messages.order(o.snapshot())

    def handle(self, o: OrderState) -> m.OrderHandle:
        return m.OrderHandle(
            id=o.id,
            client_order_id=o.client_order_id,
            correlation_id=correlation_id(o.id),
            status=m.OrderStatus(o.status),
        )

    # ------------------------------------------------------------------ account
    def account(self) -> m.Account:
        return self.messages.account(self.k.account_snapshot())

    # ------------------------------------------------------------------ orders
    def submit(
        self, symbol: str, side: Any, quantity: Any = None, order_type: Any = MARKET, **kw: Any
    ) -> OrderState:
        """Submit an order (see `core.submit.submit_order` for the fields and errors)."""
        return submit_order(self.k, self.sim.symbols, symbol, side, quantity, order_type, **kw)

    def submit_request(self, r: m.SubmitOrderRequest) -> OrderState:
        return submit_order(
            self.k,
            self.sim.symbols,
            r.symbol,
            int(r.side),
            r.quantity,
            int(r.order_type),
            time_in_force=None if r.time_in_force is None else int(r.time_in_force),
            limit_price=r.limit_price,
            stop_price=r.stop_price,
            trailing_distance=r.trailing_distance,
            trailing_type=None if r.trailing_type is None else int(r.trailing_type),
            stop_loss=r.stop_loss,
            take_profit=r.take_profit,
            client_order_id=r.client_order_id,
            oco_group_id=r.oco_group_id,
            reduce_only=r.reduce_only,
            post_only=r.post_only,
            display_quantity=r.display_quantity,
            leverage=r.leverage,
            notional=r.notional,
        )

    def get_order(self, order_id: str) -> m.Order:
        return self.order_message(self._order(order_id))

    def list_orders(self, r: m.ListOrdersRequest | None, terminal: bool) -> list[m.Order]:
        r = r or m.ListOrdersRequest()
        statuses = {int(s) for s in r.status}
        sym = self.sim.symbols.get(r.symbol) if r.symbol is not None else None
        if r.symbol is not None and sym is None:
            return []
        since = _ns(r.since) if r.since is not None else None
        until = _ns(r.until) if r.until is not None else None
        if r.limit is not None and r.limit < 0:
            raise InvalidRequest("Invalid request: limit must be >= 0", {"field": "limit"})
        out: list[m.Order] = []
        for o in sorted(self.k.orders.values(), key=lambda o: (o.created, o.seq), reverse=True):
            if (o.status in TERMINAL) != terminal:
                continue
            if (statuses and o.status not in statuses) or (sym is not None and o.sym != sym):
                continue
            if r.side is not None and o.side != int(r.side):
                continue
            if r.client_order_id is not None and o.client_order_id != r.client_order_id:
                continue
            if r.oco_group_id is not None and o.oco != r.oco_group_id:
                continue
            if (since is not None and o.created < since) or (until is not None and o.created >= until):
                continue
            out.append(self.order_message(o))
            if r.limit is not None and len(out) >= r.limit:
                break
        return out

    def modify(self, order_id: str, r: m.ModifyOrderRequest) -> m.ModifyOrderResult:
        o = self._order(order_id)
        if not o.working:
            raise OrderNotModifiable(
                f"Order {order_id} is {m.OrderStatus(o.status).name} and cannot be modified",
                {"order_id": order_id},
            )
        fields = (r.quantity, r.limit_price, r.stop_price, r.stop_loss, r.take_profit, r.trailing_distance)
        if all(v is None for v in fields):
            return m.ModifyOrderResult(order=self.order_message(o))
        exits = parse_modify(
            self.k,
            o,
            r.quantity,
            r.limit_price,
            r.stop_price,
            r.stop_loss,
            r.take_profit,
            r.trailing_distance,
        )
        if o.filled >= o.qty:  # quantity cut down to what already filled
            o.status = FILLED
            self.k._unwork(o)
            o.updated = self.k.now
            self.k._order_ev(EV_FILLED, o)
        else:
            self.k.modified(o, exits)
        return m.ModifyOrderResult(order=self.order_message(o))

    def cancel(self, order_id: str) -> m.CancelOrderResult:
        o = self._order(order_id)
        if o.status == CANCELLED:
            return m.CancelOrderResult(success=True, order=self.order_message(o))
        if not o.working:
            raise OrderNotModifiable(
                f"Order {order_id} is {m.OrderStatus(o.status).name} and cannot be cancelled",
                {"order_id": order_id},
            )
        self.k.cancel(o)
        return m.CancelOrderResult(success=True, order=self.order_message(o))

    def cancel_all(self, symbol: str | None = None) -> m.CancelAllResult:
        sym = self._sym(symbol) if symbol is not None else None
        n = 0
        for lst in self.k.working:
            for o in list(lst):
                if o.working and (sym is None or o.sym == sym):
                    self.k.cancel(o)
                    n += 1
        return m.CancelAllResult(cancelled_count=n, failed_count=0)

    # ------------------------------------------------------------------ positions
    def position_message(self, sym: int) -> m.Position:
        return self.messages.position(self.k.position_snapshot(sym))

    def list_positions(self, symbol: str | None = None) -> list[m.Position]:
        return [
            self.position_message(s)
            for s in self.k.ledger.open
            if symbol is None or self.k.instruments[s].symbol == symbol
        ]

    def get_position(self, position_id: str) -> m.Position:
        return self.position_message(self._pos_sym(position_id))

    def close(
        self, sym: int, quantity: Any = None, order_type: Any = None, limit_price: Any = None
    ) -> OrderState:
        pos = self.k.ledger.positions[sym].qty
        qty = abs(pos)
        if quantity is not None:
            # larger than the position = the whole position
            qty = min(quantity_lots(self.k, quantity), qty)
        order_rules.check_close_type(order_type, limit_price)
        otype = MARKET if order_type is None else int(order_type)
        side = SELL if pos > 0 else BUY
        qty_text = str(Decimal(qty).scaleb(-self.k.qs))
        o = submit_order(
            self.k,
            self.sim.symbols,
            self.k.instruments[sym].symbol,
            side,
            qty_text,
            otype,
            limit_price=limit_price,
            reduce_only=True,
        )
        if qty == abs(pos):
            # attached exits of a closed position are always cleaned up
            for leg in list(self.k.working[sym]):
                if leg.is_leg and leg.working and leg is not o:
                    self.k.cancel(leg)
        return o

    def close_position(self, position_id: str, r: m.ClosePositionRequest | None) -> m.OrderHandle:
        sym = self._pos_sym(position_id)
        r = r or m.ClosePositionRequest()
        return self.handle(self.close(sym, r.quantity, r.order_type, r.limit_price))

    def close_all(self, symbol: str | None = None) -> list[m.OrderHandle]:
        return [
            self.handle(self.close(s))
            for s in list(self.k.ledger.open)
            if symbol is None or self.k.instruments[s].symbol == symbol
        ]

    def modify_exits(self, position_id: str, r: m.ModifyPositionExitsRequest) -> m.ModifyPositionExitsResult:
        sym = self._pos_sym(position_id)
        order_rules.check_exits(r)
        res = m.ModifyPositionExitsResult(position_id=position_id)
        for field, otype in (("stop_loss", STOP), ("take_profit", LIMIT)):
            value = getattr(r, field)
            if value is None:
                continue
            legs = [o for o in self.k.working[sym] if o.is_leg and o.working and o.otype == otype]
            if not legs:
                raise OrderNotModifiable(
                    f"position {position_id} has no resting {field} leg",
                    {"position_id": position_id, "leg_type": field},
                )
            for leg in legs:
                if otype == STOP:
                    parse_modify(self.k, leg, stop_price=value)
                else:
                    parse_modify(self.k, leg, limit_price=value)
                self.k.modified(leg, False)
            price = legs[0].stop if otype == STOP else legs[0].limit
            assert price is not None
            placement = m.ExitLegPlacement(
                order_ids=[o.id for o in legs],
                trigger_price=fmt_scaled(price, self.k.instruments[sym].price_scale),
            )
            setattr(res, field, placement)
        return res

    # ------------------------------------------------------------------ fills and market data
    def list_trades(self, r: m.ListTradesRequest | None) -> list[m.Trade]:
        r = r or m.ListTradesRequest()
        sym = self.sim.symbols.get(r.symbol) if r.symbol is not None else None
        if r.symbol is not None and sym is None:
            return []
        since = _ns(r.since) if r.since is not None else None
        until = _ns(r.until) if r.until is not None else None
        out = []
        for f in reversed(self.k.fills):
            if (sym is not None and f.sym != sym) or (r.order_id is not None and f.order_id != r.order_id):
                continue
            if (since is not None and f.ts < since) or (until is not None and f.ts >= until):
                continue
            out.append(self.messages.trade(f))
            if r.limit is not None and len(out) >= r.limit:
                break
        return out

    def quote(self, symbol: str) -> m.Quote:
        s = self._sym(symbol)
        k = self.k
        q = k.quote[s]
        last = k.cols[s].d[k.row[s]] if k.cols[s] is not None and k.row[s] >= 0 else None
        if q is not None and (k.quote_mark[s] or last is None):
            return self.messages.quote(s, q[0], q[1], q[2], q[3], q[4], last)
        if last is None:
            raise SymbolNotFound(f"No market data for {symbol} yet", {"symbol": symbol})
        ts = k.cols[s].start[k.row[s]] + k.instruments[s].timeframe_ns
        # bars only: the last close stands for bid, ask and last
        return self.messages.quote(s, ts, last, last, None, None, last)

    def bars(self, r: m.GetBarsRequest) -> list[m.Bar]:
        s = self._sym(r.symbol)
        inst = self.k.instruments[s]
        tf = r.timeframe
        if tf is None or int(tf) == 0:
            raise InvalidRequest("Invalid request: timeframe is required", {"field": "timeframe"})
        if inst.timeframe is None or timeframe_enum(inst.timeframe) != int(tf):
            raise InvalidRequest(
                f"Invalid request: {r.symbol} has {inst.timeframe or 'no'} bars in this backtest",
                {"field": "timeframe"},
            )
        now = self.k.now
        tf_ns = TIMEFRAME_NS[inst.timeframe]
        start = _ns(r.start) if r.start is not None else None
        end = _ns(r.end) if r.end is not None else None
        rows = [
            b
            for b in self.sim.recent_bars(s)
            if b[0] + tf_ns <= now  # completed bars only: never the future
            and (start is None or b[0] >= start)
            and (end is None or b[0] <= end)
        ]
        if r.limit is not None:
            rows = rows[-r.limit :] if r.limit > 0 else []
        return [self.messages.bar(s, *b) for b in rows]

    def capabilities(self) -> m.Capabilities:
        k = self.k
        classes = sorted({inst.asset_class for inst in k.instruments})
        types = [*_ORDER_TYPES[:2], m.OrderType.STOP_LIMIT] if k.cash_account else _ORDER_TYPES
        features = [
            "backtest",
            "market_control",
            "oco",
            "trailing_stop",
            "time_in_force_day",
            "ioc",
            "fok",
            "post_only",
            order_rules.NOTIONAL_FEATURE,
        ]
        if not k.cash_account:
            features = ["bracket_orders", *features, "short_selling" if k.allow_short else "long_only"]
        return m.Capabilities(
            supported_asset_classes=[m.AssetClass[c] for c in classes],
            supported_order_types=types,
            position_mode=m.PositionMode.NETTING,
            features=features,
            max_leverage=None if k.cash_account else str(k.leverage),
        )
