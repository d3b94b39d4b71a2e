"""Protocol ↔ Alpaca shapes exactly per mapping.md: order types, TIFs, statuses, events, symbols, grids.

Pure functions, no I/O. Alpaca's trading API sends decimals as strings and its market data as JSON
numbers; both arrive here as `Decimal` (bodies are parsed with `_live.jsondecimal.loads`), and every
decimal sent is `decimal_text`. Anything Alpaca lacks is refused with UNSUPPORTED_OPERATION before a
request leaves (`check_supported`), never substituted, unless the gateway manages it and `capabilities`
says so (`managed_route`: crypto brackets / OTO and OCO groups, `_live.managed`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Final

from tradewire.brokers._live.jsondecimal import BrokerJsonError, decimal_field, decimal_text, optional_decimal
from tradewire.protocol import codec, order_rules, precision
from tradewire.protocol.errors import OrderNotModifiable, UnsupportedOperation
from tradewire.protocol.messages import (
    Account,
    Bar,
    ModifyOrderRequest,
    Order,
    OrderEventType,
    OrderStatus,
    OrderType,
    Position,
    PositionEventType,
    PositionSide,
    Quote,
    Side,
    SubmitOrderRequest,
    Timeframe,
    TimeInForce,
    Trade,
    TrailingType,
)

__all__ = [
    "CRYPTO",
    "EQUITY",
    "EVENTS",
    "STATUSES",
    "TERMINAL",
    "TIMEFRAMES",
    "Asset",
    "account_from_broker",
    "bar_from_broker",
    "check_supported",
    "fractional_allowed",
    "grid_for",
    "is_crypto_symbol",
    "managed_modify_refused",
    "managed_route",
    "modify_payload",
    "normalize_submit",
    "notional_grid",
    "order_event_type",
    "order_from_broker",
    "order_payload",
    "order_version",
    "position_event_type",
    "position_from_broker",
    "position_id",
    "quote_from_broker",
    "same_order",
    "time_ns",
    "timestamp",
    "trade_from_activity",
    "trade_from_fill",
]

log = logging.getLogger(__name__)

#: Alpaca's asset classes.
EQUITY: Final = "us_equity"
CRYPTO: Final = "crypto"
#: The platform name in refusals (paper and live support the same things).
_VENUE: Final = "alpaca"
#: Quote currencies of Alpaca's crypto pairs, longest first: positions list `BTCUSD` for `BTC/USD`.
_CRYPTO_QUOTES: Final = ("USDT", "USDC", "USD", "BTC")
#: Fractional equity quantities: Alpaca takes up to 9 decimals (alpaca.md §3).
_FRACTION_STEP: Final = Decimal("0.000000001")
_WHOLE: Final = Decimal(1)
#: Equity prices: at least $1 on cents, below $1 on hundredths of a cent (else 422 42210000, §5).
_CENT: Final = Decimal("0.01")
_SUB_DOLLAR_TICK: Final = Decimal("0.0001")
_ZERO: Final = Decimal(0)
#: Notional amounts on equities: Alpaca documents 9 decimals (alpaca.md §3) but refuses sub-penny ones
#: (422 42210000, as for prices), and takes no order under $1 (403 "cost basis must be >= minimal amount
#: of order 1"); crypto notionals keep the documented 9 decimals (a BTC-quoted pair needs them).
_STOCK_NOTIONAL: Final = precision.Grid(tick_size=_CENT, lot_step=_CENT, min_quantity=_WHOLE)
_CRYPTO_NOTIONAL: Final = precision.Grid(tick_size=_FRACTION_STEP, lot_step=_FRACTION_STEP)

# -- times --------------------------------------------------------------------------------------
_RFC3339: Final = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def _split_time(text: str) -> tuple[dt.datetime, str]:
    m = _RFC3339.match(text.strip())
    if m is None:
        raise BrokerJsonError(f"not an RFC 3339 time: {text!r}")
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    base = dt.datetime.fromisoformat(m.group(1) + zone)
    return base, (m.group(2) or "")


def timestamp(text: str | None) -> dt.datetime | None:
    """An Alpaca time (up to 9 fractional digits, any offset) in UTC, truncated to microseconds."""
    if not text:
        return None
    base, fraction = _split_time(text)
    micros = int((fraction + "000000")[:6])
    return (base + dt.timedelta(microseconds=micros)).astimezone(dt.UTC)


def time_ns(text: str | None) -> int:
    """An Alpaca time as exact nanoseconds since the epoch (0 when absent): the resync's order key."""
    if not text:
        return 0
    base, fraction = _split_time(text)
    return int(base.timestamp()) * 1_000_000_000 + int((fraction + "000000000")[:9])


# -- symbols and assets -------------------------------------------------------------------------
def is_crypto_symbol(symbol: str) -> bool:
    """Crypto pairs are written `BTC/USD` in orders, assets and data."""
    return "/" in symbol


def position_id(symbol: str) -> str:
    """The id of the position in `symbol`: Alpaca's position form (`AAPL`, `BTCUSD`), usable in a path."""
    return symbol.replace("/", "")


def _pair(symbol: str) -> str:
    """`BTCUSD` (a crypto position's symbol) → `BTC/USD`; a pair with a slash is kept."""
    if "/" in symbol:
        return symbol
    for quote in _CRYPTO_QUOTES:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return f"{symbol[: -len(quote)]}/{quote}"
    return symbol


@dataclass(frozen=True, slots=True)
class Asset:
    """What the adapter needs of an Alpaca asset: its class and trading increments."""

    symbol: str
    asset_class: str
    tradable: bool = True
    fractionable: bool = False
    shortable: bool = False
    min_order_size: Decimal | None = None
    min_trade_increment: Decimal | None = None
    price_increment: Decimal | None = None

    @property
    def crypto(self) -> bool:
        return self.asset_class == CRYPTO

    @classmethod
    def from_broker(cls, body: Mapping[str, Any]) -> Asset:
        """From `GET /v2/assets/{symbol}` (alpaca.md §7)."""
        return cls(
            symbol=str(body["symbol"]),
            asset_class=str(body.get("class") or EQUITY),
            tradable=bool(body.get("tradable", True)),
            fractionable=bool(body.get("fractionable", False)),
            shortable=bool(body.get("shortable", False)),
            min_order_size=optional_decimal(body, "min_order_size"),
            min_trade_increment=optional_decimal(body, "min_trade_increment"),
            price_increment=optional_decimal(body, "price_increment"),
        )


def grid_for(asset: Asset, price: Decimal | None = None, *, fractional: bool = True) -> precision.Grid:
    """The grid an order on `asset` (at `price`, for equities) is brought onto before sending.

    Crypto: the asset's own `min_trade_increment`, `min_order_size` and `price_increment`. Equities:
    9 decimals when the asset is fractionable and the order may be fractional (`fractional`), else
    whole shares; prices on cents from $1, on $0.0001 below.
    """
    if asset.crypto:
        return precision.Grid(
            tick_size=asset.price_increment or _SUB_DOLLAR_TICK,
            lot_step=asset.min_trade_increment or _FRACTION_STEP,
            min_quantity=asset.min_order_size,
        )
    tick = _CENT if price is None or price >= _WHOLE else _SUB_DOLLAR_TICK
    lot = _FRACTION_STEP if asset.fractionable and fractional else _WHOLE
    return precision.Grid(tick_size=tick, lot_step=lot)


def notional_grid(asset: Asset) -> precision.Grid:
    """The grid a notional amount on `asset` is floored to (its `lot_step`; `min_quantity` the least)."""
    return _CRYPTO_NOTIONAL if asset.crypto else _STOCK_NOTIONAL


def fractional_allowed(request: SubmitOrderRequest) -> bool:
    """Alpaca takes fractional equity quantities on simple DAY market and limit orders only (alpaca.md
    §5): any other order's lot step is one share, so its quantity is floored to whole shares."""
    simple = request.stop_loss is None and request.take_profit is None
    kind = OrderType(request.order_type) in (OrderType.MARKET, OrderType.LIMIT)
    return simple and kind and _tif(request) == TimeInForce.DAY


# -- orders out ---------------------------------------------------------------------------------
_TYPES: Final = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.STOP: "stop",
    OrderType.STOP_LIMIT: "stop_limit",
    OrderType.TRAILING_STOP: "trailing_stop",
}
_TYPES_BACK: Final = {v: k for k, v in _TYPES.items()}
_TIFS: Final = {
    TimeInForce.GTC: "gtc",
    TimeInForce.DAY: "day",
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
}
_TIFS_BACK: Final = {v: k for k, v in _TIFS.items()}
_SIDES: Final = {Side.BUY: "buy", Side.SELL: "sell"}
_SIDES_BACK: Final = {v: k for k, v in _SIDES.items()}
#: mapping.md §9: what each asset class takes natively.
_CRYPTO_TYPES: Final = frozenset({OrderType.MARKET, OrderType.LIMIT, OrderType.STOP_LIMIT})
_CRYPTO_TIFS: Final = frozenset({TimeInForce.GTC, TimeInForce.IOC})
#: Trailing stops and brackets on equities: DAY or GTC only (alpaca.md §5).
_DAY_OR_GTC: Final = frozenset({TimeInForce.DAY, TimeInForce.GTC})


def _refuse(feature: str, field: str, asset: Asset | None = None) -> UnsupportedOperation:
    where = f"{_VENUE} {asset.asset_class}" if asset is not None else _VENUE
    return UnsupportedOperation(
        f"Unsupported operation: {feature} is not supported on {where}",
        {"platform": _VENUE, "field": field, "reject_code": "UNSUPPORTED_ORDER_TYPE"},
    )


def _tif(request: SubmitOrderRequest, asset: Asset | None = None) -> TimeInForce:
    if request.time_in_force is not None:
        return TimeInForce(request.time_in_force)
    if request.notional is not None and asset is not None and not asset.crypto:
        # Alpaca documents stock notional orders as market + day only (alpaca.md §5): an omitted
        # time_in_force is sent as DAY and the order echoes DAY, not the GTC default.
        return TimeInForce.DAY
    return TimeInForce.GTC  # rest.md: time_in_force defaults to GTC


def _check_notional(request: SubmitOrderRequest, asset: Asset) -> None:
    """Alpaca's notional orders (alpaca.md §5): fractionable assets only; a stock one is DAY only."""
    if not asset.crypto and not asset.fractionable:
        raise _refuse(f"notional on {asset.symbol}, which is not fractionable,", "notional", asset)
    tif = _tif(request, asset)
    if not asset.crypto and tif != TimeInForce.DAY:
        raise _refuse(
            f"an order sized by notional with time_in_force {codec.enum_spelling(tif)}",
            "time_in_force",
            asset,
        )
    if request.reduce_only:
        # Alpaca works out the quantity as it fills: the position check of reduce_only (mapping.md §2)
        # cannot be made before sending, and a guess from a quote could flip the position.
        raise _refuse("reduce_only on an order sized by notional", "reduce_only", asset)


def check_supported(request: SubmitOrderRequest, asset: Asset) -> None:
    """Refuse what Alpaca lacks for `asset` (mapping.md §1-3, §9) before anything is sent.

    Raises:
        UnsupportedOperation: naming the platform and the offending field.
    """
    for field in ("post_only", "hidden"):
        if getattr(request, field):
            raise _refuse(field, field)
    for field in ("display_quantity", "leverage", "margin_mode"):
        if getattr(request, field) is not None:
            raise _refuse(field, field)
    if request.notional is not None:
        _check_notional(request, asset)
    order_type = OrderType(request.order_type)
    tif = _tif(request, asset)
    has_exits = request.stop_loss is not None or request.take_profit is not None
    if request.oco_group_id is not None:
        # Managed (`managed_route`): Alpaca's `oco` class takes both exits in one request, ours come one by one.
        if has_exits:
            raise _refuse("stop_loss / take_profit on an OCO group member", "oco_group_id", asset)
        if order_type == OrderType.TRAILING_STOP:
            raise _refuse("a trailing stop in an OCO group", "oco_group_id", asset)
    if asset.crypto:
        managed_stop = order_type == OrderType.STOP and request.oco_group_id is not None
        if order_type not in _CRYPTO_TYPES and not managed_stop:
            raise _refuse(f"{codec.enum_spelling(order_type)} orders", "order_type", asset)
        if tif not in _CRYPTO_TIFS:
            raise _refuse(f"time_in_force {codec.enum_spelling(tif)}", "time_in_force", asset)
        return  # crypto brackets / OTO: gateway-managed exits (`managed_route`)
    if order_type == OrderType.TRAILING_STOP and tif not in _DAY_OR_GTC:
        raise _refuse(
            f"a trailing stop with time_in_force {codec.enum_spelling(tif)}", "time_in_force", asset
        )
    if has_exits and tif not in _DAY_OR_GTC:
        raise _refuse(f"exits with time_in_force {codec.enum_spelling(tif)}", "time_in_force", asset)


def managed_route(request: SubmitOrderRequest, asset: Asset) -> str | None:
    """How the gateway manages a checked request: "oco" (a member of an OCO group, on every class),
    "bracket" (a crypto entry with exits), or None (Alpaca takes it natively, stock brackets included).
    """
    if request.oco_group_id is not None:
        return "oco"
    if asset.crypto and (request.stop_loss is not None or request.take_profit is not None):
        return "bracket"
    return None


def managed_modify_refused(order_id: str) -> UnsupportedOperation:
    """A gateway-managed exit keeps its id only while it is not replaced: cancel it and submit anew."""
    return UnsupportedOperation(
        "Unsupported operation: modifying a gateway-managed exit is not supported on alpaca "
        "(cancel it and submit a new one)",
        {"platform": _VENUE, "order_id": order_id},
    )


def _moved(request: Any, field: str, value: Decimal) -> str | None:
    before = getattr(request, field)
    return before if before is None or Decimal(before) == value else codec.dec(value)


def normalize_submit(request: SubmitOrderRequest, asset: Asset) -> SubmitOrderRequest:
    """rest.md's precision rule on Alpaca's increments: quantity floored, each price moved to its own grid.

    Equity prices have a tick by level (a $0.50 stop and a $12 limit differ), so each price field is
    brought onto the grid of its own value. Raises 422 INVALID_QUANTITY / INVALID_PRICE as `precision`.
    """
    side = Side(request.side)
    changes: dict[str, Any] = {}
    if request.notional is not None:
        notional = precision.quantity(Decimal(request.notional), notional_grid(asset), "notional")
        changes["notional"] = _moved(request, "notional", notional)
        changes["time_in_force"] = _tif(request, asset)
    else:
        quantity = Decimal(order_rules.quantity_of(request, _VENUE))
        grid = grid_for(asset, fractional=fractional_allowed(request))
        changes["quantity"] = _moved(request, "quantity", precision.quantity(quantity, grid))
    for field in ("limit_price", "stop_price", "stop_loss", "take_profit"):
        text = getattr(request, field)
        if text is not None:
            value = Decimal(text)
            changes[field] = _moved(
                request, field, precision.price(value, grid_for(asset, value), field, side)
            )
    if request.trailing_distance is not None:
        distance = Decimal(request.trailing_distance)
        reference = distance if request.trailing_type == TrailingType.ABSOLUTE else None
        moved = precision.trailing_distance(distance, grid_for(asset, reference), request.trailing_type)
        changes["trailing_distance"] = _moved(request, "trailing_distance", moved)
    if all(getattr(request, k) == v for k, v in changes.items()):
        return request
    return replace(request, **changes)


def _text(value: str) -> str:
    return decimal_text(Decimal(value))


def order_payload(request: SubmitOrderRequest, client_order_id: str, asset: Asset) -> dict[str, Any]:
    """The `POST /v2/orders` body for a checked, normalized request (alpaca.md §5)."""
    order_type = OrderType(request.order_type)
    # Exactly one of qty and notional (alpaca.md §5), as check_submit lets through.
    if request.notional is not None:
        size = {"notional": _text(request.notional)}
    else:
        size = {"qty": _text(order_rules.quantity_of(request, _VENUE))}
    payload: dict[str, Any] = {
        "symbol": asset.symbol,
        **size,
        "side": _SIDES[Side(request.side)],
        "type": _TYPES[order_type],
        "time_in_force": _TIFS[_tif(request, asset)],
        "client_order_id": client_order_id,
    }
    if request.limit_price is not None:
        payload["limit_price"] = _text(request.limit_price)
    if request.stop_price is not None:
        payload["stop_price"] = _text(request.stop_price)
    if request.trailing_distance is not None:
        key = "trail_percent" if request.trailing_type == TrailingType.PERCENT else "trail_price"
        payload[key] = _text(request.trailing_distance)
    if request.stop_loss is not None or request.take_profit is not None:
        both = request.stop_loss is not None and request.take_profit is not None
        payload["order_class"] = "bracket" if both else "oto"
        if request.take_profit is not None:
            payload["take_profit"] = {"limit_price": _text(request.take_profit)}
        if request.stop_loss is not None:
            payload["stop_loss"] = {"stop_price": _text(request.stop_loss)}
    return payload


def same_order(payload: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """Whether Alpaca's order `body` is the order `payload` asks for (a repeated client order id is
    idempotent only for the same request; mapping.md §7): symbol, side, quantity or notional, type and
    prices. An order sized one way is never the order sized the other way."""
    if position_id(str(payload["symbol"])) != position_id(str(body.get("symbol") or "")):
        return False
    if ("notional" in payload) != (optional_decimal(body, "notional") is not None):
        return False
    if payload["side"] != body.get("side") or payload["type"] != (body.get("type") or body.get("order_type")):
        return False
    # Only what was sent is compared: Alpaca fills in prices of its own (a trailing stop's current
    # stop, the collar it puts on a market buy).
    for key in ("qty", "notional", "limit_price", "stop_price", "trail_price", "trail_percent"):
        sent = payload.get(key)
        if sent is not None and Decimal(str(sent)) != optional_decimal(body, key):
            return False
    return True


def _not_modifiable(order: Order, why: str) -> OrderNotModifiable:
    return OrderNotModifiable(f"Order not modifiable: {why}", {"order_id": order.id})


#: The price fields each order type has; a change to another is one the order cannot take (409).
_PRICES_OF: Final[Mapping[OrderType, frozenset[str]]] = {
    OrderType.MARKET: frozenset(),
    OrderType.LIMIT: frozenset({"limit_price"}),
    OrderType.STOP: frozenset({"stop_price"}),
    OrderType.STOP_LIMIT: frozenset({"limit_price", "stop_price"}),
    OrderType.TRAILING_STOP: frozenset({"trailing_distance"}),
}


def modify_payload(request: ModifyOrderRequest, order: Order) -> dict[str, Any]:
    """The `PATCH /v2/orders/{id}` body; {} when nothing is to change (alpaca.md §6).

    Raises:
        OrderNotModifiable: a price the order type does not have, or a trailing stop's quantity
            (Alpaca lets a trailing stop change only its trail); details `{"order_id"}` (rest.md).
        UnsupportedOperation: exit prices through the entry (modify the exit leg's own order).
    """
    for field in ("stop_loss", "take_profit"):
        if getattr(request, field) is not None:
            raise _refuse(f"changing {field} through its entry (modify the exit leg's own order)", field)
    has = _PRICES_OF.get(OrderType(order.order_type), frozenset())
    for field in ("limit_price", "stop_price", "trailing_distance"):
        if getattr(request, field) is not None and field not in has:
            label = codec.enum_spelling(OrderType(order.order_type))
            raise _not_modifiable(order, f"a {label} order has no {field}")
    trailing = order.order_type == OrderType.TRAILING_STOP
    if trailing and request.quantity is not None:
        raise _not_modifiable(order, "a trailing stop may change only its trail on Alpaca")
    body: dict[str, Any] = {}
    if request.quantity is not None:
        body["qty"] = _text(request.quantity)
    if request.limit_price is not None:
        body["limit_price"] = _text(request.limit_price)
    if request.stop_price is not None:
        body["stop_price"] = _text(request.stop_price)
    if request.trailing_distance is not None:
        body["trail"] = _text(request.trailing_distance)
    return body


# -- orders in ----------------------------------------------------------------------------------
#: mapping.md §5. Statuses that depend on filled_qty map to OPEN here and PARTIALLY_FILLED when > 0.
STATUSES: Final[Mapping[str, OrderStatus]] = {
    "pending_new": OrderStatus.PENDING,
    "accepted_for_bidding": OrderStatus.PENDING,
    "held": OrderStatus.PENDING,
    "suspended": OrderStatus.PENDING,
    "pending_review": OrderStatus.PENDING,
    "new": OrderStatus.OPEN,
    "accepted": OrderStatus.OPEN,
    "stopped": OrderStatus.OPEN,
    "done_for_day": OrderStatus.OPEN,
    "calculated": OrderStatus.OPEN,
    "pending_replace": OrderStatus.OPEN,
    "partially_filled": OrderStatus.PARTIALLY_FILLED,
    "filled": OrderStatus.FILLED,
    "pending_cancel": OrderStatus.PENDING_CANCEL,
    "canceled": OrderStatus.CANCELLED,
    "replaced": OrderStatus.CANCELLED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}
_BY_FILL: Final = frozenset({"done_for_day", "calculated", "pending_replace"})
#: Statuses after which nothing changes (alpaca.md §6).
TERMINAL: Final = frozenset({"filled", "canceled", "expired", "replaced", "rejected"})
# The order of statuses in one order's life, for versions at equal timestamps (later wins).
_RANK: Final = {
    s: i
    for i, s in enumerate(
        (
            "pending_new", "accepted_for_bidding", "pending_review", "held", "accepted", "new", "suspended",
            "stopped", "calculated", "partially_filled", "done_for_day", "pending_replace",
            "pending_cancel", "replaced", "rejected", "expired", "canceled", "filled",
        )
    )
}  # fmt: skip


def order_status(status: str, quantity: Decimal, filled: Decimal) -> OrderStatus:
    """Alpaca's status → ours; an unknown one is logged and mapped by quantities, never a crash."""
    mapped = STATUSES.get(status)
    if mapped is None:
        log.warning("unknown Alpaca order status %r: mapped by its quantities", status)
        if quantity > 0 and filled >= quantity:
            return OrderStatus.FILLED
        return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN
    if status in _BY_FILL and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    return mapped


def _str(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return None if value is None or value == "" else str(value)


def _dec(body: Mapping[str, Any], key: str) -> str | None:
    value = optional_decimal(body, key)
    return None if value is None else codec.dec(value)


def _legs(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(stop_loss, take_profit) prices of a bracket/oto parent, from its nested legs."""
    stop = take = None
    for leg in body.get("legs") or ():
        leg_type = leg.get("type") or leg.get("order_type")
        if leg_type in ("stop", "stop_limit"):
            stop = _dec(leg, "stop_price")
        elif leg_type == "limit":
            take = _dec(leg, "limit_price")
    return stop, take


def order_from_broker(body: Mapping[str, Any], parent_id: str | None = None) -> Order:
    """One Alpaca order (REST or a stream event's `order`) as the protocol's `Order`.

    Its id is Alpaca's own order id (a replace makes a new one, reported with `previous_order_id`).
    """
    filled = optional_decimal(body, "filled_qty") or _ZERO
    # rest.md "Sized by notional": an order Alpaca sizes by notional has `qty` null until it names one
    # (alpaca.md §7); until then its quantity is what has filled so far.
    quantity = optional_decimal(body, "qty")
    if quantity is None:
        quantity = filled
    status_text = str(body.get("status") or "")
    order_type_text = str(body.get("type") or body.get("order_type") or "")
    order_type = _TYPES_BACK.get(order_type_text)
    if order_type is None:
        log.warning("unknown Alpaca order type %r on order %s", order_type_text, body.get("id"))
        order_type = OrderType.UNSPECIFIED
    tif_text = str(body.get("time_in_force") or "")
    # opg / cls (auction orders) have no protocol value: they are working until the auction, like DAY.
    tif = _TIFS_BACK.get(tif_text, TimeInForce.DAY)
    trail_percent = _dec(body, "trail_percent")
    trail_price = _dec(body, "trail_price")
    stop_loss, take_profit = _legs(body)
    order = Order(
        id=str(body["id"]),
        client_order_id=_str(body, "client_order_id"),
        symbol=_pair(str(body["symbol"])) if body.get("asset_class") == CRYPTO else str(body["symbol"]),
        side=_SIDES_BACK.get(str(body.get("side")), Side.UNSPECIFIED),
        order_type=order_type,
        quantity=codec.dec(quantity),
        filled_quantity=codec.dec(filled),
        remaining_quantity=codec.dec(quantity - filled if quantity > filled else _ZERO),  # "0", not "0.000"
        limit_price=_dec(body, "limit_price"),
        stop_price=_dec(body, "stop_price"),
        stop_loss=stop_loss,
        take_profit=take_profit,
        trailing_distance=trail_percent or trail_price,
        trailing_type=(
            TrailingType.PERCENT if trail_percent else TrailingType.ABSOLUTE if trail_price else None
        ),
        average_fill_price=_dec(body, "filled_avg_price"),
        # an unknown status is judged by the quantity Alpaca names, none yet for a notional order
        status=order_status(status_text, optional_decimal(body, "qty") or _ZERO, filled),
        parent_order_id=parent_id,
        time_in_force=tif,
        created_at=timestamp(_str(body, "created_at") or _str(body, "submitted_at")),
        updated_at=timestamp(_str(body, "updated_at")),
        notional=_dec(body, "notional"),
    )
    return order


def order_version(body: Mapping[str, Any]) -> tuple[int | Decimal, ...]:
    """A state version of one order for `_live.resync`: (updated_at ns, filled_qty, status rank)."""
    status = str(body.get("status") or "")
    return (
        time_ns(_str(body, "updated_at")),
        optional_decimal(body, "filled_qty") or _ZERO,
        _RANK.get(status, len(_RANK)),
    )


# -- stream events ------------------------------------------------------------------------------
#: mapping.md §6: trade_updates `event` → our order event (None: no event, e.g. a refused cancel).
EVENTS: Final[Mapping[str, OrderEventType | None]] = {
    "new": OrderEventType.ORDER_CREATED,
    "accepted": OrderEventType.ORDER_CREATED,
    "pending_new": OrderEventType.ORDER_CREATED,
    "partial_fill": OrderEventType.ORDER_PARTIALLY_FILLED,
    "fill": OrderEventType.ORDER_FILLED,
    "canceled": OrderEventType.ORDER_CANCELLED,
    "expired": OrderEventType.ORDER_EXPIRED,
    "rejected": OrderEventType.ORDER_REJECTED,
    "replaced": OrderEventType.ORDER_MODIFIED,
    "pending_replace": OrderEventType.ORDER_MODIFIED,
    "pending_cancel": OrderEventType.ORDER_MODIFIED,
    "done_for_day": OrderEventType.ORDER_MODIFIED,
    "stopped": OrderEventType.ORDER_MODIFIED,
    "calculated": OrderEventType.ORDER_MODIFIED,
    "suspended": OrderEventType.ORDER_MODIFIED,
    "restated": OrderEventType.ORDER_MODIFIED,
    "order_cancel_rejected": None,
    "order_replace_rejected": None,
}
_CREATED_EVENTS: Final = frozenset({"new", "accepted", "pending_new"})
#: The event a resynced order's status stands for (no stream event named it).
_EVENT_OF_STATUS: Final = {
    "filled": "fill",
    "partially_filled": "partial_fill",
    "canceled": "canceled",
    "expired": "expired",
    "rejected": "rejected",
    "replaced": "replaced",
}


def order_event_type(event: str, *, created_before: bool, bracket: bool = False) -> OrderEventType | None:
    """Our order event for an Alpaca event; None when there is none to send.

    `new` / `accepted` / `pending_new` is ORDER_CREATED the first time for an order, later a
    status-only ORDER_MODIFIED; a bracket/oto/oco parent's creation and replace are the BRACKET_ ones.
    An unknown event is logged and reported as ORDER_MODIFIED (the order state it carries is exact).
    """
    if event in _CREATED_EVENTS:
        if created_before:
            return OrderEventType.ORDER_MODIFIED
        return OrderEventType.BRACKET_ORDER_CREATED if bracket else OrderEventType.ORDER_CREATED
    if event not in EVENTS:
        log.warning("unknown Alpaca trade_updates event %r: reported as ORDER_MODIFIED", event)
        return OrderEventType.ORDER_MODIFIED
    mapped = EVENTS[event]
    if mapped == OrderEventType.ORDER_MODIFIED and event == "replaced" and bracket:
        return OrderEventType.BRACKET_ORDER_MODIFIED
    return mapped


def event_of_status(status: str) -> str:
    """The stream event a status found by a REST resync stands for (`filled` → `fill`)."""
    return _EVENT_OF_STATUS.get(status, status)


def is_bracket(body: Mapping[str, Any]) -> bool:
    """A parent of a bracket / oto / oco group."""
    return str(body.get("order_class") or "") in ("bracket", "oto", "oco")


def fill_key(order_id: str, cum_qty: Decimal) -> str:
    """One execution's id on both paths: a stream fill and its FILL activity name the order and the
    cumulative quantity it reached, so the resync's dedupe sees them as one (alpaca.md §12)."""
    return f"{order_id}:{decimal_text(cum_qty)}"


def trade_from_fill(data: Mapping[str, Any], previous_filled: Decimal | None) -> Trade:
    """TRADE_FILLED's trade from a `fill` / `partial_fill` event (mapping.md §6 "Fill data").

    The execution size is the increase of `order.filled_qty` when the previous cumulative quantity is
    known, else the event's `qty`; the price is the event's. Commission 0 (crypto fees are separate).
    """
    order = data["order"]
    cum = decimal_field(order, "filled_qty")
    qty = cum - previous_filled if previous_filled is not None else decimal_field(data, "qty")
    symbol = str(order["symbol"])
    return Trade(
        id=fill_key(str(order["id"]), cum),
        order_id=str(order["id"]),
        symbol=_pair(symbol) if order.get("asset_class") == CRYPTO else symbol,
        side=_SIDES_BACK.get(str(order.get("side")), Side.UNSPECIFIED),
        quantity=codec.dec(qty),
        price=codec.dec(decimal_field(data, "price")),
        commission="0",
        commission_currency="USD",
        timestamp=timestamp(_str(data, "timestamp")),
    )


def trade_from_activity(activity: Mapping[str, Any]) -> Trade:
    """A FILL account activity (`GET /v2/account/activities/FILL`) as a Trade."""
    symbol = str(activity["symbol"])
    return Trade(
        id=fill_key(str(activity["order_id"]), decimal_field(activity, "cum_qty")),
        order_id=str(activity["order_id"]),
        symbol=symbol if "/" in symbol else _crypto_or_stock(symbol),
        side=_SIDES_BACK.get(str(activity.get("side")), Side.UNSPECIFIED),
        quantity=codec.dec(decimal_field(activity, "qty")),
        price=codec.dec(decimal_field(activity, "price")),
        commission="0",
        commission_currency="USD",
        timestamp=timestamp(_str(activity, "transaction_time")),
    )


def _crypto_or_stock(symbol: str) -> str:
    # Activities carry no asset class; a stock symbol never ends in a crypto quote currency plus more
    # letters than a stock ticker has, but `BTCUSD` does.
    pair = _pair(symbol)
    return pair if len(symbol) > 5 else symbol


# -- positions, account, market data --------------------------------------------------------------
def position_from_broker(
    body: Mapping[str, Any], opened_at: dt.datetime | None = None, at: dt.datetime | None = None
) -> Position:
    """An Alpaca position: signed `qty` becomes side + size; crypto `BTCUSD` becomes `BTC/USD`.

    Alpaca's positions carry no times: `at` (default now) is when it was read, and `opened_at` when the
    adapter first saw it open (default `at`).
    """
    at = at or dt.datetime.now(dt.UTC)
    raw = str(body["symbol"])
    symbol = _pair(raw) if body.get("asset_class") == CRYPTO else raw
    qty = decimal_field(body, "qty")
    side = str(body.get("side") or ("short" if qty < 0 else "long"))
    return Position(
        id=position_id(raw),
        symbol=symbol,
        side=PositionSide.SHORT if side == "short" else PositionSide.LONG,
        quantity=codec.dec(abs(qty)),
        average_entry_price=codec.dec(decimal_field(body, "avg_entry_price")),
        current_price=codec.dec(optional_decimal(body, "current_price") or _ZERO),
        unrealized_pnl=codec.dec(optional_decimal(body, "unrealized_pl") or _ZERO),
        realized_pnl="0",
        opened_at=opened_at or at,
        updated_at=at,
    )


def position_event_type(before: Decimal, after: Decimal) -> list[PositionEventType]:
    """mapping.md §6 from `position_qty` (signed): 0 → ≠0 OPENED, changed MODIFIED, → 0 CLOSED, a
    sign change CLOSED then OPENED."""
    if before == after:
        return []
    if before == 0:
        return [PositionEventType.POSITION_OPENED]
    if after == 0:
        return [PositionEventType.POSITION_CLOSED]
    if (before > 0) != (after > 0):
        return [PositionEventType.POSITION_CLOSED, PositionEventType.POSITION_OPENED]
    return [PositionEventType.POSITION_MODIFIED]


def account_from_broker(body: Mapping[str, Any], unrealized_pnl: Decimal = _ZERO) -> Account:
    """`GET /v2/account`: cash, equity, margin used (initial margin), buying power as margin available."""
    return Account(
        balance=codec.dec(decimal_field(body, "cash")),
        equity=codec.dec(decimal_field(body, "equity")),
        margin_used=codec.dec(optional_decimal(body, "initial_margin") or _ZERO),
        margin_available=codec.dec(optional_decimal(body, "buying_power") or _ZERO),
        unrealized_pnl=codec.dec(unrealized_pnl),
        currency=str(body.get("currency") or "USD"),
    )


def quote_from_broker(symbol: str, quote: Mapping[str, Any], last: Decimal | None = None) -> Quote:
    """A latest quote (`bp`/`bs`/`ap`/`as`/`t`, JSON numbers parsed as Decimal); `last` defaults to mid."""
    bid = decimal_field(quote, "bp")
    ask = decimal_field(quote, "ap")
    mid = (bid + ask) / 2 if bid and ask else bid or ask
    return Quote(
        symbol=symbol,
        provider=_VENUE,
        bid=codec.dec(bid),
        bid_size=_dec(quote, "bs"),
        ask=codec.dec(ask),
        ask_size=_dec(quote, "as"),
        last=codec.dec(last if last is not None else mid),
        timestamp=timestamp(_str(quote, "t")),
    )


#: Our timeframes → Alpaca's `timeframe` parameter.
TIMEFRAMES: Final[Mapping[Timeframe, str]] = {
    Timeframe.M1: "1Min",
    Timeframe.M2: "2Min",
    Timeframe.M5: "5Min",
    Timeframe.M10: "10Min",
    Timeframe.M15: "15Min",
    Timeframe.M30: "30Min",
    Timeframe.H1: "1Hour",
    Timeframe.H2: "2Hour",
    Timeframe.H4: "4Hour",
    Timeframe.H12: "12Hour",
    Timeframe.D1: "1Day",
    Timeframe.W1: "1Week",
}


def bar_from_broker(symbol: str, timeframe: Timeframe, bar: Mapping[str, Any]) -> Bar:
    """One Alpaca bar (`t` is the bar's start)."""
    return Bar(
        symbol=symbol,
        provider=_VENUE,
        timeframe=timeframe,
        timestamp=timestamp(_str(bar, "t")),
        open=codec.dec(decimal_field(bar, "o")),
        high=codec.dec(decimal_field(bar, "h")),
        low=codec.dec(decimal_field(bar, "l")),
        close=codec.dec(decimal_field(bar, "c")),
        volume=codec.dec(decimal_field(bar, "v")),
    )
