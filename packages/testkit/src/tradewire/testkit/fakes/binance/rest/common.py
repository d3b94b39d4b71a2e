"""What every REST answer shares: parameters, key and signature checks, weight, faults, error bodies."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from aiohttp import web

from tradewire.testkit.fakes.binance import errors, signing
from tradewire.testkit.fakes.binance.wire import Json, dumps

if TYPE_CHECKING:
    from tradewire.testkit.fakes.binance.server import FakeBinance

FAKE: web.AppKey[FakeBinance] = web.AppKey("fake", object)  # type: ignore[arg-type]
PARAMS: web.RequestKey[dict[str, str]] = web.RequestKey("params", dict)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Endpoints that place orders: weight 0 when accepted (1 when refused), and the order-count headers.
ORDER_PATHS = frozenset({
    "/api/v3/order", "/api/v3/order/cancelReplace", "/api/v3/orderList/oco", "/api/v3/orderList/oto",
    "/api/v3/orderList/otoco", "/api/v3/order/oco",
})  # fmt: skip
_WEIGHTS = {
    ("GET", "/api/v3/exchangeInfo"): 20, ("GET", "/api/v3/account"): 20, ("GET", "/api/v3/order"): 4,
    ("GET", "/api/v3/allOrders"): 20, ("GET", "/api/v3/openOrderLists"): 6, ("GET", "/api/v3/klines"): 2,
    ("GET", "/api/v3/ticker/bookTicker"): 2, ("GET", "/api/v3/orderList"): 4,
    ("PUT", "/api/v3/order/amend/keepPriority"): 4,
}  # fmt: skip


def weight(method: str, path: str, params: dict[str, str]) -> int:
    if path == "/api/v3/openOrders" and method == "GET":
        return 6 if "symbol" in params else 80
    if path == "/api/v3/myTrades":
        return 5 if "orderId" in params else 20
    return _WEIGHTS.get((method, path), 1)


def params_of(request: web.Request) -> dict[str, str]:
    """The request's parameters, read by the middleware."""
    params: dict[str, str] = request[PARAMS]
    return params


def json_response(body: Json, status: int = 200) -> web.Response:
    return web.Response(text=dumps(body), status=status, content_type="application/json")


def error_response(error: errors.BinanceError) -> web.Response:
    response = json_response(error.body(), error.status)
    response.headers.update(error.headers)
    return response


async def read_params(request: web.Request) -> dict[str, str]:
    """Query string and form body; a name sent twice is -1101, the query wins over the body."""
    body = (await request.read()).decode("utf-8", "replace")
    merged: dict[str, str] = {}
    for source in (body, request.rel_url.raw_query_string):
        seen: set[str] = set()
        for name, value in parse_qsl(source, keep_blank_values=True):
            if name in seen:
                raise errors.duplicate_parameter(name)
            seen.add(name)
            merged[name] = value
    return merged


async def signed(request: web.Request) -> str:
    """Check a SIGNED call (binance.md §2): the key, then the signature over the bytes as sent, then
    the timestamp window. Returns the key name."""
    fake = request.app[FAKE]
    name = request.headers.get("X-MBX-APIKEY")
    if not name:
        raise errors.bad_key_format()
    key = fake.keys.get(name)
    if key is None:
        raise errors.rejected_key()
    params = request[PARAMS]
    if not params.get("timestamp"):
        raise errors.mandatory("timestamp")
    body = (await request.read()).decode("utf-8", "replace")
    payload, signature = signing.rest_payload(request.rel_url.raw_query_string, body)
    if not signature:
        raise errors.mandatory("signature")
    signing.check_window(params["timestamp"], params.get("recvWindow"), fake.clock.now_ms())
    if not key.verify(payload, signature):
        raise errors.bad_signature()
    return name


def api_key(request: web.Request) -> None:
    """An endpoint that needs only the key header (none of them here are unsigned with a key)."""
    fake = request.app[FAKE]
    name = request.headers.get("X-MBX-APIKEY")
    if not name:
        raise errors.bad_key_format()
    if name not in fake.keys:
        raise errors.rejected_key()


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Weight and bans, the faults armed for this route, then the handler; Binance's error bodies."""
    fake = request.app[FAKE]
    path = request.path
    if not path.startswith("/api/") and not path.startswith("/sapi/"):
        return await handler(request)
    orders = path in ORDER_PATHS and request.method in ("POST", "PUT")
    limiter = fake.limiter
    spent = 0
    try:
        request[PARAMS] = await read_params(request)
        limiter.gate()
        spent = weight(request.method, path, request[PARAMS])
        limiter.spend(spent)
        faults = fake.faults.take(request.method, path)
        for fault in faults:
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
        for fault in faults:
            if fault.kind == "rate_limit":
                raise limiter.limited(fault.seconds)
        if orders:
            limiter.new_order()
        response = await handler(request)
        if orders and response.status == 200:
            limiter.refund(spent)  # order endpoints cost nothing when the order was accepted
        for fault in faults:
            if fault.kind == "server_error":
                raise errors.internal(fault.status)
            if fault.kind == "timeout":
                raise errors.timeout()
            if fault.kind == "drop_connection" and request.transport is not None:
                request.transport.abort()
                raise asyncio.CancelledError
    except errors.BinanceError as error:
        response = error_response(error)
    except web.HTTPNotFound:
        response = error_response(errors.unknown_path())
    except web.HTTPMethodNotAllowed:
        response = error_response(errors.unknown_path())
    response.headers.update(limiter.headers(orders))
    return response
