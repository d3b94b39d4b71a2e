"""Order state in scaled integers, and the wire enum values the core uses as plain ints."""

from __future__ import annotations

__all__ = ["OrderSnapshot", "OrderState"]

#: The fields of an Order message at one instant (see `OrderState.snapshot`).
OrderSnapshot = tuple[
    str,
    str | None,
    str | None,
    int,
    int,
    int,
    int,
    int,
    int | None,
    int | None,
    int | None,
    int | None,
    str | None,
    int | None,
    int,
    int,
    int | None,
    str | None,
    bool,
    bool,
    str | None,
    int,
    int,
    int,
    int | None,
]

# Values equal the generated protocol enums (tradewire.protocol.messages), so no mapping is needed;
# plain ints keep the hot loop free of enum attribute lookups.
BUY, SELL = 1, 2
MARKET, LIMIT, STOP, STOP_LIMIT, TRAILING_STOP = 1, 2, 3, 4, 5
PENDING, OPEN, PARTIALLY_FILLED, PENDING_CANCEL, FILLED, CANCELLED, REJECTED, EXPIRED = 1, 2, 3, 4, 5, 6, 7, 8
GTC, DAY, IOC, FOK = 1, 2, 3, 4
ABSOLUTE, PERCENT = 1, 2
EV_CREATED, EV_MODIFIED, EV_CANCELLED, EV_REJECTED, EV_FILLED, EV_PARTIAL, EV_EXPIRED = 1, 2, 3, 4, 5, 6, 7
EV_BRACKET_CREATED, EV_BRACKET_MODIFIED = 8, 9
R_INSUFFICIENT_MARGIN, R_INSUFFICIENT_BALANCE, R_INVALID_QUANTITY, R_INVALID_PRICE = 1, 2, 3, 4
R_SYMBOL_NOT_TRADEABLE, R_REDUCE_ONLY, R_POST_ONLY, R_UNKNOWN = 5, 7, 8, 10

WORKING = frozenset({PENDING, OPEN, PARTIALLY_FILLED, PENDING_CANCEL})
TERMINAL = frozenset({FILLED, CANCELLED, REJECTED, EXPIRED})


class OrderState:
    """One order. Prices are ints scaled by the symbol's price scale, quantities by the quantity scale."""

    __slots__ = (
        "client_order_id",
        "correlation_id",
        "cost",
        "created",
        "filled",
        "fills",
        "id",
        "is_leg",
        "legs",
        "limit",
        "notional",
        "oco",
        "otype",
        "parent",
        "post_only",
        "qty",
        "reduce_only",
        "reject",
        "seq",
        "side",
        "status",
        "stop",
        "stop_loss",
        "sym",
        "take_profit",
        "tif",
        "trail",
        "trail_anchor",
        "trail_text",
        "trail_type",
        "triggered",
        "updated",
    )

    def __init__(
        self, oid: str, seq: int, sym: int, side: int, otype: int, qty: int, tif: int, now: int
    ) -> None:
        self.id = oid
        self.seq = seq
        self.sym = sym
        self.side = side
        self.otype = otype
        self.qty = qty
        self.tif = tif
        self.filled = 0
        self.cost = 0  # sum of fill qty*price (scale: quantity + price)
        self.fills = 0
        self.status = OPEN
        self.created = self.updated = now
        self.client_order_id: str | None = None
        self.correlation_id: str | None = None
        self.limit: int | None = None
        self.stop: int | None = None
        self.stop_loss: int | None = None
        self.take_profit: int | None = None
        self.trail: int | None = None  # ABSOLUTE: price units; PERCENT: millionths of a percent
        self.trail_text: str | None = None
        self.trail_type: int | None = None
        self.trail_anchor: int | None = None
        self.triggered = False
        self.parent: str | None = None
        self.is_leg = False
        self.legs: list[str] | None = None
        self.oco: str | None = None
        self.reduce_only = False
        self.post_only = False
        self.reject: int | None = None
        # sized by quote notional (money scale): `qty` is 0 until the first execution works it out
        self.notional: int | None = None

    @property
    def remaining(self) -> int:
        return self.qty - self.filled

    @property
    def working(self) -> bool:
        return self.status in WORKING

    def snapshot(self) -> OrderSnapshot:
        """The fields an Order message shows, frozen at this instant (events are built later, if at all)."""
        return (
            self.id,
            self.client_order_id,
            self.correlation_id,
            self.sym,
            self.side,
            self.otype,
            self.qty,
            self.filled,
            self.limit,
            self.stop,
            self.stop_loss,
            self.take_profit,
            self.trail_text,
            self.trail_type,
            self.cost,
            self.status,
            self.reject,
            self.parent,
            self.reduce_only,
            self.post_only,
            self.oco,
            self.tif,
            self.created,
            self.updated,
            self.notional,
        )
