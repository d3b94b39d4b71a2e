"""SIGNED REST routes: orders, cancels, cancel-replace, amend, order lists, account, trades."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from tradewire.testkit.fakes.binance import errors, orders, render
from tradewire.testkit.fakes.binance.exchange import Exchange
from tradewire.testkit.fakes.binance.rest.common import FAKE, json_response, params_of, signed
from tradewire.testkit.fakes.binance.state import Order, OrderList
from tradewire.testkit.fakes.binance.wire import Json, d8, decimal_param, int_param


def _exchange(request: web.Request) -> Exchange:
    return request.app[FAKE].exchange


def _symbol(params: Mapping[str, str]) -> str:
    if not params.get("symbol"):
        raise errors.mandatory("symbol")
    return params["symbol"].upper()


def _find(exchange: Exchange, params: Mapping[str, str], id_name: str, client_name: str) -> Order:
    symbol = _symbol(params)
    order_id, client_id = int_param(params, id_name), params.get(client_name) or None
    if order_id is None and client_id is None:
        raise errors.either_id(id_name, client_name)
    return exchange.find(symbol, order_id, client_id)


async def new_order(request: web.Request) -> web.Response:
    await signed(request)
    exchange, now = _exchange(request), request.app[FAKE].clock.now_ms()
    new = orders.parse(params_of(request))
    placed = exchange.place(new.order)
    return json_response(render.order_response(placed.order, now, new.resp_type, placed.fills))


async def test_order(request: web.Request) -> web.Response:
    await signed(request)
    exchange = _exchange(request)
    exchange.validate(orders.parse(params_of(request)).order)
    return json_response({})


async def query_order(request: web.Request) -> web.Response:
    await signed(request)
    return json_response(
        render.order_query(_find(_exchange(request), params_of(request), "orderId", "origClientOrderId"))
    )


async def cancel_order(request: web.Request) -> web.Response:
    await signed(request)
    exchange, params = _exchange(request), params_of(request)
    try:
        order = _find(exchange, params, "orderId", "origClientOrderId")
    except errors.BinanceError as error:
        raise errors.cancel_rejected() if error.code == errors.NO_SUCH_ORDER else error from None
    canceled = exchange.cancel(order, params.get("newClientOrderId") or None)
    return json_response(_cancel_body(order, canceled, request))


def _cancel_body(order: Order, canceled: list[Order], request: web.Request) -> dict[str, Json]:
    now = request.app[FAKE].clock.now_ms()
    body = render.order_canceled(order, order.client_id, now)
    body["clientOrderId"] = params_of(request).get("newClientOrderId") or orders.new_client_id()
    return body


async def cancel_all(request: web.Request) -> web.Response:
    await signed(request)
    exchange, params = _exchange(request), params_of(request)
    symbol = _symbol(params)
    exchange.market(symbol)
    open_orders = exchange.open_orders(symbol)
    if not open_orders:
        raise errors.cancel_rejected()
    now = request.app[FAKE].clock.now_ms()
    out: list[Json] = []
    for order in open_orders:
        if order.terminal:
            continue  # canceled with its list just before
        if order.list_id >= 0:
            lst = exchange.lists[order.list_id]
            exchange.cancel(order)
            out.append(_list_body(exchange, lst, now, canceled=True))
            continue
        exchange.cancel(order)
        out.append(render.order_canceled(order, order.client_id, now))
    return json_response(out)


async def open_orders(request: web.Request) -> web.Response:
    await signed(request)
    params = params_of(request)
    symbol = params.get("symbol", "").upper() or None
    if symbol is not None:
        _exchange(request).market(symbol)
    rows = sorted(_exchange(request).open_orders(symbol), key=lambda o: (o.symbol, o.order_id))
    return json_response([render.order_query(o) for o in rows])


async def all_orders(request: web.Request) -> web.Response:
    await signed(request)
    params = params_of(request)
    symbol = _symbol(params)
    exchange = _exchange(request)
    exchange.market(symbol)
    from_id, start, end = (
        int_param(params, "orderId"),
        int_param(params, "startTime"),
        int_param(params, "endTime"),
    )
    limit = min(int_param(params, "limit") or 500, 1000)
    rows = [
        o
        for (s, i), o in sorted(exchange.orders.items())
        if s == symbol
        and (from_id is None or i >= from_id)
        and (start is None or o.time >= start)
        and (end is None or o.time <= end)
    ]
    return json_response([render.order_query(o) for o in rows[:limit]])


async def cancel_replace(request: web.Request) -> web.Response:
    await signed(request)
    exchange, params = _exchange(request), params_of(request)
    now = request.app[FAKE].clock.now_ms()
    mode = params.get("cancelReplaceMode")
    if mode not in ("STOP_ON_FAILURE", "ALLOW_FAILURE"):
        raise errors.mandatory("cancelReplaceMode")
    new = orders.parse(params)
    cancel_body: Json = None
    cancel_error: errors.BinanceError | None = None
    try:
        old = _find(exchange, params, "cancelOrderId", "cancelOrigClientOrderId")
        if old.terminal:
            raise errors.cancel_rejected()
        exchange.cancel(old, params.get("cancelNewClientOrderId") or None)
        cancel_body = render.order_canceled(old, old.client_id, now)
    except errors.BinanceError as error:
        cancel_error = error if error.code != errors.NO_SUCH_ORDER else errors.cancel_rejected()
        cancel_body = cancel_error.body()
    new_body: Json = None
    new_error: errors.BinanceError | None = None
    if cancel_error is None or mode == "ALLOW_FAILURE":
        try:
            placed = exchange.place(new.order)
            new_body = render.order_response(placed.order, now, new.resp_type, placed.fills)
        except errors.BinanceError as error:
            new_error = error
            new_body = error.body()
    data = {
        "cancelResult": "FAILURE" if cancel_error else "SUCCESS",
        "newOrderResult": "NOT_ATTEMPTED" if new_body is None else "FAILURE" if new_error else "SUCCESS",
        "cancelResponse": cancel_body,
        "newOrderResponse": new_body,
    }
    if cancel_error is None and new_error is None and new_body is not None:
        return json_response(data)
    if (cancel_error is None) != (new_error is None and new_body is not None):
        failure = errors.cancel_replace_partial()
    else:
        failure = errors.cancel_replace_failed()
    failure.data = data
    raise failure


async def amend(request: web.Request) -> web.Response:
    await signed(request)
    exchange, params = _exchange(request), params_of(request)
    order = _find(exchange, params, "orderId", "origClientOrderId")
    new_qty = decimal_param(params, "newQty", required=True)
    assert new_qty is not None
    orig_client_id = order.client_id
    exchange.amend(order, new_qty, params.get("newClientOrderId") or orders.new_client_id())
    body: dict[str, Json] = {
        "transactTime": order.update_time,
        "executionId": exchange.next_execution_id - 1,
        "amendedOrder": render.amended_order(order, orig_client_id),
    }
    if order.list_id >= 0:
        lst = exchange.lists[order.list_id]
        legs = [exchange.orders[(lst.symbol, i)] for i in lst.order_ids]
        listed = render.order_list(lst, legs, order.update_time)
        body["listStatus"] = {
            k: v for k, v in listed.items() if k not in ("listStatusType", "transactionTime")
        }
    return json_response(body)


# --- order lists ------------------------------------------------------------------------------


def _list_body(exchange: Exchange, lst: OrderList, now: int, canceled: bool = False) -> dict[str, Json]:
    """A list with its `orderReports`: new-order shapes, or on a cancel the canceled-order shapes
    (which carry `origClientOrderId` and no `workingTime` / `selfTradePreventionMode`)."""
    legs = [exchange.orders[(lst.symbol, i)] for i in lst.order_ids]
    body = render.order_list(lst, legs, now)
    if canceled:
        reports = [render.order_canceled(o, o.client_id, now) for o in legs]
        body["orderReports"] = [
            {k: v for k, v in r.items() if k != "selfTradePreventionMode"} for r in reports
        ]
    else:
        body["orderReports"] = [render.order_result(o, now) for o in legs]
    return body


def _leg(params: dict[str, str], prefix: str, shared_side: bool, shared_qty: bool) -> Order:
    return orders.parse(params, orders.leg_names(prefix, shared_side, shared_qty)).order


async def _new_list(request: web.Request, shape: str) -> web.Response:
    await signed(request)
    exchange, params = _exchange(request), dict(params_of(request))
    if shape == "OCO":
        legs = [_leg(params, "above", True, True), _leg(params, "below", True, True)]
    else:
        legs = [_leg(params, "working", False, False)]
        if legs[0].type not in ("LIMIT", "LIMIT_MAKER"):
            raise errors.invalid_order_type()
        if shape == "OTO":
            legs.append(_leg(params, "pending", False, False))
        else:
            shared = dict(
                params, side=params.get("pendingSide", ""), quantity=params.get("pendingQuantity", "")
            )
            legs += [_leg(shared, "pendingAbove", True, True), _leg(shared, "pendingBelow", True, True)]
    oco = legs if shape == "OCO" else legs[1:] if shape == "OTOCO" else []
    if oco and any(leg.type in ("LIMIT", "MARKET") for leg in oco):
        raise errors.invalid_order_type()
    client_id = params.get("listClientOrderId") or orders.new_client_id()
    lst = exchange.place_list("OCO" if shape == "OCO" else "OTO", client_id, legs, shape)
    return json_response(_list_body(exchange, lst, request.app[FAKE].clock.now_ms()))


async def new_oco(request: web.Request) -> web.Response:
    return await _new_list(request, "OCO")


async def new_oto(request: web.Request) -> web.Response:
    return await _new_list(request, "OTO")


async def new_otoco(request: web.Request) -> web.Response:
    return await _new_list(request, "OTOCO")


def _find_list(exchange: Exchange, params: dict[str, str]) -> OrderList:
    list_id, client_id = int_param(params, "orderListId"), params.get("listClientOrderId")
    for lst in exchange.lists.values():
        if (list_id is not None and lst.list_id == list_id) or (
            list_id is None and lst.client_id == client_id
        ):
            return lst
    raise errors.no_such_order()


async def cancel_list(request: web.Request) -> web.Response:
    await signed(request)
    exchange, params = _exchange(request), params_of(request)
    _symbol(params)
    try:
        lst = _find_list(exchange, params)
    except errors.BinanceError:
        raise errors.cancel_rejected() from None
    live = [o for i in lst.order_ids if not (o := exchange.orders[(lst.symbol, i)]).terminal]
    if not live:
        raise errors.cancel_rejected()
    exchange.cancel(live[0])
    return json_response(_list_body(exchange, lst, request.app[FAKE].clock.now_ms(), canceled=True))


async def query_list(request: web.Request) -> web.Response:
    await signed(request)
    exchange = _exchange(request)
    lst = _find_list(exchange, params_of(request))
    legs = [exchange.orders[(lst.symbol, i)] for i in lst.order_ids]
    return json_response(render.order_list(lst, legs, lst.time))


async def open_lists(request: web.Request) -> web.Response:
    await signed(request)
    exchange = _exchange(request)
    rows = []
    for lst in exchange.lists.values():
        if lst.order_status == "EXECUTING":
            legs = [exchange.orders[(lst.symbol, i)] for i in lst.order_ids]
            rows.append(render.order_list(lst, legs, lst.time))
    return json_response(rows)


# --- account ----------------------------------------------------------------------------------


async def account(request: web.Request) -> web.Response:
    await signed(request)
    fake = request.app[FAKE]
    exchange, config = fake.exchange, fake.config
    omit = params_of(request).get("omitZeroBalances", "false").lower() == "true"
    balances = [
        {"asset": a, "free": d8(b.free), "locked": d8(b.locked)}
        for a, b in sorted(exchange.balances.items())
        if not omit or b.free or b.locked
    ]
    maker, taker = config.maker_commission, config.taker_commission
    return json_response(
        {
            "makerCommission": int(maker * 10000),
            "takerCommission": int(taker * 10000),
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": d8(maker),
                "taker": d8(taker),
                "buyer": d8(maker * 0),
                "seller": d8(maker * 0),
            },
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": fake.clock.now_ms(),
            "accountType": "SPOT",
            "balances": balances,
            "permissions": ["SPOT"],
            "uid": 354937868,
        }
    )


async def my_trades(request: web.Request) -> web.Response:
    await signed(request)
    exchange, params = _exchange(request), params_of(request)
    symbol = _symbol(params)
    exchange.market(symbol)
    order_id, from_id = int_param(params, "orderId"), int_param(params, "fromId")
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    if from_id is not None and (start is not None or end is not None):
        raise errors.bad_combination()
    if start is not None and end is not None and end - start > 86_400_000:
        raise errors.more_than_24_hours()
    limit = int_param(params, "limit") or 500
    if not 0 < limit <= 1000:
        raise errors.invalid_value("limit")
    rows = [
        f
        for f in exchange.fills
        if f.symbol == symbol
        and (order_id is None or f.order_id == order_id)
        and (from_id is None or f.id >= from_id)
        and (start is None or f.time >= start)
        and (end is None or f.time <= end)
    ]
    rows = rows[:limit] if from_id is not None or start is not None else rows[-limit:]
    return json_response([render.trade(f) for f in rows])


def routes() -> list[web.RouteDef]:
    return [
        web.post("/api/v3/order", new_order),
        web.post("/api/v3/order/test", test_order),
        web.get("/api/v3/order", query_order),
        web.delete("/api/v3/order", cancel_order),
        web.delete("/api/v3/openOrders", cancel_all),
        web.get("/api/v3/openOrders", open_orders),
        web.get("/api/v3/allOrders", all_orders),
        web.post("/api/v3/order/cancelReplace", cancel_replace),
        web.put("/api/v3/order/amend/keepPriority", amend),
        web.post("/api/v3/orderList/oco", new_oco),
        web.post("/api/v3/orderList/oto", new_oto),
        web.post("/api/v3/orderList/otoco", new_otoco),
        web.delete("/api/v3/orderList", cancel_list),
        web.get("/api/v3/orderList", query_list),
        web.get("/api/v3/openOrderLists", open_lists),
        web.get("/api/v3/account", account),
        web.get("/api/v3/myTrades", my_trades),
    ]


async def removed_listen_key(request: web.Request) -> web.Response:
    """`/api/v3/userDataStream` was switched off in February 2026: user data is on the WS API only."""
    raise errors.removed_endpoint()


def removed_routes() -> list[web.RouteDef]:
    return [web.route(m, "/api/v3/userDataStream", removed_listen_key) for m in ("POST", "PUT", "DELETE")]
