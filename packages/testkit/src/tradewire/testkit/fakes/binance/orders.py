"""A new order's parameters (binance.md §5.1) to an Order: presence rules per type, -1102/-1106/-1114."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass

from tradewire.testkit.fakes.binance import errors
from tradewire.testkit.fakes.binance.state import LIMIT_TYPES, ORDER_TYPES, STOP_TYPES, Order
from tradewire.testkit.fakes.binance.wire import ZERO, decimal_param, int_param

TIFS = frozenset({"GTC", "IOC", "FOK"})
_NEEDS_TIF = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
RESP_TYPES = frozenset({"ACK", "RESULT", "FULL"})
STP_MODES = frozenset({"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"})
_ALPHABET = string.ascii_letters + string.digits


def new_client_id() -> str:
    """Binance's generated ids: 22 alphanumerics (`6gCrw2kRUAF9CvJDGP16IP`)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(22))


@dataclass
class NewOrder:
    order: Order
    resp_type: str


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise errors.mandatory(name)
    return value


def parse(params: Mapping[str, str], names: Mapping[str, str] | None = None) -> NewOrder:
    """`names` renames the standard parameters (an order list's `aboveType`, `workingPrice`, ...)."""
    n = {k: k for k in _STANDARD} | dict(names or {})
    p = {k: params[v] for k, v in n.items() if v in params}
    symbol = _required(p, "symbol").upper()
    side = _required(p, "side")
    if side not in ("BUY", "SELL"):
        raise errors.invalid_side()
    kind = _required(p, "type")
    if kind not in ORDER_TYPES:
        raise errors.invalid_order_type()
    tif = p.get("timeInForce") or None
    if kind in _NEEDS_TIF and tif is None:
        raise errors.mandatory(n["timeInForce"])
    if kind not in _NEEDS_TIF and tif is not None:
        raise errors.tif_not_required()
    if tif is not None and tif not in TIFS:
        raise errors.invalid_tif()
    qty = decimal_param(p, "quantity")
    quote_qty = decimal_param(p, "quoteOrderQty")
    price = decimal_param(p, "price")
    stop = decimal_param(p, "stopPrice")
    iceberg = decimal_param(p, "icebergQty")
    trailing = int_param(p, "trailingDelta")
    if quote_qty is not None and kind != "MARKET":
        raise errors.not_required(n["quoteOrderQty"])
    if qty is not None and quote_qty is not None:
        raise errors.bad_combination()
    if qty is None and quote_qty is None:
        raise errors.mandatory(n["quantity"])
    if kind in LIMIT_TYPES and price is None:
        raise errors.mandatory(n["price"])
    if kind not in LIMIT_TYPES and price is not None:
        raise errors.not_required(n["price"])
    if kind in STOP_TYPES and stop is None and trailing is None:
        raise errors.mandatory(n["stopPrice"])
    if kind not in STOP_TYPES and stop is not None:
        raise errors.not_required(n["stopPrice"])
    if kind not in STOP_TYPES and trailing is not None:
        raise errors.not_required(n["trailingDelta"])
    if iceberg is not None and (kind not in LIMIT_TYPES or tif not in (None, "GTC")):
        raise errors.not_required(n["icebergQty"])
    resp = p.get("newOrderRespType") or ("FULL" if kind in ("MARKET", "LIMIT") else "ACK")
    if resp not in RESP_TYPES:
        raise errors.invalid_value("newOrderRespType")
    stp = p.get("selfTradePreventionMode") or "EXPIRE_MAKER"
    if stp not in STP_MODES:
        raise errors.invalid_value("selfTradePreventionMode")
    order = Order(
        symbol=symbol,
        order_id=0,
        client_id=p.get("newClientOrderId") or new_client_id(),
        side=side,
        type=kind,
        tif=tif,
        qty=qty or ZERO,
        price=price or ZERO,
        stop_price=stop or ZERO,
        quote_qty=quote_qty or ZERO,
        iceberg_qty=iceberg or ZERO,
        trailing_delta=trailing,
        stp=stp,
    )
    return NewOrder(order, resp)


_STANDARD = (
    "symbol", "side", "type", "timeInForce", "quantity", "quoteOrderQty", "price", "stopPrice",
    "icebergQty", "trailingDelta", "newClientOrderId", "newOrderRespType", "selfTradePreventionMode",
)  # fmt: skip


def leg_names(prefix: str, shared_side: bool, shared_qty: bool) -> dict[str, str]:
    """The parameter names of one leg of an order list: `aboveType`, `pendingBelowStopPrice`, ..."""
    names = {
        "type": f"{prefix}Type",
        "timeInForce": f"{prefix}TimeInForce",
        "price": f"{prefix}Price",
        "stopPrice": f"{prefix}StopPrice",
        "icebergQty": f"{prefix}IcebergQty",
        "trailingDelta": f"{prefix}TrailingDelta",
        "newClientOrderId": f"{prefix}ClientOrderId",
        "quoteOrderQty": f"{prefix}QuoteOrderQty",
    }
    if not shared_side:
        names["side"] = f"{prefix}Side"
    if not shared_qty:
        names["quantity"] = f"{prefix}Quantity"
    return names
