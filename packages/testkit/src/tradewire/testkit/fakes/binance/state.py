"""The fake's records: orders, order lists and the account's own trades, as Binance keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradewire.testkit.fakes.binance.wire import ZERO

TERMINAL = frozenset({"FILLED", "CANCELED", "REJECTED", "EXPIRED", "EXPIRED_IN_MATCH"})
STOP_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
LIMIT_TYPES = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
ORDER_TYPES = frozenset({"MARKET", "LIMIT", *STOP_TYPES, "LIMIT_MAKER"})


@dataclass
class Order:
    symbol: str
    order_id: int
    client_id: str
    side: str
    type: str
    tif: str | None
    qty: Decimal  # origQty (0 for a MARKET by quoteOrderQty until it ran)
    price: Decimal = ZERO
    stop_price: Decimal = ZERO
    quote_qty: Decimal = ZERO  # origQuoteOrderQty
    iceberg_qty: Decimal = ZERO
    trailing_delta: int | None = None
    list_id: int = -1
    stp: str = "EXPIRE_MAKER"
    status: str = "NEW"
    executed: Decimal = ZERO
    cum_quote: Decimal = ZERO
    time: int = 0
    update_time: int = 0
    working: bool = True
    working_time: int = -1
    expiry_reason: str | None = None
    #: Trailing: the extreme price seen since the trail started (None: not tracking yet).
    trail_extreme: Decimal | None = None
    #: What this order holds locked, of which asset (released as it fills or ends).
    lock_asset: str = ""
    locked: Decimal = ZERO
    amends: int = 0
    #: OCO sibling (by order id) and whether its lock is carried by the sibling.
    sibling: int | None = None
    shares_lock: bool = False
    #: OTO/OTOCO: order ids placed once this (working) order fully fills.
    pending: list[int] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.executed

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def is_stop(self) -> bool:
        return self.type in STOP_TYPES

    @property
    def triggered(self) -> bool:
        return not self.is_stop or self.working


@dataclass
class OrderList:
    list_id: int
    symbol: str
    contingency: str  # OCO or OTO (OTOCO lists report OTO)
    client_id: str
    order_ids: list[int]
    time: int
    status_type: str = "EXEC_STARTED"
    order_status: str = "EXECUTING"


@dataclass
class Fill:
    """One of the account's trades (`myTrades`)."""

    symbol: str
    id: int
    order_id: int
    list_id: int
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_buyer: bool
    is_maker: bool
