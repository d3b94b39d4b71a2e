"""Live trading state kept current from events: account, open positions, working orders, fills."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tradewire.protocol import messages as m
from tradewire.sdk.marks import mark_account, mark_position, price_of, signed_quantity

__all__ = ["TradingState"]

_ZERO = Decimal(0)
_TERMINAL = frozenset(
    {m.OrderStatus.FILLED, m.OrderStatus.CANCELLED, m.OrderStatus.REJECTED, m.OrderStatus.EXPIRED}
)


class TradingState:
    """What the strategy knows about its account, updated by every event before handlers run.

    Open positions are marked to market at every instant: each one's `current_price` is the latest
    price of its symbol (a candle's close, or a quote's mid rounded down to the tick), its
    `unrealized_pnl` moves with it, and the account's `equity` is the balance plus the signed market
    value of the open positions. Balance and margin fields are as the venue last reported them.

    Attributes:
        account: Latest `Account` (None until the first account event or snapshot), marked to market.
        positions: Open positions by symbol (protocol `Position`; decimals are exact text), marked.
        orders: Working orders by id (protocol `Order`).
        fills: Number of fills seen.
    """

    __slots__ = (
        "_account",
        "_marked",
        "_pending",
        "_positions",
        "_prices",
        "_qty",
        "_version",
        "fills",
        "orders",
    )

    def __init__(self) -> None:
        self._account: m.Account | None = None
        self._positions: dict[str, m.Position] = {}  # as the venue last reported them
        self._prices: dict[str, Any] = {}  # symbol → its latest Candle or Tick
        self._version = 0  # bumped by whatever changes the marked view
        self._marked: tuple[int, m.Account | None, dict[str, m.Position]] = (0, None, {})
        self.orders: dict[str, m.Order] = {}
        self.fills = 0
        self._qty: dict[str, Decimal] = {}
        self._pending: dict[str, m.Order] = {}  # placed by the strategy, no event about them yet

    def quantity(self, symbol: str) -> Decimal:
        """Signed position size: positive long, negative short, 0 flat."""
        return self._qty.get(symbol, _ZERO)

    # -- the marked view ----------------------------------------------------------------------------
    @property
    def account(self) -> m.Account | None:
        return self._mark()[1]

    @account.setter
    def account(self, account: m.Account | None) -> None:
        self._account = account
        self._version += 1

    @property
    def positions(self) -> dict[str, m.Position]:
        return self._mark()[2]

    def _mark(self) -> tuple[int, m.Account | None, dict[str, m.Position]]:
        marked = self._marked
        if marked[0] == self._version:
            return marked
        prices = self._prices
        positions = {
            s: p if s not in prices else mark_position(p, price_of(prices[s]))
            for s, p in self._positions.items()
        }
        account = self._account
        if account is not None:
            account = mark_account(account, positions)
        self._marked = marked = (self._version, account, positions)
        return marked

    # -- updates ----------------------------------------------------------------------------------
    def freeze(self, symbols: Sequence[str] | None = None) -> None:
        """Called before the strategy's own command (that may fill positions in `symbols`, None: any):
        an event-fed state changes only with events."""

    def thaw(self) -> None:
        """Called when every event has been delivered (see `freeze`)."""

    def observe(self, market: Any) -> None:
        """The latest market data of its symbol (a Candle or Tick): open positions are marked at it."""
        symbol = market.symbol
        self._prices[symbol] = market
        if symbol in self._positions:
            self._version += 1

    def set_position(self, position: m.Position) -> None:
        """Record a position's latest state (a zero quantity removes it)."""
        self._version += 1
        qty = signed_quantity(position)
        if not qty:
            self._positions.pop(position.symbol, None)
            self._qty.pop(position.symbol, None)
            return
        self._positions[position.symbol] = position
        self._qty[position.symbol] = qty

    def submitted(self, order: m.Order) -> None:
        """An order the strategy placed, as the venue's answer describes it.

        It is working from the next market data on, as its own events would have made it by then, even
        when those events come later (a live stream can lag the answer): a handler that checks
        `open_orders` before placing another never sees a placed order missing. In a backtest the
        order's events always come before the next instant's market data, so nothing changes there.
        """
        if order.status not in _TERMINAL:
            self._pending[order.id] = order

    @property
    def placing(self) -> bool:
        """Whether an order the strategy placed has had no event yet (see `submitted`)."""
        return bool(self._pending)

    def settle(self) -> None:
        """At a delivery with market data: orders placed before it count as working (see `submitted`);
        their events, in this delivery or a later one, update or remove them as usual."""
        if self._pending:
            for order_id, order in self._pending.items():
                self.orders.setdefault(order_id, order)
            self._pending.clear()

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
                self._pending.pop(event.order.id, None)
                self.set_order(event.order)
        elif kind is m.PositionEvent:
            if event.position is not None:
                if event.event == m.PositionEventType.POSITION_CLOSED:
                    self._version += 1
                    self._positions.pop(event.position.symbol, None)
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
        self._pending.clear()  # the snapshot lists every working order
        self._positions.clear()
        self._qty.clear()
        for p in positions:
            self.set_position(p)
        self.orders = {o.id: o for o in orders}
