"""`/_fake/...`: the controls of a standalone fake over HTTP (loopback, unsigned), for other processes.

`POST /_fake/fault` `{"kind": "rate_limit", "retry_after": 2}` arms one (kinds: delay, rate_limit,
server_error, timeout, drop_connection, drop_user_stream; optional method, path, times, seconds,
status, when); `POST /_fake/clear`, `/_fake/step` `{"symbol"?}`, `/_fake/price` `{"symbol","price"}`,
`/_fake/path` `{"symbol","prices":[...]}`, `/_fake/skew` `{"ms"}`, `/_fake/shutdown` `{"close_after"?}`,
`/_fake/drop_sockets`, `/_fake/deposit` `{"asset","amount"}`, `/_fake/book` `{"symbol","bids":[[p,q]],
"asks":[[p,q]]}`, `/_fake/liquidity` `{"symbol","qty"}`, `/_fake/status` `{"symbol","status"}`,
`/_fake/fill` `{"symbol","orderId","qty"?,"price"?}`.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from tradewire.testkit.fakes.binance.rest.common import FAKE


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    body = json.loads(raw) if raw else {}
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object")
    return body


async def fault(request: web.Request) -> web.Response:
    faults, b = request.app[FAKE].faults, await _body(request)
    kind, times = b.get("kind"), int(b.get("times", 1))
    method, path = b.get("method"), b.get("path")
    if kind == "delay":
        faults.delay(float(b.get("seconds", 1)), method, path, times)
    elif kind == "rate_limit":
        faults.rate_limit(float(b.get("retry_after", 2)), method, path, times)
    elif kind == "server_error":
        faults.server_error_after(method or "POST", path or "/api/v3/order", int(b.get("status", 500)), times)
    elif kind == "timeout":
        faults.timeout_after(method or "POST", path or "/api/v3/order", times)
    elif kind == "drop_connection":
        faults.drop_connection_after(method or "POST", path or "/api/v3/order", times)
    elif kind == "drop_user_stream":
        faults.drop_user_stream(b.get("when", "after_fill"), times)
    else:
        raise web.HTTPBadRequest(text=f"unknown fault kind {kind!r}")
    return web.json_response({})


async def clear(request: web.Request) -> web.Response:
    request.app[FAKE].faults.clear()
    return web.json_response({})


async def step(request: web.Request) -> web.Response:
    request.app[FAKE].step((await _body(request)).get("symbol"))
    return web.json_response({})


async def price(request: web.Request) -> web.Response:
    b = await _body(request)
    request.app[FAKE].set_price(b["symbol"], str(b["price"]))
    return web.json_response({})


async def path(request: web.Request) -> web.Response:
    b = await _body(request)
    request.app[FAKE].set_path(b["symbol"], [str(p) for p in b["prices"]])
    return web.json_response({})


async def skew(request: web.Request) -> web.Response:
    request.app[FAKE].skew_clock(int((await _body(request))["ms"]))
    return web.json_response({})


async def shutdown(request: web.Request) -> web.Response:
    close_after = (await _body(request)).get("close_after")
    request.app[FAKE].server_shutdown(None if close_after is None else float(close_after))
    return web.json_response({})


async def drop_sockets(request: web.Request) -> web.Response:
    request.app[FAKE].drop_sockets()
    return web.json_response({})


async def book(request: web.Request) -> web.Response:
    b = await _body(request)
    request.app[FAKE].set_book(b["symbol"], [tuple(x) for x in b["bids"]], [tuple(x) for x in b["asks"]])
    return web.json_response({})


async def liquidity(request: web.Request) -> web.Response:
    b = await _body(request)
    qty = b.get("qty")
    request.app[FAKE].set_liquidity(b["symbol"], None if qty is None else str(qty))
    return web.json_response({})


async def status(request: web.Request) -> web.Response:
    b = await _body(request)
    request.app[FAKE].set_symbol_status(b["symbol"], b["status"])
    return web.json_response({})


async def fill(request: web.Request) -> web.Response:
    b = await _body(request)
    qty, price = b.get("qty"), b.get("price")
    request.app[FAKE].fill(
        b["symbol"],
        int(b["orderId"]),
        None if qty is None else str(qty),
        None if price is None else str(price),
    )
    return web.json_response({})


async def deposit(request: web.Request) -> web.Response:
    b = await _body(request)
    request.app[FAKE].deposit(b["asset"], str(b["amount"]))
    return web.json_response({})


def routes() -> list[web.RouteDef]:
    handlers = {"fault": fault, "clear": clear, "step": step, "price": price, "path": path, "skew": skew,
                "shutdown": shutdown, "drop_sockets": drop_sockets, "deposit": deposit, "book": book,
                "liquidity": liquidity, "status": status, "fill": fill}  # fmt: skip
    return [web.post(f"/_fake/{name}", h) for name, h in handlers.items()]
