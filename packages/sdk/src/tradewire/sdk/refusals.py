"""Refused orders during a run: an ORDER_REJECTED event, a warning with the time, and a REJECTED handle."""

# A backtest that dies on its first refused order loses hours of work for one bad size, so by default
# a refusal is an event like any other and the run goes on; `strict=True` restores the exception.
# Both transports route refusals through this class, so a strategy sees the same thing in-process
# and over the wire (where the refusal is the gateway's 4xx answer).

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from tradewire.protocol import codec, reject_codes
from tradewire.protocol import messages as m
from tradewire.protocol.errors import (
    InvalidRequest,
    InvalidValue,
    OrderRejected,
    SymbolNotFound,
    TradewireError,
    UnsupportedOperation,
    ValidationError,
)

__all__ = ["REFUSALS", "Refusals"]

#: The venue's answers that refuse one order. Anything else (auth, connection, server faults) is raised.
REFUSALS: tuple[type[TradewireError], ...] = (
    OrderRejected,
    SymbolNotFound,
    InvalidRequest,
    InvalidValue,
    ValidationError,
    UnsupportedOperation,
)
_PRICE_FIELDS = frozenset({"limit_price", "stop_price", "stop_loss", "take_profit", "trailing_distance"})
_log = logging.getLogger("tradewire.strategy")


class Refusals:
    """What a transport does with an order the venue refused.

    Args:
        strict: Raise the venue's typed error instead (`OrderRejected`, `SymbolNotFound`, ...).
        clock: The simulated (or wall) time of the event being handled, for the warning and the event.
        queue: Keep the events made here for delivery (False when no handler can receive them).
    """

    def __init__(self, strict: bool, clock: Callable[[], dt.datetime], queue: bool = True) -> None:
        self.strict = strict
        self.clock = clock
        self.queue = queue
        #: ORDER_REJECTED events of refusals the venue emitted no event for, to deliver next.
        self.pending: list[m.OrderEvent] = []

    def refused(self, error: TradewireError, request: m.SubmitOrderRequest) -> m.OrderHandle:
        """Log the refusal and return the handle of the refused order (or raise `error` when strict).

        A venue that created the order (a business rejection such as insufficient funds) has already
        emitted its ORDER_REJECTED event, which arrives with the instant's other events; for a refusal
        before any order existed (unknown symbol, invalid field) one is made here, with an empty
        `order.id`, and delivered right after the handler that placed it.
        """
        if self.strict:
            raise error
        now = self.clock()
        details = error.details if isinstance(error.details, dict) else {}
        order_id = details.get("order_id")
        _log.warning(
            "%s order refused: %s %s %s %s: %s",
            codec.timestamp_text(now),
            codec.enum_spelling(request.side),
            request.quantity if request.notional is None else f"{request.notional} worth of",
            request.symbol,
            codec.enum_spelling(request.order_type),
            error.message,
        )
        if not isinstance(order_id, str) or not order_id:
            order_id = ""
        if not order_id and self.queue:
            self.pending.append(
                m.OrderEvent(
                    event=m.OrderEventType.ORDER_REJECTED,
                    order=_rejected_order(request, _reason(error, details), now),
                    timestamp=now,
                )
            )
        return m.OrderHandle(
            id=order_id, client_order_id=request.client_order_id, status=m.OrderStatus.REJECTED
        )

    def take(self) -> list[m.OrderEvent]:
        """The events to deliver now (and forget)."""
        events, self.pending = self.pending, []
        return events


def _reason(error: TradewireError, details: dict[str, Any]) -> m.RejectReason:
    code = reject_codes.code_in(details)
    if isinstance(code, str) and code in m.RejectReason.__members__:
        return m.RejectReason[code]
    if isinstance(error, SymbolNotFound):
        return m.RejectReason.SYMBOL_NOT_TRADEABLE
    field = details.get("field")
    if field == "quantity":
        return m.RejectReason.INVALID_QUANTITY
    if field in _PRICE_FIELDS:
        return m.RejectReason.INVALID_PRICE
    return m.RejectReason.UNKNOWN


def _rejected_order(r: m.SubmitOrderRequest, reason: m.RejectReason, now: dt.datetime) -> m.Order:
    return m.Order(
        id="",
        client_order_id=r.client_order_id,
        symbol=r.symbol,
        side=r.side,
        order_type=r.order_type,
        # rest.md: an order sized by notional shows what filled until the venue says more
        quantity=r.quantity or "0",
        filled_quantity="0",
        remaining_quantity=r.quantity or "0",
        notional=r.notional,
        limit_price=r.limit_price,
        stop_price=r.stop_price,
        stop_loss=r.stop_loss,
        take_profit=r.take_profit,
        trailing_distance=r.trailing_distance,
        trailing_type=r.trailing_type,
        status=m.OrderStatus.REJECTED,
        reject_reason=reason,
        oco_group_id=r.oco_group_id,
        time_in_force=m.TimeInForce.GTC if r.time_in_force is None else r.time_in_force,
        created_at=now,
        updated_at=now,
    )
