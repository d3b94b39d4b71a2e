"""Protocol ↔ Binance Spot shapes exactly per mapping.md: symbols, order types, TIFs, statuses, events.

Pure functions, no I/O. Binance sends decimals as strings (parsed with `_live.jsondecimal`), every
decimal sent is `decimal_text`. Anything Binance lacks is refused with UNSUPPORTED_OPERATION before a
request leaves (`check_supported`), never substituted. Symbols: Binance's own spelling (`BTCUSDT`) is
the venue spelling every answer carries; `BTC/USDT` is accepted on input (`venue_symbol`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal
from typing import Any, Final

from tradewire.brokers._live.jsondecimal import decimal_field, decimal_text, optional_decimal
from tradewire.brokers.binance.filters import OrderFigures, SymbolRules
from tradewire.protocol import order_rules
from tradewire.protocol.errors import OrderNotModifiable, UnsupportedOperation
from tradewire.protocol.messages import (
    Bar,
    ModifyOrderRequest,
    Order,
    OrderEventType,
    OrderStatus,
    OrderType,
    PositionEventType,
    Quote,
    Side,
    SubmitOrderRequest,
    Timeframe,
    TimeInForce,
    Trade,
    TrailingType,
)

__all__ = [
    "INTERVALS",
    "STATUSES",
    "TERMINAL",
    "bar_from_kline",
    "check_modifiable",
    "check_supported",
    "figures",
    "millis",
    "on_tick",
    "order_event_type",
    "order_from_broker",
    "order_from_report",
    "order_id",
    "order_params",
    "order_version",
    "parse_order_id",
    "position_event_type",
    "quote_from_book",
    "same_order",
    "trade_from_my_trade",
    "trade_from_report",
    "trailing_delta",
    "unsupported",
    "venue_symbol",
    "version_from_text",
    "version_is_final",
    "version_text",
]

log = logging.getLogger(__name__)

_VENUE: Final = "binance"
_ZERO: Final = Decimal(0)


# -- symbols and ids ------------------------------------------------------------------------------
def venue_symbol(symbol: str) -> str:
    """`BTC/USDT`, `btcusdt` or `BTCUSDT` → `BTCUSDT` (the venue spelling)."""
    return symbol.replace("/", "").replace("-", "").strip().upper()


def order_id(symbol: str, broker_id: int | str) -> str:
    """Our order id: Binance's ids are per-symbol integers, so the id carries its symbol (`BTCUSDT-28`)."""
    return f"{symbol}-{broker_id}"


def parse_order_id(value: str) -> tuple[str, int] | None:
    """(`BTCUSDT`, 28) from `BTCUSDT-28`; None when `value` is not one of our ids."""
    symbol, sep, number = value.rpartition("-")
    if not sep or not symbol.isalnum() or not number.isdigit():
        return None
    return symbol.upper(), int(number)


def millis(value: object) -> dt.datetime | None:
    """A Binance millisecond time as a UTC datetime (None when absent or 0)."""
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    return dt.datetime.fromtimestamp(value / 1000, dt.UTC)


# -- orders out -----------------------------------------------------------------------------------
_SIDES: Final = {Side.BUY: "BUY", Side.SELL: "SELL"}
_SIDES_BACK: Final = {v: k for k, v in _SIDES.items()}
_TIFS: Final = {TimeInForce.GTC: "GTC", TimeInForce.IOC: "IOC", TimeInForce.FOK: "FOK"}
_TIFS_BACK: Final = {v: k for k, v in _TIFS.items()}


def unsupported(feature: str, field: str) -> UnsupportedOperation:
    return UnsupportedOperation(
        f"Unsupported operation: {feature} is not supported on {_VENUE}",
        {"platform": _VENUE, "field": field, "reject_code": "UNSUPPORTED_ORDER_TYPE"},
    )


def _tif(request: SubmitOrderRequest) -> TimeInForce:
    return TimeInForce.GTC if request.time_in_force is None else TimeInForce(request.time_in_force)


def check_supported(request: SubmitOrderRequest, rules: SymbolRules) -> None:
    """Refuse what Binance Spot lacks (mapping.md §1-3, §9) before anything is sent.

    Raises:
        UnsupportedOperation: naming the platform and the offending field.
    """
    if request.hidden:
        raise unsupported("hidden", "hidden")
    for name in ("leverage", "margin_mode"):
        if getattr(request, name) is not None:
            raise unsupported(name, name)
    order_type = OrderType(request.order_type)
    tif = _tif(request)
    if tif == TimeInForce.DAY:
        raise unsupported("time_in_force DAY (Binance has none)", "time_in_force")
    if order_type == OrderType.MARKET and tif == TimeInForce.FOK:
        raise unsupported("a MARKET order with time_in_force FOK", "time_in_force")
    if order_type == OrderType.TRAILING_STOP:
        if request.trailing_type != TrailingType.PERCENT:
            raise unsupported("an ABSOLUTE trailing stop (Binance trails in percent only)", "trailing_type")
        if not rules.trailing_allowed:
            raise unsupported(f"trailing stops on {rules.symbol}", "order_type")
    if request.post_only and order_type != OrderType.LIMIT:
        raise unsupported("post_only on a non-LIMIT order", "post_only")
    if request.post_only and tif != TimeInForce.GTC:
        raise unsupported("post_only with an IOC/FOK time_in_force", "time_in_force")
    if request.display_quantity is not None:
        if order_type not in (OrderType.LIMIT, OrderType.STOP_LIMIT) or tif != TimeInForce.GTC:
            raise unsupported("display_quantity except on GTC LIMIT / STOP_LIMIT orders", "display_quantity")
        if not rules.iceberg_allowed:
            raise unsupported(f"iceberg orders on {rules.symbol}", "display_quantity")
    if request.oco_group_id is not None and (
        request.stop_loss is not None or request.take_profit is not None
    ):
        raise unsupported("an OCO group member with its own stop_loss / take_profit", "oco_group_id")
    if request.notional is not None and not rules.quote_market_allowed:
        raise unsupported(f"orders sized by notional on {rules.symbol}", "notional")


def managed_route(request: SubmitOrderRequest, rules: SymbolRules) -> str | None:
    """How a checked request goes out: "oco" (a member of a client's OCO group, gateway-managed),
    "bracket" (exits the gateway manages: an entry other than a plain LIMIT, or a symbol without
    order lists), or None (Binance takes it as it is; a LIMIT entry with exits as OTO / OTOCO)."""
    if request.oco_group_id is not None:
        return "oco"
    if request.stop_loss is None and request.take_profit is None:
        return None
    native = OrderType(request.order_type) == OrderType.LIMIT and not request.post_only and rules.oto_allowed
    return None if native else "bracket"


def managed_modify_refused(order_id: str) -> UnsupportedOperation:
    """A gateway-managed exit keeps its id only while it is not replaced: cancel it and submit anew."""
    return unsupported("modifying a gateway-managed order (cancel it and submit a new one)", "order_id")


def trailing_delta(percent: Decimal) -> int:
    """A percent trail as Binance's basis points, widened to a whole bp (a wider trail never fires sooner)."""
    return int((percent * 100).to_integral_value(rounding=ROUND_CEILING))


def _type(request: SubmitOrderRequest) -> str:
    order_type = OrderType(request.order_type)
    if order_type == OrderType.LIMIT:
        return "LIMIT_MAKER" if request.post_only else "LIMIT"
    return {
        OrderType.MARKET: "MARKET",
        OrderType.STOP: "STOP_LOSS",
        OrderType.STOP_LIMIT: "STOP_LOSS_LIMIT",
        OrderType.TRAILING_STOP: "STOP_LOSS",
    }[order_type]


#: Types that take a timeInForce (binance.md §5.1: absent for the others, -1106 otherwise).
_WITH_TIF: Final = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})


def order_params(request: SubmitOrderRequest, client_order_id: str, symbol: str) -> list[tuple[str, str]]:
    """The `POST /api/v3/order` parameters for a checked, normalized single order (binance.md §5.1)."""
    kind = _type(request)
    params = [
        ("symbol", symbol),
        ("side", _SIDES[Side(request.side)]),
        ("type", kind),
    ]
    if kind in _WITH_TIF:
        params.append(("timeInForce", _TIFS[_tif(request)]))
    if request.notional is not None:
        # A MARKET order sized by quote amount (binance.md §5.1), already on the quote precision.
        params.append(("quoteOrderQty", decimal_text(Decimal(request.notional))))
    else:
        params.append(("quantity", decimal_text(Decimal(order_rules.quantity_of(request, _VENUE)))))
    if request.limit_price is not None:
        params.append(("price", decimal_text(Decimal(request.limit_price))))
    if request.stop_price is not None and OrderType(request.order_type) != OrderType.TRAILING_STOP:
        params.append(("stopPrice", decimal_text(Decimal(request.stop_price))))
    if request.trailing_distance is not None:
        params.append(("trailingDelta", str(trailing_delta(Decimal(request.trailing_distance)))))
    if request.display_quantity is not None:
        params.append(("icebergQty", decimal_text(Decimal(request.display_quantity))))
    params += [("newClientOrderId", client_order_id), ("newOrderRespType", "FULL")]
    return params


def list_params(
    request: SubmitOrderRequest, client_order_id: str, symbol: str, leg_ids: tuple[str, str]
) -> tuple[str, list[tuple[str, str]]]:
    """A LIMIT entry with exits as `orderList/oto` (one exit) or `orderList/otoco` (both): the path and
    its parameters. The entry's client order id is `client_order_id`; the exits' are `leg_ids`."""
    entry_side = Side(request.side)
    exit_side = _SIDES[Side.SELL if entry_side == Side.BUY else Side.BUY]
    quantity = decimal_text(Decimal(order_rules.quantity_of(request, _VENUE)))
    params = [
        ("symbol", symbol),
        ("listClientOrderId", f"{client_order_id}-l"[:36]),
        ("workingType", "LIMIT"),
        ("workingSide", _SIDES[entry_side]),
        ("workingClientOrderId", client_order_id),
        ("workingPrice", decimal_text(Decimal(str(request.limit_price)))),
        ("workingQuantity", quantity),
        ("workingTimeInForce", _TIFS[_tif(request)]),
        ("pendingSide", exit_side),
        ("pendingQuantity", quantity),
        ("newOrderRespType", "FULL"),
    ]
    take = None if request.take_profit is None else decimal_text(Decimal(request.take_profit))
    stop = None if request.stop_loss is None else decimal_text(Decimal(request.stop_loss))
    if take is not None and stop is not None:
        # A long's take-profit is above the market and its stop below; a short's the reverse.
        above, below = ("take", "stop") if entry_side == Side.BUY else ("stop", "take")
        legs = {
            "take": [("Type", "LIMIT_MAKER"), ("Price", take)],
            "stop": [("Type", "STOP_LOSS"), ("StopPrice", stop)],
        }
        ids = {"take": leg_ids[0], "stop": leg_ids[1]}
        for where, which in (("Above", above), ("Below", below)):
            params += [(f"pending{where}{k}", v) for k, v in legs[which]]
            params.append((f"pending{where}ClientOrderId", ids[which]))
        return "/api/v3/orderList/otoco", params
    if take is not None:
        params += [
            ("pendingType", "LIMIT_MAKER"),
            ("pendingPrice", take),
            ("pendingClientOrderId", leg_ids[0]),
        ]
    else:
        params += [
            ("pendingType", "STOP_LOSS"),
            ("pendingStopPrice", str(stop)),
            ("pendingClientOrderId", leg_ids[1]),
        ]
    return "/api/v3/orderList/oto", params


def oco_fits(exit_side: Side, limit: Decimal, stop: Decimal, last: Decimal | None) -> bool:
    """Whether a take-profit at `limit` and a stop at `stop` fit `orderList/oco` now (binance.md §5.2):
    a SELL needs limit > last > stop, a BUY the reverse (else Binance refuses the whole list)."""
    if last is None:
        return False
    if exit_side == Side.SELL:
        return limit > last > stop
    return limit < last < stop


def oco_params(
    symbol: str,
    exit_side: Side,
    quantity: Decimal,
    take: tuple[str, Decimal],
    stop: tuple[str, Decimal, Decimal | None],
) -> tuple[str, list[tuple[str, str]]]:
    """Two exits as one `orderList/oco`: `take` = (client order id, limit price) rests as LIMIT_MAKER,
    `stop` = (client order id, stop price, limit price or None) as STOP_LOSS / STOP_LOSS_LIMIT. A SELL's
    take-profit is the leg above the market, a BUY's the leg below."""
    take_id, take_price = take
    stop_id, stop_price, stop_limit = stop
    legs = {
        "take": [("Type", "LIMIT_MAKER"), ("Price", decimal_text(take_price)), ("ClientOrderId", take_id)],
        "stop": [("Type", "STOP_LOSS" if stop_limit is None else "STOP_LOSS_LIMIT"),
                 ("StopPrice", decimal_text(stop_price)), ("ClientOrderId", stop_id)],
    }  # fmt: skip
    if stop_limit is not None:
        legs["stop"] += [("Price", decimal_text(stop_limit)), ("TimeInForce", "GTC")]
    above, below = ("take", "stop") if exit_side == Side.SELL else ("stop", "take")
    params = [
        ("symbol", symbol),
        ("listClientOrderId", f"{take_id}-l"[:36]),
        ("side", _SIDES[exit_side]),
        ("quantity", decimal_text(quantity)),
    ]
    params += [(f"above{k}", v) for k, v in legs[above]]
    params += [(f"below{k}", v) for k, v in legs[below]]
    params.append(("newOrderRespType", "FULL"))
    return "/api/v3/orderList/oco", params


def same_order(params: Mapping[str, str], body: Mapping[str, Any]) -> bool:
    """Whether Binance's order `body` is the one `params` (from `order_params`) asks for: a repeated
    client order id is idempotent only for the same request (mapping.md §7)."""
    if params["symbol"] != body.get("symbol") or params["side"] != body.get("side"):
        return False
    if params["type"] != body.get("type"):
        return False
    if ("quoteOrderQty" in params) != ((optional_decimal(body, "origQuoteOrderQty") or _ZERO) > 0):
        return False  # one sized by notional, the other by quantity
    for sent_key, body_key in (
        ("quantity", "origQty"),
        ("quoteOrderQty", "origQuoteOrderQty"),
        ("price", "price"),
        ("stopPrice", "stopPrice"),
    ):
        sent = params.get(sent_key)
        if sent is not None and Decimal(sent) != optional_decimal(body, body_key):
            return False
    return True


def figures(request: SubmitOrderRequest, reference: Decimal | None) -> OrderFigures:
    """What the symbol's filters check of a normalized request."""
    order_type = OrderType(request.order_type)
    delta = None
    if request.trailing_distance is not None and order_type == OrderType.TRAILING_STOP:
        delta = trailing_delta(Decimal(request.trailing_distance))
    return OrderFigures(
        side=_SIDES[Side(request.side)],
        market=order_type in (OrderType.MARKET, OrderType.STOP, OrderType.TRAILING_STOP),
        quantity=_ZERO if request.notional is not None else Decimal(order_rules.quantity_of(request, _VENUE)),
        price=None if request.limit_price is None else Decimal(request.limit_price),
        stop_price=None if request.stop_price is None else Decimal(request.stop_price),
        iceberg=None if request.display_quantity is None else Decimal(request.display_quantity),
        trailing_delta=delta,
        reference=reference,
        notional=None if request.notional is None else Decimal(request.notional),
    )


#: The price fields each order type has; a modify of another is one the order cannot take (409).
_PRICES_OF: Final[Mapping[OrderType, frozenset[str]]] = {
    OrderType.MARKET: frozenset(),
    OrderType.LIMIT: frozenset({"limit_price"}),
    OrderType.STOP: frozenset({"stop_price"}),
    OrderType.STOP_LIMIT: frozenset({"limit_price", "stop_price"}),
    OrderType.TRAILING_STOP: frozenset({"trailing_distance"}),
}


def check_modifiable(request: ModifyOrderRequest, order: Order) -> None:
    """A modify may change only the prices the order's type has (rest.md: 409 otherwise, nothing changed).

    Raises:
        OrderNotModifiable: naming the order and the field.
    """
    has = _PRICES_OF.get(OrderType(order.order_type), frozenset())
    for name in ("limit_price", "stop_price", "trailing_distance"):
        if getattr(request, name) is not None and name not in has:
            raise OrderNotModifiable(
                f"Order not modifiable: {order.id} is a {OrderType(order.order_type).name} order, it has no "
                f"{name}",
                {"order_id": order.id},
            )


# -- orders in ------------------------------------------------------------------------------------
#: mapping.md §5.
STATUSES: Final[Mapping[str, OrderStatus]] = {
    "PENDING_NEW": OrderStatus.PENDING,
    "NEW": OrderStatus.OPEN,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "PENDING_CANCEL": OrderStatus.PENDING_CANCEL,
    "CANCELED": OrderStatus.CANCELLED,
    "REJECTED": OrderStatus.REJECTED,
    "EXPIRED": OrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": OrderStatus.EXPIRED,
}
TERMINAL: Final = frozenset({"FILLED", "CANCELED", "REJECTED", "EXPIRED", "EXPIRED_IN_MATCH"})
_RANK: Final = {"PENDING_NEW": 0, "NEW": 1, "PARTIALLY_FILLED": 2, "PENDING_CANCEL": 3}
#: Every finished status ranks here: no state follows it.
_FINAL_RANK: Final = 9
_TYPES_BACK: Final = {
    "MARKET": OrderType.MARKET,
    "LIMIT": OrderType.LIMIT,
    "LIMIT_MAKER": OrderType.LIMIT,
    "STOP_LOSS": OrderType.STOP,
    "STOP_LOSS_LIMIT": OrderType.STOP_LIMIT,
    # Take-profits are exits of order lists: a limit that triggers, reported as its closest type.
    "TAKE_PROFIT": OrderType.STOP,
    "TAKE_PROFIT_LIMIT": OrderType.STOP_LIMIT,
}


def order_status(status: str, quantity: Decimal, filled: Decimal) -> OrderStatus:
    """Binance's status → ours; an unknown one is logged and mapped by quantities, never a crash."""
    mapped = STATUSES.get(status)
    if mapped is None:
        log.warning("unknown Binance order status %r: mapped by its quantities", status)
        if quantity > 0 and filled >= quantity:
            return OrderStatus.FILLED
        return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.OPEN
    return mapped


def _price(body: Mapping[str, Any], key: str) -> str | None:
    # Unset prices are zero strings (binance.md §5.1).
    value = optional_decimal(body, key)
    return None if value is None or value == 0 else decimal_text(value)


def _notional(body: Mapping[str, Any], key: str) -> Decimal | None:
    # An order sized by quantity has a zero quote amount (binance.md §5.1 `origQuoteOrderQty`).
    value = optional_decimal(body, key)
    return None if value is None or value <= 0 else value


def _order(
    *,
    symbol: str,
    broker_id: int,
    client_id: str,
    side: str,
    kind: str,
    tif: str,
    quantity: Decimal,
    filled: Decimal,
    quote_filled: Decimal,
    price: str | None,
    stop: str | None,
    iceberg: str | None,
    delta: object,
    status: str,
    created: dt.datetime | None,
    updated: dt.datetime | None,
    parent_id: str | None,
    notional: Decimal | None = None,
) -> Order:
    order_type = _TYPES_BACK.get(kind, OrderType.UNSPECIFIED)
    if notional is not None and quantity <= 0:
        # Sized by notional and the venue named no quantity yet: what has filled (rest.md).
        quantity = filled
    trailing = isinstance(delta, int) and not isinstance(delta, bool) and delta > 0
    if trailing and kind == "STOP_LOSS":
        order_type = OrderType.TRAILING_STOP
    return Order(
        id=order_id(symbol, broker_id),
        client_order_id=client_id or None,
        symbol=symbol,
        side=_SIDES_BACK.get(side, Side.UNSPECIFIED),
        order_type=order_type,
        quantity=decimal_text(quantity),
        filled_quantity=decimal_text(filled),
        remaining_quantity=decimal_text(max(quantity - filled, _ZERO)),
        limit_price=price if kind not in ("MARKET", "STOP_LOSS", "TAKE_PROFIT") else None,
        stop_price=stop,
        trailing_distance=decimal_text(Decimal(int(str(delta))) / 100) if trailing else None,
        trailing_type=TrailingType.PERCENT if trailing else None,
        average_fill_price=decimal_text(quote_filled / filled) if filled > 0 else None,
        status=order_status(status, quantity, filled),
        post_only=True if kind == "LIMIT_MAKER" else None,
        display_quantity=iceberg,
        parent_order_id=parent_id,
        time_in_force=_TIFS_BACK.get(tif, TimeInForce.GTC),
        created_at=created,
        updated_at=updated,
        notional=None if notional is None else decimal_text(notional),
    )


def order_from_broker(body: Mapping[str, Any], parent_id: str | None = None) -> Order:
    """A REST order (`GET /api/v3/order`, `openOrders`, a submit's FULL answer) as the protocol's Order."""
    return _order(
        symbol=str(body["symbol"]),
        broker_id=int(body["orderId"]),
        client_id=str(body.get("clientOrderId") or ""),
        side=str(body.get("side") or ""),
        kind=str(body.get("type") or ""),
        tif=str(body.get("timeInForce") or ""),
        quantity=decimal_field(body, "origQty"),
        filled=optional_decimal(body, "executedQty") or _ZERO,
        quote_filled=optional_decimal(body, "cummulativeQuoteQty") or _ZERO,
        price=_price(body, "price"),
        stop=_price(body, "stopPrice"),
        iceberg=_price(body, "icebergQty"),
        delta=body.get("trailingDelta"),
        status=str(body.get("status") or ""),
        created=millis(body.get("time") or body.get("transactTime")),
        updated=millis(body.get("updateTime") or body.get("transactTime") or body.get("workingTime")),
        parent_id=parent_id,
        notional=_notional(body, "origQuoteOrderQty"),
    )


def order_from_report(event: Mapping[str, Any], parent_id: str | None = None) -> Order:
    """An `executionReport` as the order it describes now."""
    return _order(
        symbol=str(event["s"]),
        broker_id=int(event["i"]),
        # On a cancel, `c` is the cancel request's id and `C` the order's own.
        client_id=str(event.get("C") or event.get("c") or ""),
        side=str(event.get("S") or ""),
        kind=str(event.get("o") or ""),
        tif=str(event.get("f") or ""),
        quantity=decimal_field(event, "q"),
        filled=optional_decimal(event, "z") or _ZERO,
        quote_filled=optional_decimal(event, "Z") or _ZERO,
        price=_price(event, "p"),
        stop=_price(event, "P"),
        iceberg=_price(event, "F"),
        delta=event.get("d"),
        status=str(event.get("X") or ""),
        created=millis(event.get("O")),
        updated=millis(event.get("T") or event.get("E")),
        parent_id=parent_id,
        notional=_notional(event, "Q"),
    )


def order_version(filled: Decimal, status: str, quantity: Decimal) -> tuple[int | Decimal, ...]:
    """One order's state version for `_live.resync`: (cumulative qty, status rank, −quantity).

    Built from the state alone, never from a time, so a report, a REST read and a submit's answer of
    the same state compare equal (one is emitted); an amend only ever lowers the quantity.
    """
    return (filled, _RANK.get(status, _FINAL_RANK), -quantity)


def version_text(version: tuple[int | Decimal, ...]) -> str:
    """A version as the store keeps it."""
    return "|".join(str(part) for part in version)


def version_from_text(text: str) -> tuple[int | Decimal, ...]:
    """`version_text` read back."""
    filled, rank, quantity = text.split("|")
    return (Decimal(filled), int(rank), Decimal(quantity))


def version_is_final(version: tuple[int | Decimal, ...]) -> bool:
    """Whether the version is of a finished order (nothing more will change)."""
    return version[1] == _FINAL_RANK


#: mapping.md §6: executionReport `x` → our order event (TRADE decided by `X`).
_EVENTS: Final[Mapping[str, OrderEventType]] = {
    "NEW": OrderEventType.ORDER_CREATED,
    "CANCELED": OrderEventType.ORDER_CANCELLED,
    "REPLACED": OrderEventType.ORDER_MODIFIED,
    "REJECTED": OrderEventType.ORDER_REJECTED,
    "EXPIRED": OrderEventType.ORDER_EXPIRED,
    "TRADE_PREVENTION": OrderEventType.ORDER_EXPIRED,
}
#: The execution type a status found by a REST resync stands for.
_EXEC_OF_STATUS: Final = {
    "NEW": "NEW",
    "PENDING_NEW": "NEW",
    "PARTIALLY_FILLED": "TRADE",
    "FILLED": "TRADE",
    "CANCELED": "CANCELED",
    "REJECTED": "REJECTED",
    "EXPIRED": "EXPIRED",
    "EXPIRED_IN_MATCH": "EXPIRED",
}


def exec_of_status(status: str) -> str:
    """The execution type a resynced order's status stands for (`FILLED` → `TRADE`)."""
    return _EXEC_OF_STATUS.get(status, "NEW")


def order_event_type(execution: str, status: str, *, created_before: bool) -> OrderEventType | None:
    """Our order event for one execution report (`x`, `X`); None when there is none to send."""
    if execution == "TRADE":
        return OrderEventType.ORDER_FILLED if status == "FILLED" else OrderEventType.ORDER_PARTIALLY_FILLED
    if execution == "NEW" and created_before:
        return OrderEventType.ORDER_MODIFIED if status == "NEW" else None
    mapped = _EVENTS.get(execution)
    if mapped is None:
        log.warning("unknown Binance execution type %r: reported as ORDER_MODIFIED", execution)
        return OrderEventType.ORDER_MODIFIED
    return mapped


def trade_from_report(event: Mapping[str, Any]) -> Trade:
    """TRADE_FILLED's trade from a TRADE execution report (mapping.md §6 "Fill data")."""
    symbol = str(event["s"])
    commission = optional_decimal(event, "n") or _ZERO
    return Trade(
        id=f"{symbol}-t{event['t']}",
        order_id=order_id(symbol, int(event["i"])),
        symbol=symbol,
        side=_SIDES_BACK.get(str(event.get("S")), Side.UNSPECIFIED),
        quantity=decimal_text(decimal_field(event, "l")),
        price=decimal_text(decimal_field(event, "L")),
        commission=decimal_text(commission),
        commission_currency=str(event.get("N") or ""),
        is_maker=bool(event.get("m")),
        timestamp=millis(event.get("T")),
    )


def trade_from_my_trade(body: Mapping[str, Any]) -> Trade:
    """One `GET /api/v3/myTrades` row as a Trade (same id as its execution report's)."""
    symbol = str(body["symbol"])
    return Trade(
        id=f"{symbol}-t{body['id']}",
        order_id=order_id(symbol, int(body["orderId"])),
        symbol=symbol,
        side=Side.BUY if body.get("isBuyer") else Side.SELL,
        quantity=decimal_text(decimal_field(body, "qty")),
        price=decimal_text(decimal_field(body, "price")),
        commission=decimal_text(optional_decimal(body, "commission") or _ZERO),
        commission_currency=str(body.get("commissionAsset") or ""),
        is_maker=bool(body.get("isMaker")),
        timestamp=millis(body.get("time")),
    )


def position_event_type(before: Decimal, after: Decimal) -> list[PositionEventType]:
    """Long-only holdings: 0 → >0 OPENED, changed MODIFIED, → 0 CLOSED."""
    if before == after:
        return []
    if before == 0:
        return [PositionEventType.POSITION_OPENED]
    if after == 0:
        return [PositionEventType.POSITION_CLOSED]
    return [PositionEventType.POSITION_MODIFIED]


# -- market data ----------------------------------------------------------------------------------
#: Our timeframes → kline intervals (binance.md §4; Binance has no 10-minute interval).
INTERVALS: Final[Mapping[Timeframe, str]] = {
    Timeframe.M1: "1m",
    Timeframe.M5: "5m",
    Timeframe.M15: "15m",
    Timeframe.M30: "30m",
    Timeframe.H1: "1h",
    Timeframe.H2: "2h",
    Timeframe.H4: "4h",
    Timeframe.H12: "12h",
    Timeframe.D1: "1d",
    Timeframe.W1: "1w",
}
_TIMEFRAMES_BACK: Final = {v: k for k, v in INTERVALS.items()}


def timeframe_of(interval: str) -> Timeframe:
    """The timeframe of a kline interval (UNSPECIFIED for one we have none for)."""
    return _TIMEFRAMES_BACK.get(interval, Timeframe.UNSPECIFIED)


def _text_decimal(value: object, key: str) -> str:
    return decimal_text(decimal_field({key: value}, key))


def bar_from_kline(symbol: str, timeframe: Timeframe, row: list[Any]) -> Bar:
    """One REST kline `[openTime, "o","h","l","c","v", closeTime, ...]` (the bar's start is `openTime`)."""
    return Bar(
        symbol=symbol,
        provider=_VENUE,
        timeframe=timeframe,
        timestamp=millis(row[0]),
        open=_text_decimal(row[1], "open"),
        high=_text_decimal(row[2], "high"),
        low=_text_decimal(row[3], "low"),
        close=_text_decimal(row[4], "close"),
        volume=_text_decimal(row[5], "volume"),
    )


def bar_from_stream(kline: Mapping[str, Any]) -> Bar:
    """A kline stream's `k` object as a Bar."""
    return bar_from_kline(
        str(kline["s"]),
        timeframe_of(str(kline.get("i") or "")),
        [kline["t"], kline["o"], kline["h"], kline["l"], kline["c"], kline["v"]],
    )


def on_tick(value: Decimal, tick: Decimal | None) -> str:
    """A price as text on the symbol's tick scale (`61182.2` with a 0.01 tick → `61182.20`), so a reader
    sees the grid; a value off the grid (a mid) keeps its own digits."""
    if tick is not None:
        scaled = value.quantize(tick.normalize()) if value == value.quantize(tick.normalize()) else None
        if scaled is not None:
            return format(scaled, "f")
    return decimal_text(value)


def quote_from_book(
    symbol: str,
    book: Mapping[str, Any],
    last: Decimal | None = None,
    at: dt.datetime | None = None,
    tick: Decimal | None = None,
) -> Quote:
    """A bookTicker (REST `bidPrice`/`askPrice`… or stream `b`/`B`/`a`/`A`) as a Quote; `last` defaults to
    mid; prices on the scale of `tick` (PRICE_FILTER's) when given."""
    stream = "b" in book
    bid = decimal_field(book, "b" if stream else "bidPrice")
    ask = decimal_field(book, "a" if stream else "askPrice")
    # An empty side is a zero: it takes the other side's price, so a quote is never crossed.
    bid, ask = bid or ask, ask or bid
    mid = (bid + ask) / 2
    return Quote(
        symbol=symbol,
        provider=_VENUE,
        bid=on_tick(bid, tick),
        bid_size=decimal_text(decimal_field(book, "B" if stream else "bidQty")),
        ask=on_tick(ask, tick),
        ask_size=decimal_text(decimal_field(book, "A" if stream else "askQty")),
        last=on_tick(last if last is not None else mid, tick),
        timestamp=at or dt.datetime.now(dt.UTC),
    )
