"""The fake account's records: orders, positions, fill activities, the account itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradewire.testkit.fakes.alpaca.assets import Asset

#: Statuses after which an order never changes (Alpaca's terminal set).
TERMINAL = frozenset({"filled", "canceled", "expired", "replaced", "rejected"})


@dataclass
class Order:
    id: str
    client_order_id: str
    asset: Asset
    side: str
    type: str
    time_in_force: str
    qty: Decimal | None
    notional: Decimal | None
    submitted_ns: int
    order_class: str = ""  # "" for simple orders, as Alpaca writes it
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_price: Decimal | None = None
    trail_percent: Decimal | None = None
    extended_hours: bool = False
    status: str = "new"
    updated_ns: int = 0
    filled_ns: int | None = None
    expired_ns: int | None = None
    canceled_ns: int | None = None
    failed_ns: int | None = None
    replaced_ns: int | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    parent_id: str | None = None
    leg_ids: list[str] = field(default_factory=list)
    filled_qty: Decimal = Decimal(0)
    filled_value: Decimal = Decimal(0)
    hwm: Decimal | None = None
    triggered: bool = False  # a stop (or stop_limit) whose stop price was reached
    position_intent: str = "buy_to_open"

    @property
    def open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def filled_avg_price(self) -> Decimal | None:
        if not self.filled_qty:
            return None
        return (self.filled_value / self.filled_qty).quantize(Decimal("0.000000001")).normalize()

    def remaining(self, price: Decimal) -> Decimal:
        """What is left to fill; a notional order converts its rest at `price` (9 decimals, down)."""
        if self.qty is not None:
            return self.qty - self.filled_qty
        assert self.notional is not None
        rest = self.notional - self.filled_value
        return (
            (rest / price).quantize(Decimal("0.000000001"), rounding="ROUND_DOWN") if rest > 0 else Decimal(0)
        )


@dataclass
class Position:
    asset: Asset
    qty: Decimal  # signed: negative when short
    avg_entry_price: Decimal
    lastday_price: Decimal


@dataclass
class Activity:
    id: str
    ns: int
    type: str  # fill | partial_fill
    price: Decimal
    qty: Decimal
    side: str
    symbol: str
    leaves_qty: Decimal
    cum_qty: Decimal
    order_id: str
    order_status: str


@dataclass
class Account:
    id: str
    account_number: str
    cash: Decimal
    created_ns: int
    multiplier: str
    shorting_enabled: bool
    last_equity: Decimal
