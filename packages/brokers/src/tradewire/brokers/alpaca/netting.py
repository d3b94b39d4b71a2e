"""A position after one fill, from the fill itself: Alpaca's netting, so each fill has its position event.

mapping.md §6 derives POSITION_OPENED / MODIFIED / CLOSED from each fill's `position_qty`; events.md
sends them right after the fill's order and trade events. Alpaca's position carries more than the
quantity, so the rest is netted here as Alpaca does: adding to a position averages the entry price
by size, reducing keeps it, crossing zero starts at the fill's price. A REST read refreshes it later.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from tradewire.brokers._live.jsondecimal import decimal_text

__all__ = ["after_fill"]

_ZERO: Final = Decimal(0)
#: Alpaca reports avg_entry_price to 9 decimals.
_PLACES: Final = Decimal("0.000000001")


def after_fill(
    before: Mapping[str, Any] | None,
    before_qty: Decimal,
    *,
    symbol: str,
    asset_class: str,
    price: Decimal,
    position_qty: Decimal,
) -> dict[str, Any] | None:
    """The position (Alpaca's shape) after a fill at `price` left it at `position_qty`; None when flat.

    Args:
        before: The position's last body (REST or a previous fill), None when there was none.
        before_qty: Its signed quantity (0 when flat).
        symbol: Alpaca's position symbol (`AAPL`, `BTCUSD`).
        asset_class: `us_equity` or `crypto`.
        price: This fill's price.
        position_qty: The signed position after the fill (the trade update's `position_qty`).
    """
    if position_qty == 0:
        return None
    old_avg = Decimal(str(before["avg_entry_price"])) if before is not None and before_qty != 0 else None
    if old_avg is None or (before_qty > 0) != (position_qty > 0):
        avg = price  # opened, or crossed zero: the rest opened at this fill's price
    elif abs(position_qty) > abs(before_qty):
        added = abs(position_qty) - abs(before_qty)
        avg = ((abs(before_qty) * old_avg + added * price) / abs(position_qty)).quantize(_PLACES).normalize()
    else:
        avg = old_avg  # a reduction realizes profit or loss; the rest keeps its entry price
    return {
        "symbol": symbol,
        "asset_class": asset_class,
        "qty": decimal_text(position_qty),
        "side": "long" if position_qty > 0 else "short",
        "avg_entry_price": decimal_text(avg),
        "current_price": decimal_text(price),
        "unrealized_pl": decimal_text((price - avg) * position_qty),
    }
