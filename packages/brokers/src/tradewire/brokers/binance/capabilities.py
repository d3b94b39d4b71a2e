"""What the Binance Spot venue supports (mapping.md §9): native features, and what the gateway manages as `managed_*`.

Brackets and OTO exits are native on a plain LIMIT entry (`orderList/otoco` / `oto`). On any other
entry they are gateway-managed (`_live.managed`), reported as `crypto:managed_<name>`, and placed once the
entry filled: as one native `orderList/oco` when the pair fits Binance's OCO rules at today's price (a
lone stop-loss as a resting STOP_LOSS); only a pair that does not fit has its take-profit resting and its
stop-loss held as a gateway trigger (two resting exits would each reserve the balance). An OCO group a
client forms from two orders with `oco_group_id` is gateway-managed too (`managed_oco_orders`): one native
OCO list when its STOP member comes first and the pair fits, else managed pairing (the STOP a trigger).
Trailing stops trail in percent only (`trailingDelta`), where the symbol allows it; MARKET orders may be
sized by notional (`quoteOrderQty`) likewise.
"""

from __future__ import annotations

from typing import Final

from tradewire.brokers._live.ratelimit import BINANCE_WEIGHT_LIMIT
from tradewire.protocol import order_rules
from tradewire.protocol.messages import AssetClass, Capabilities, OrderType, PositionMode, RateLimits

__all__ = ["FEATURES", "ORDER_TYPES", "capabilities"]

ORDER_TYPES: Final = (
    OrderType.MARKET,
    OrderType.LIMIT,
    OrderType.STOP,
    OrderType.STOP_LIMIT,
    OrderType.TRAILING_STOP,
)
FEATURES: Final = (
    "idempotent_submit",
    "modify_order",
    "cancel_all",
    "close_all",
    "market_data",
    "crypto:bracket_orders_limit_entry",
    "crypto:oto_orders_limit_entry",
    "crypto:managed_bracket_orders",
    "crypto:managed_oto_orders",
    "crypto:managed_oco_orders",
    "crypto:managed_stop_trigger",
    "crypto:trailing_stop_percent",
    "crypto:post_only",
    "crypto:iceberg",
    "crypto:fractional_quantity",
    "crypto:long_only",
    "crypto:positions_from_balances",
    "crypto:tif_gtc",
    "crypto:tif_ioc",
    "crypto:tif_fok",
    "ioc",
    "fok",
    "post_only",
    "iceberg",
    "trailing_stop",
    "trailing_stop_percent",
    "long_only",
    # MARKET orders sized by quote amount (`quoteOrderQty`), where the symbol allows it.
    order_rules.NOTIONAL_FEATURE,
    # Every entry takes exits and any two orders an OCO group (native or managed, above).
    "bracket_orders",
    "oco_orders",
)
#: Account-wide order budget (binance.md §9: e.g. 50 per 10 s, 160 000 a day; exchangeInfo says).
_ORDERS_PER_SECOND: Final = 5
_ORDERS_PER_DAY: Final = 160_000


def capabilities() -> Capabilities:
    """The venue's capabilities: crypto spot, long-only, positions derived from balances."""
    return Capabilities(
        supported_asset_classes=[AssetClass.CRYPTO],
        supported_order_types=list(ORDER_TYPES),
        position_mode=PositionMode.NETTING,
        features=list(FEATURES),
        rate_limits=RateLimits(
            requests_per_minute=BINANCE_WEIGHT_LIMIT,
            orders_per_second=_ORDERS_PER_SECOND,
            orders_per_day=_ORDERS_PER_DAY,
        ),
    )
