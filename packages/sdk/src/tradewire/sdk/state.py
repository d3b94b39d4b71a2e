"""Live trading state kept current from events: account, open positions, working orders, fills."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradewire.protocol import messages as m

__all__ = ["TradingState"]

_ZERO = Decimal(0)
_TERMINAL = frozenset(
    {m.OrderStatus.FILLED, m.OrderStatus.CANCELLED, m.OrderStatus.REJECTED, m.OrderStatus.EXPIRED}
)


class TradingState:
    """What the strategy knows about its account, updated by every trading event before handlers run.

    Attributes:
        account: Latest `Account` (None until the first account event or snapshot).
        positions: Open positions by symbol (protocol `Position`; decimals are exact text).
        orders: Working orders by id (protocol `Order`).
        fills: Number of fills seen.
    """

    __slots__ = ("_qty", "account", "fills", "orders", "positions")

    def __init__(self) -> None:
        self.account: m.Account | None = None
        self.positions: dict[str, m.Position] = {}
        self.orders: dict[str, m.Order] = {}
        self.fills = 0
        self._qty: dict[str, Decimal] = {}

    def quantity(self, symbol: str) -> Decimal:
        """Signed position size: positive long, negative short, 0 flat."""
        return self._qty.get(symbol, _ZERO)

    # -- updates ----------------------------------------------------------------------------------
    def set_position(self, position: m.Position) -> None:
        """Record a position's latest state (a zero quantity removes it)."""
        qty = Decimal(position.quantity)
        if not qty:
            self.positions.pop(position.symbol, None)
            self._qty.pop(position.symbol, None)
            return
        self.positions[position.symbol] = position
        self._qty[position.symbol] = -qty if position.side == m.PositionSide.SHORT and qty > 0 else qty

    def set_order(self, order: m.Order) -> None:
        """Record an order's latest state (finished orders leave `orders`)."""
        if order.status in _TERMINAL:
            self.orders.pop(order.id, None)
        else:
            self.orders[order.id] = order

    def apply(self, event: Any) -> None:
        """Update from one trading event (others are ignored)."""
        kind = type(event)
        if kind is m.OrderEvent:
            if event.order is not None:
                self.set_order(event.order)
        elif kind is m.PositionEvent:
            if event.position is not None:
                if event.event == m.PositionEventType.POSITION_CLOSED:
                    self.positions.pop(event.position.symbol, None)
                    self._qty.pop(event.position.symbol, None)
                else:
                    self.set_position(event.position)
        elif kind is m.AccountEvent:
            if event.account is not None:
                self.account = event.account
        elif kind is m.TradeEvent:
            self.fills += 1

    def load(self, account: m.Account | None, positions: list[m.Position], orders: list[m.Order]) -> None:
        """Replace everything with a snapshot (at start, and after a live reconnect)."""
        self.account = account
        self.positions.clear()
        self._qty.clear()
        for p in positions:
            self.set_position(p)
        self.orders = {o.id: o for o in orders}
