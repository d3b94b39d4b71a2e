"""Request builders: one `Call` per REST route of the wire API (the paths come from `protocol.routes`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson

from tradewire.protocol import codec, routes
from tradewire.protocol import messages as m
from tradewire.sdk._http import Call

__all__ = ["DecimalLike", "build_order", "new_client_order_id"]

DecimalLike = Decimal | int | str


def new_client_order_id() -> str:
    """A fresh client order id (UUID4): lets a retried submit be recognised as the same order."""
    return str(uuid.uuid4())


def _dec(value: DecimalLike | None) -> str | None:
    return None if value is None else codec.dec(value)


def _enum(cls: Any, value: Any) -> Any:
    if value is None or isinstance(value, cls):
        return value
    return codec.parse_enum(cls, str(value))


def _ts(value: dt.datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware (UTC)")
    return _rfc3339(value)


def _rfc3339(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC).replace(tzinfo=None)
    spec = (
        "seconds"
        if not value.microsecond
        else ("milliseconds" if value.microsecond % 1000 == 0 else "microseconds")
    )
    return value.isoformat(timespec=spec) + "Z"


def _params(**values: Any) -> list[tuple[str, str | int | float | bool | None]]:
    out: list[tuple[str, str | int | float | bool | None]] = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out.append((key, "true" if value else "false"))
        elif isinstance(value, (list, tuple)):
            if value:
                out.append(
                    (key, ",".join(codec.enum_spelling(v) if not isinstance(v, str) else v for v in value))
                )
        elif isinstance(value, dt.datetime):
            out.append((key, _rfc3339(value)))
        elif isinstance(value, str):
            out.append((key, value))
        elif isinstance(value, int):
            out.append((key, str(value)))
        else:
            out.append((key, codec.enum_spelling(value)))
    return out


def _one(cls: type) -> Any:
    return lambda content: codec.decode(cls, content)


def _many(cls: type) -> Any:
    return lambda content: codec.decode_list(cls, content)


def build_order(
    request: m.SubmitOrderRequest | None = None,
    /,
    *,
    symbol: str | None = None,
    side: m.Side | str | None = None,
    quantity: DecimalLike | None = None,
    order_type: m.OrderType | str = "MARKET",
    time_in_force: m.TimeInForce | str | None = None,
    limit_price: DecimalLike | None = None,
    stop_price: DecimalLike | None = None,
    trailing_distance: DecimalLike | None = None,
    trailing_type: m.TrailingType | str | None = None,
    stop_loss: DecimalLike | None = None,
    take_profit: DecimalLike | None = None,
    client_order_id: str | None = None,
    oco_group_id: str | None = None,
    position_id: str | None = None,
    reduce_only: bool | None = None,
    post_only: bool | None = None,
    hidden: bool | None = None,
    display_quantity: DecimalLike | None = None,
    leverage: DecimalLike | None = None,
    margin_mode: m.MarginMode | str | None = None,
    notional: DecimalLike | None = None,
    new_id: Any = None,
) -> m.SubmitOrderRequest:
    """A SubmitOrderRequest from a message or keywords; always with a client_order_id (UUID4 if absent).

    Decimals are taken as Decimal, int or decimal text, never float. Enum values take their wire
    spelling in either case (`"buy"`, `"BUY"`, `Side.BUY`). `new_id` makes the missing id (default UUID4).
    """
    make_id = new_id or new_client_order_id
    if request is not None:
        if request.client_order_id:
            return request
        copy = codec.from_dict(m.SubmitOrderRequest, codec.to_dict(request))
        copy.client_order_id = make_id()
        return copy
    if symbol is None or side is None or (quantity is None and notional is None):
        raise TypeError("submit_order needs symbol, side and quantity or notional (or a SubmitOrderRequest)")
    return m.SubmitOrderRequest(
        symbol=symbol,
        side=_enum(m.Side, side.upper() if isinstance(side, str) else side),
        quantity=_dec(quantity),
        notional=_dec(notional),
        order_type=_enum(m.OrderType, order_type.upper() if isinstance(order_type, str) else order_type),
        time_in_force=_enum(
            m.TimeInForce, time_in_force.upper() if isinstance(time_in_force, str) else time_in_force
        ),
        limit_price=_dec(limit_price),
        stop_price=_dec(stop_price),
        trailing_distance=_dec(trailing_distance),
        trailing_type=_enum(
            m.TrailingType, trailing_type.upper() if isinstance(trailing_type, str) else trailing_type
        ),
        stop_loss=_dec(stop_loss),
        take_profit=_dec(take_profit),
        client_order_id=client_order_id or make_id(),
        oco_group_id=oco_group_id,
        position_id=position_id,
        reduce_only=reduce_only,
        post_only=post_only,
        hidden=hidden,
        display_quantity=_dec(display_quantity),
        leverage=_dec(leverage),
        margin_mode=_enum(m.MarginMode, margin_mode.upper() if isinstance(margin_mode, str) else margin_mode),
    )


# -- account and orders ---------------------------------------------------------------------------


def get_account() -> Call:
    return Call("GET", routes.ACCOUNT, _one(m.Account))


def submit_order(request: m.SubmitOrderRequest) -> Call:
    # Retried like a read: the request always carries a client_order_id, and the gateway answers a
    # repeated client_order_id with the existing order's handle, so a retry never makes a second order.
    return Call(
        "POST",
        routes.ORDERS,
        _one(m.OrderHandle),
        body=codec.encode(request),
        retryable=bool(request.client_order_id),
    )


def _order_filters(
    symbol: str | None,
    status: Iterable[m.OrderStatus | str] | None,
    side: m.Side | str | None,
    client_order_id: str | None,
    oco_group_id: str | None,
    since: dt.datetime | str | None,
    until: dt.datetime | str | None,
    limit: int | None,
) -> list[tuple[str, str | int | float | bool | None]]:
    statuses = [s if isinstance(s, str) else codec.enum_spelling(s) for s in status] if status else None
    return _params(
        symbol=symbol,
        status=statuses,
        side=side.upper() if isinstance(side, str) else side,
        client_order_id=client_order_id,
        oco_group_id=oco_group_id,
        since=_ts(since),
        until=_ts(until),
        limit=limit,
    )


def list_orders(history: bool, **filters: Any) -> Call:
    path = routes.ORDERS_HISTORY if history else routes.ORDERS
    return Call("GET", path, _many(m.Order), params=_order_filters(**filters))


def get_order(order_id: str) -> Call:
    return Call("GET", routes.path(routes.ORDER, order_id=order_id), _one(m.Order))


def modify_order(order_id: str, **fields: DecimalLike | None) -> Call:
    body = m.ModifyOrderRequest(**{k: _dec(v) for k, v in fields.items()})
    return Call(
        "PATCH",
        routes.path(routes.ORDER, order_id=order_id),
        _one(m.ModifyOrderResult),
        body=codec.encode(body),
        retryable=False,
    )


def cancel_order(order_id: str) -> Call:
    return Call("DELETE", routes.path(routes.ORDER, order_id=order_id), _one(m.CancelOrderResult))


def cancel_all_orders(symbol: str | None) -> Call:
    return Call("DELETE", routes.ORDERS, _one(m.CancelAllResult), params=_params(symbol=symbol))


# -- positions ---------------------------------------------------------------------------------------


def list_positions(symbol: str | None) -> Call:
    return Call("GET", routes.POSITIONS, _many(m.Position), params=_params(symbol=symbol))


def get_position(position_id: str) -> Call:
    return Call("GET", routes.path(routes.POSITION, position_id=position_id), _one(m.Position))


def close_position(
    position_id: str,
    quantity: DecimalLike | None,
    order_type: m.OrderType | str | None,
    limit_price: DecimalLike | None,
    cancel_associated_orders: bool | None = None,
) -> Call:
    request = m.ClosePositionRequest(
        quantity=_dec(quantity),
        order_type=_enum(m.OrderType, order_type.upper() if isinstance(order_type, str) else order_type),
        limit_price=_dec(limit_price),
        cancel_associated_orders=cancel_associated_orders,
    )
    body = codec.encode(request)
    # DELETE is retried: closing an already closed position answers 404, never a second close order.
    return Call(
        "DELETE", routes.path(routes.POSITION, position_id=position_id), _one(m.OrderHandle), body=body
    )


def close_all_positions(symbol: str | None) -> Call:
    return Call("DELETE", routes.POSITIONS, _many(m.OrderHandle), params=_params(symbol=symbol))


def modify_position_exits(
    position_id: str, stop_loss: DecimalLike | None, take_profit: DecimalLike | None
) -> Call:
    body = codec.encode(
        m.ModifyPositionExitsRequest(stop_loss=_dec(stop_loss), take_profit=_dec(take_profit))
    )
    return Call(
        "PATCH",
        routes.path(routes.POSITION, position_id=position_id),
        _one(m.ModifyPositionExitsResult),
        body=body,
        retryable=False,
    )


# -- fills, market data, venue ------------------------------------------------------------------------


def list_trades(**filters: Any) -> Call:
    filters["since"] = _ts(filters.get("since"))
    filters["until"] = _ts(filters.get("until"))
    return Call("GET", routes.TRADES, _many(m.Trade), params=_params(**filters))


def get_quote(symbol: str) -> Call:
    return Call("GET", routes.path(routes.QUOTE, symbol=symbol), _one(m.Quote))


def get_bars(
    symbol: str,
    timeframe: m.Timeframe | str,
    start: dt.datetime | str | None,
    end: dt.datetime | str | None,
    limit: int | None,
) -> Call:
    tf = timeframe if isinstance(timeframe, str) else codec.enum_spelling(timeframe)
    params = _params(timeframe=tf, start=_ts(start), end=_ts(end), limit=limit)
    return Call("GET", routes.path(routes.BARS, symbol=symbol), _many(m.Bar), params=params)


def capabilities() -> Call:
    return Call("GET", routes.CAPABILITIES, _one(m.Capabilities))


def status() -> Call:
    return Call("GET", routes.STATUS, _one(m.ConnectionStatus))


def circuit_breakers() -> Call:
    return Call("GET", routes.CIRCUIT_BREAKERS, _one(m.CircuitBreakerStatusResponse))


def reset_circuit_breakers() -> Call:
    return Call("POST", routes.CIRCUIT_BREAKERS_RESET, _one(m.CircuitBreakerStatusResponse), retryable=False)


def livez() -> Call:
    return Call("GET", routes.LIVEZ, _one(m.HealthStatus))


def readyz() -> Call:
    # 503 with a ReadyStatus body is an answer, not an error: decode both.
    return Call("GET", routes.READYZ, _one(m.ReadyStatus), retryable=False, also_ok=(503,))


def health() -> Call:
    return Call("GET", routes.HEALTH, _one(m.DetailedHealthStatus))


def metrics() -> Call:
    return Call("GET", routes.METRICS, lambda content: content.decode(), json_response=False)


def raw_json(content: bytes) -> Any:
    """Plain JSON (used for the OpenAPI document)."""
    return orjson.loads(content)


def openapi() -> Call:
    return Call("GET", routes.OPENAPI, raw_json)
