"""Trading API v2 routes: account, clock, assets, orders, positions, fill activities."""

from __future__ import annotations

from aiohttp import web

from tradewire.testkit.fakes.alpaca import errors, render, submit
from tradewire.testkit.fakes.alpaca.rest.common import FAKE, json_response
from tradewire.testkit.fakes.alpaca.state import Order
from tradewire.testkit.fakes.alpaca.wire import Json, loads, parse_time

_OPEN_FILTER = {"open": True, "closed": False}


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "false").lower() == "true"


def _int(request: web.Request, name: str, default: int, top: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not 0 < int(raw) <= top:
        raise errors.invalid(f"invalid {name}: {raw}")
    return int(raw)


def _time(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        return parse_time(raw)
    except ValueError:
        raise errors.invalid(f"invalid {name}: {raw}") from None


def _micros(ns: int) -> int:
    """Trading objects show microseconds: filters compare at that precision."""
    return ns - ns % 1000


async def _body(request: web.Request) -> Json:
    try:
        return loads(await request.read())
    except ValueError:
        raise errors.malformed("request body format is invalid") from None


async def account(request: web.Request) -> web.Response:
    return json_response(request.app[FAKE].broker.account_json())


async def clock(request: web.Request) -> web.Response:
    return json_response(request.app[FAKE].broker.clock.json())


async def assets(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    status = request.query.get("status", "active")
    wanted = request.query.get("asset_class")
    rows = [
        render.asset(a)
        for a in broker.assets
        if status == "active" and (wanted is None or a.asset_class == wanted)
    ]
    return json_response(rows)


async def asset(request: web.Request) -> web.Response:
    found = request.app[FAKE].broker.assets.find(request.match_info["key"])
    if found is None:
        raise errors.not_found("asset not found")
    return json_response(render.asset(found))


async def submit_order(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    order = broker.submit(submit.parse(await _body(request), broker.assets))
    return json_response(broker.order_json(order, nested=True))


async def list_orders(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    status = request.query.get("status", "open")
    if status not in ("open", "closed", "all"):
        raise errors.invalid(f"invalid status: {status}")
    limit = _int(request, "limit", 50, 500)
    after, until = _time(request, "after"), _time(request, "until")
    nested, side = _flag(request, "nested"), request.query.get("side")
    symbols = {s for s in request.query.get("symbols", "").split(",") if s}
    wanted = {broker.asset(s).symbol for s in symbols} if symbols else None

    def keep(o: Order) -> bool:
        shown = _micros(o.submitted_ns)  # compare with the time the client saw
        return (
            (status == "all" or _OPEN_FILTER[status] == o.open)
            and (after is None or shown > after)
            and (until is None or shown < until)
            and (wanted is None or o.asset.symbol in wanted)
            and (side is None or o.side == side)
            and not (nested and o.parent_id)
        )

    rows = [o for o in broker.orders.values() if keep(o)]
    rows.sort(key=lambda o: o.submitted_ns, reverse=request.query.get("direction", "desc") == "desc")
    return json_response([broker.order_json(o, nested=nested) for o in rows[:limit]])


async def get_order(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    order = broker.order(request.match_info["order_id"])
    return json_response(broker.order_json(order, nested=_flag(request, "nested")))


async def order_by_client_id(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    cid = request.query.get("client_order_id", "")
    order = broker.by_client_id.get(cid)
    if order is None:
        raise errors.not_found(f"order not found for client_order_id {cid}")
    return json_response(broker.order_json(order, nested=_flag(request, "nested")))


async def replace_order(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    order = broker.replace(request.match_info["order_id"], await _body(request))
    return json_response(broker.order_json(order, nested=True))


async def cancel_order(request: web.Request) -> web.Response:
    request.app[FAKE].broker.cancel(request.match_info["order_id"])
    return web.Response(status=204)


async def cancel_orders(request: web.Request) -> web.Response:
    return json_response(request.app[FAKE].broker.cancel_all(), 207)


async def positions(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    return json_response([broker.position_json(p) for p in broker.positions.values()])


async def position(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    return json_response(broker.position_json(broker.position(request.match_info["key"])))


async def close_position(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    q = request.query
    order = broker.close_position(request.match_info["key"], q.get("qty"), q.get("percentage"))
    return json_response(broker.order_json(order))


async def close_positions(request: web.Request) -> web.Response:
    return json_response(request.app[FAKE].broker.close_all(_flag(request, "cancel_orders")), 207)


async def fill_activities(request: web.Request) -> web.Response:
    broker = request.app[FAKE].broker
    types = request.match_info.get("kind") or request.query.get("activity_types", "FILL")
    if "FILL" not in types.split(","):
        return json_response([])
    after, until = _time(request, "after"), _time(request, "until")
    size = _int(request, "page_size", 100, 100)
    rows = [
        x
        for x in broker.activities
        if (after is None or _micros(x.ns) > after) and (until is None or _micros(x.ns) < until)
    ]
    if request.query.get("direction", "desc") == "desc":
        rows.reverse()
    token = request.query.get("page_token")
    if token:
        ids = [x.id for x in rows]
        rows = rows[ids.index(token) + 1 :] if token in ids else []
    return json_response([render.activity(x) for x in rows[:size]])


def routes(base: str) -> list[web.RouteDef]:
    v2 = base + "/v2"
    return [
        web.get(v2 + "/account", account),
        web.get(v2 + "/clock", clock),
        web.get(v2 + "/assets", assets),
        web.get(v2 + "/assets/{key:.+}", asset),
        web.post(v2 + "/orders", submit_order),
        web.get(v2 + "/orders", list_orders),
        web.delete(v2 + "/orders", cancel_orders),
        web.get(v2 + "/orders:by_client_order_id", order_by_client_id),
        web.get(v2 + "/orders/{order_id}", get_order),
        web.patch(v2 + "/orders/{order_id}", replace_order),
        web.delete(v2 + "/orders/{order_id}", cancel_order),
        web.get(v2 + "/positions", positions),
        web.delete(v2 + "/positions", close_positions),
        web.get(v2 + "/positions/{key:.+}", position),
        web.delete(v2 + "/positions/{key:.+}", close_position),
        web.get(v2 + "/account/activities", fill_activities),
        web.get(v2 + "/account/activities/{kind}", fill_activities),
    ]
