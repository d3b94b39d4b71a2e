"""What the Alpaca venue supports, per asset class (mapping.md §9); what it refuses is absent.

What the gateway manages itself (`_live.managed`) is reported as `<class>:managed_<name>`, never as the
native feature: crypto brackets and OTO (`managed_bracket_orders`, `managed_oto_orders`), OCO groups on
both classes (`managed_oco_orders`: Alpaca's `oco` class takes both exits in one request, and two
resting exits of one position are refused, as each claims its quantity), and stop triggers
(`managed_stop_trigger`: a crypto stop-loss, and every STOP / STOP_LIMIT member of an OCO group, is
held by the gateway and sent as MARKET / LIMIT when the bid or ask reaches it; Alpaca crypto has no
STOP, and a resting STOP_LIMIT would claim the quantity the take-profit holds). Everything else
Alpaca lacks is refused by `mapping.check_supported` before any call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from tradewire.brokers._live.ratelimit import ALPACA_LIMIT
from tradewire.protocol import order_rules
from tradewire.protocol.messages import (
    AssetClass,
    Capabilities,
    OrderType,
    PositionMode,
    RateLimits,
    TimeInForce,
)

__all__ = ["BY_CLASS", "ClassCapabilities", "capabilities"]


@dataclass(frozen=True, slots=True)
class ClassCapabilities:
    """One asset class: what Alpaca takes natively, and what the gateway manages itself."""

    order_types: tuple[OrderType, ...]
    time_in_force: tuple[TimeInForce, ...]
    #: Feature names as reported in `Capabilities.features`, prefixed by the class there.
    features: tuple[str, ...]
    #: Features the gateway itself provides on this class (managed exits); reported as `managed_*`.
    emulated: tuple[str, ...] = ()


#: mapping.md §9.
BY_CLASS: Final[Mapping[AssetClass, ClassCapabilities]] = {
    AssetClass.STOCK: ClassCapabilities(
        order_types=(
            OrderType.MARKET,
            OrderType.LIMIT,
            OrderType.STOP,
            OrderType.STOP_LIMIT,
            OrderType.TRAILING_STOP,
        ),
        time_in_force=(TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK),
        features=(
            "bracket_orders",
            "oto_orders",
            "trailing_stop",
            "trailing_stop_percent",
            "short_selling",
            "fractional_quantity",
            "time_in_force_day",
            "ioc",
            "fok",
        ),
        emulated=("oco_orders", "stop_trigger"),
    ),
    AssetClass.CRYPTO: ClassCapabilities(
        order_types=(OrderType.MARKET, OrderType.LIMIT, OrderType.STOP_LIMIT),
        time_in_force=(TimeInForce.GTC, TimeInForce.IOC),
        features=("fractional_quantity", "ioc", "long_only"),
        emulated=("bracket_orders", "oto_orders", "oco_orders", "stop_trigger"),
    ),
}

#: Features of the venue as a whole. Notional orders: MARKET, on crypto and fractionable stocks (a stock
#: one DAY only); `mapping.check_supported` refuses the rest.
_VENUE_FEATURES: Final = (
    "idempotent_submit",
    "modify_order",
    "cancel_all",
    "close_all",
    "market_data",
    order_rules.NOTIONAL_FEATURE,
)


def capabilities() -> Capabilities:
    """The venue's capabilities: the union of its order types, per-class features as `<class>:<name>`.

    Stock-only order types (STOP, TRAILING_STOP) are listed because stocks take them; on crypto they
    are refused before sending, as `crypto:` features say (the wire has no per-class order types).
    """
    order_types: list[OrderType] = []
    features: list[str] = list(_VENUE_FEATURES)
    for asset_class, caps in BY_CLASS.items():
        order_types += [t for t in caps.order_types if t not in order_types]
        prefix = asset_class.name.lower()
        features += [f"{prefix}:{name}" for name in caps.features]
        features += [f"{prefix}:managed_{name}" for name in caps.emulated]
        features += [f"{prefix}:tif_{tif.name.lower()}" for tif in caps.time_in_force]
    # The stock names without a prefix too: clients that look for "bracket_orders" find it.
    features += [f for f in BY_CLASS[AssetClass.STOCK].features if f not in features]
    return Capabilities(
        supported_asset_classes=list(BY_CLASS),
        supported_order_types=order_types,
        position_mode=PositionMode.NETTING,
        features=features,
        rate_limits=RateLimits(requests_per_minute=ALPACA_LIMIT),
    )
