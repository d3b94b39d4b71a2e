"""Kernel event records -> protocol ServerMessages (built only when a consumer asks for them)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, TypeVar

from tradewire.engine.core.events import (
    K_ACCOUNT,
    K_CANDLE,
    K_COMPLETE,
    K_ERROR,
    K_ORDER,
    K_POSITION,
    K_QUOTE,
    K_TRADE,
    Fill,
)
from tradewire.engine.core.kernel import Kernel
from tradewire.engine.core.numbers import fmt_money, fmt_qty, fmt_scaled, ratio_text
from tradewire.engine.core.orders import OrderSnapshot
from tradewire.engine.core.submit import correlation_id
from tradewire.engine.core.timestamps import ns_to_dt
from tradewire.engine.data.timeframes import timeframe_enum
from tradewire.protocol import codec
from tradewire.protocol import messages as m

__all__ = ["MessageBuilder"]

_E = TypeVar("_E", bound=enum.Enum)


def _members(cls: type[_E]) -> dict[int, _E]:
    # a dict lookup instead of calling the enum: Enum(value) costs ~0.6 µs, five times per order message
    return {e.value: e for e in cls}


_SIDE = _members(m.Side)
_ORDER_TYPE = _members(m.OrderType)
_TRAILING_TYPE = _members(m.TrailingType)
_ORDER_STATUS = _members(m.OrderStatus)
_REJECT_REASON = _members(m.RejectReason)
_TIME_IN_FORCE = _members(m.TimeInForce)
_ORDER_EVENT = _members(m.OrderEventType)
_POSITION_EVENT = _members(m.PositionEventType)
_ACCOUNT_EVENT = _members(m.AccountEventType)


class MessageBuilder:
    """Builds protocol objects from the kernel's scaled ints and snapshots."""

    def __init__(self, kernel: Kernel, provider: str = "backtest", broker: str = "backtest") -> None:
        self.k = kernel
        self.provider = provider
        self.broker = broker
        ins = kernel.instruments
        self._sym = [i.symbol for i in ins]
        self._ps = [i.price_scale for i in ins]
        self._tf = [m.Timeframe(timeframe_enum(i.timeframe)) if i.timeframe else m.Timeframe(0) for i in ins]
        self._qs = kernel.qs
        self._ms = kernel.ms

    # ------------------------------------------------------------ objects
    def bar(self, sym: int, start: int, o: int, h: int, lo: int, c: int, v: int) -> m.Bar:
        ps = self._ps[sym]
        return m.Bar(
            symbol=self._sym[sym],
            provider=self.provider,
            timeframe=self._tf[sym],
            timestamp=ns_to_dt(start),
            open=fmt_scaled(o, ps),
            high=fmt_scaled(h, ps),
            low=fmt_scaled(lo, ps),
            close=fmt_scaled(c, ps),
            volume=fmt_qty(v, self._qs),
        )

    def quote(
        self, sym: int, ts: int, bid: int, ask: int, bsz: int | None, asz: int | None, last: int | None = None
    ) -> m.Quote:
        ps = self._ps[sym]
        last_text = fmt_scaled(last, ps) if last is not None else ratio_text(bid + ask, 2, ps, 1)
        return m.Quote(
            symbol=self._sym[sym],
            provider=self.provider,
            bid=fmt_scaled(bid, ps),
            ask=fmt_scaled(ask, ps),
            last=last_text,
            timestamp=ns_to_dt(ts),
            bid_size=None if bsz is None or bsz < 0 else fmt_qty(bsz, self._qs),
            ask_size=None if asz is None or asz < 0 else fmt_qty(asz, self._qs),
        )

    def order(self, snap: OrderSnapshot) -> m.Order:
        (
            oid,
            cid,
            _corr,
            sym,
            side,
            otype,
            qty,
            filled,
            limit,
            stop,
            sl,
            tp,
            trail_text,
            trail_type,
            cost,
            status,
            reject,
            parent,
            reduce_only,
            post_only,
            oco,
            tif,
            created,
            updated,
            notional,
        ) = snap
        ps = self._ps[sym]
        qs = self._qs

        def px(v: int | None) -> str | None:
            return None if v is None else fmt_scaled(v, ps)

        return m.Order(
            id=oid,
            client_order_id=cid,
            symbol=self._sym[sym],
            side=_SIDE[side],
            order_type=_ORDER_TYPE[otype],
            quantity=fmt_qty(qty, qs),
            filled_quantity=fmt_qty(filled, qs),
            remaining_quantity=fmt_qty(max(qty - filled, 0), qs),
            limit_price=px(limit),
            stop_price=px(stop),
            stop_loss=px(sl),
            take_profit=px(tp),
            trailing_distance=trail_text,
            trailing_type=None if trail_type is None else _TRAILING_TYPE[trail_type],
            average_fill_price=ratio_text(cost, filled, ps) if filled else None,
            status=_ORDER_STATUS[status],
            reject_reason=None if reject is None else _REJECT_REASON[reject],
            parent_order_id=parent,
            reduce_only=True if reduce_only else None,
            post_only=True if post_only else None,
            oco_group_id=oco,
            correlation_id=correlation_id(oid),
            time_in_force=_TIME_IN_FORCE[tif],
            created_at=ns_to_dt(created),
            updated_at=ns_to_dt(updated),
            notional=None if notional is None else fmt_money(notional, self._ms),
        )

    def trade(self, f: Fill) -> m.Trade:
        return m.Trade(
            id=f.id,
            order_id=f.order_id,
            symbol=self._sym[f.sym],
            side=_SIDE[f.side],
            quantity=fmt_qty(f.qty, self._qs),
            price=fmt_scaled(f.price, self._ps[f.sym]),
            commission=fmt_money(f.commission, self._ms),
            commission_currency=self.k.config.currency,
            is_maker=f.is_maker,
            timestamp=ns_to_dt(f.ts),
        )

    def position(self, snap: tuple[int, ...]) -> m.Position:
        sym, qty, cost, mark, realized, opened, updated, shown_qty, shown_cost = snap
        ps = self._ps[sym]
        f = self.k.instruments[sym].factor
        side = m.PositionSide.LONG if shown_qty >= 0 else m.PositionSide.SHORT
        avg = ratio_text(shown_cost, shown_qty, ps) if shown_qty else fmt_scaled(0, ps)
        return m.Position(
            id=f"pos-{self._sym[sym]}",
            symbol=self._sym[sym],
            side=side,
            quantity=fmt_qty(abs(qty), self._qs),
            average_entry_price=avg,
            current_price=fmt_scaled(mark, ps),
            unrealized_pnl=fmt_money((qty * mark - cost) * f, self._ms),
            realized_pnl=fmt_money(realized, self._ms),
            opened_at=ns_to_dt(opened),
            updated_at=ns_to_dt(updated),
        )

    def account(self, snap: tuple[int, int, int, int, int]) -> m.Account:
        bal, eq, used, avail, unreal = snap
        ms = self._ms
        return m.Account(
            balance=fmt_money(bal, ms),
            equity=fmt_money(eq, ms),
            margin_used=fmt_money(used, ms),
            margin_available=fmt_money(avail, ms),
            unrealized_pnl=fmt_money(unreal, ms),
            currency=self.k.config.currency,
        )

    # ------------------------------------------------------------ events
    def message(self, rec: tuple[int, int, int, Any]) -> m.ServerMessage:
        kind, n, now = rec[0], rec[1], rec[2]
        p: Any = rec[3]
        ts = ns_to_dt(now)
        eid = f"evt-{n}" if n else None
        if kind == K_CANDLE:
            return m.ServerMessage(candle=m.CandleEvent(bar=self.bar(*p), timestamp=ts, event_id=eid))
        if kind == K_QUOTE:
            return m.ServerMessage(quote=m.QuoteEvent(quote=self.quote(*p), timestamp=ts, event_id=eid))
        if kind == K_ORDER:
            ev, snap = p
            order = self.order(snap)
            return m.ServerMessage(
                order=m.OrderEvent(
                    event=_ORDER_EVENT[ev],
                    order=order,
                    parent_order_id=order.parent_order_id,
                    timestamp=ts,
                    event_id=eid,
                )
            )
        if kind == K_TRADE:
            return m.ServerMessage(
                trade=m.TradeEvent(
                    event=m.TradeEventType.TRADE_FILLED,
                    trade=self.trade(p),
                    timestamp=ts,
                    event_id=eid,
                )
            )
        if kind == K_POSITION:
            ev, snap = p
            return m.ServerMessage(
                position=m.PositionEvent(
                    event=_POSITION_EVENT[ev], position=self.position(snap), timestamp=ts, event_id=eid
                )
            )
        if kind == K_ACCOUNT:
            ev, snap = p
            return m.ServerMessage(
                account=m.AccountEvent(
                    event=_ACCOUNT_EVENT[ev], account=self.account(snap), timestamp=ts, event_id=eid
                )
            )
        if kind == K_ERROR:
            code, message, details = p
            return m.ServerMessage(
                error=m.ErrorEvent(
                    code=m.WsErrorCode(code),
                    message=message,
                    details=codec.json_to_value(details),
                    timestamp=ts,
                )
            )
        if kind == K_COMPLETE:
            return m.ServerMessage(
                backtest_complete=m.BacktestCompleteEvent(broker=self.broker, timestamp=ts, event_id=eid)
            )
        raise ValueError(f"unknown record kind {kind}")

    def messages(self, recs: Iterable[tuple[int, int, int, Any]]) -> list[m.ServerMessage]:
        return [self.message(r) for r in recs]
