"""Checks every scenario's trace gets for free: order state agrees with its event, quantities add up, sane bars."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradewire.protocol import messages as m
from tradewire.testkit.conformance.describe import describe, name

__all__ = ["check"]

#: The status an order must have after each event (None: any status).
_STATUS = {
    "ORDER_FILLED": {"FILLED"},
    "ORDER_PARTIALLY_FILLED": {"PARTIALLY_FILLED"},
    "ORDER_CANCELLED": {"CANCELLED"},
    "ORDER_REJECTED": {"REJECTED"},
    "ORDER_EXPIRED": {"EXPIRED"},
    "ORDER_CREATED": {"PENDING", "OPEN", "PARTIALLY_FILLED", "FILLED"},
}


def check(trace: list[Any]) -> None:
    """Assert the invariants over every event of a trace; the message names the offending event."""
    ids: set[str] = set()
    for e in trace:
        eid = getattr(e, "event_id", None)
        if eid:
            if eid in ids:
                raise AssertionError(f"event_id {eid} delivered twice: {describe(e)}")
            ids.add(eid)
        if isinstance(e, m.OrderEvent):
            o = e.order
            assert o is not None, f"order event without an order: {describe(e)}"
            ev, st = name(e.event), name(o.status)
            allowed = _STATUS.get(ev)
            if allowed is not None and st not in allowed:
                raise AssertionError(f"{ev} with order status {st}: {describe(e)}")
            q, f, r = Decimal(o.quantity), Decimal(o.filled_quantity), Decimal(o.remaining_quantity)
            if st in ("FILLED", "PARTIALLY_FILLED", "OPEN", "PENDING") and q - f != r:
                raise AssertionError(f"remaining_quantity {r} != quantity {q} - filled {f}: {describe(e)}")
            if ev == "ORDER_FILLED" and f != q:
                raise AssertionError(f"ORDER_FILLED with filled_quantity {f} of {q}: {describe(e)}")
            if ev == "ORDER_REJECTED" and o.reject_reason is None:
                raise AssertionError(f"ORDER_REJECTED without reject_reason: {describe(e)}")
            if f > 0 and o.average_fill_price is None:
                raise AssertionError(f"filled order without average_fill_price: {describe(e)}")
            if name(o.order_type) == "LIMIT" and f > 0 and o.limit_price and o.average_fill_price:
                avg, lim = Decimal(o.average_fill_price), Decimal(o.limit_price)
                worse = avg > lim if name(o.side) == "BUY" else avg < lim
                if worse:
                    raise AssertionError(f"limit order filled through its limit price: {describe(e)}")
        if isinstance(e, m.CandleEvent) and e.bar is not None:
            b = e.bar
            lo, hi = Decimal(b.low), Decimal(b.high)
            if not (lo <= Decimal(b.open) <= hi and lo <= Decimal(b.close) <= hi) or Decimal(b.volume) < 0:
                raise AssertionError(
                    f"inconsistent bar (low <= open, close <= high; volume >= 0): {describe(e)}"
                )
        if (
            isinstance(e, m.QuoteEvent)
            and e.quote is not None
            and Decimal(e.quote.bid) > Decimal(e.quote.ask)
        ):
            raise AssertionError(f"crossed quote (bid > ask): {describe(e)}")
        if isinstance(e, m.PositionEvent) and name(e.event) == "POSITION_CLOSED":
            assert e.position is not None and Decimal(e.position.quantity) == 0, (
                f"POSITION_CLOSED must carry quantity 0: {describe(e)}"
            )
