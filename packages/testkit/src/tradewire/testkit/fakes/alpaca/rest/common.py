"""What every REST answer shares: JSON text, Alpaca's auth check, rate-limit headers, injected faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from tradewire.testkit.fakes.alpaca import errors
from tradewire.testkit.fakes.alpaca.wire import Json, dumps

if TYPE_CHECKING:
    from tradewire.testkit.fakes.alpaca.server import FakeAlpaca

FAKE: web.AppKey[FakeAlpaca] = web.AppKey("fake", object)  # type: ignore[arg-type]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(body: Json, status: int = 200) -> web.Response:
    return web.Response(text=dumps(body), status=status, content_type="application/json")


def error_response(error: errors.AlpacaError) -> web.Response:
    return json_response(error.body(), error.status)


def check_auth(request: web.Request, optional: bool = False) -> str:
    """The key id, or Alpaca's answer: no key headers -> 403 `forbidden.`, wrong keys -> 401."""
    fake = request.app[FAKE]
    key, secret = request.headers.get("APCA-API-KEY-ID"), request.headers.get("APCA-API-SECRET-KEY")
    if key is None and secret is None:
        if optional:
            return ""
        raise errors.AlpacaError(403, None, "forbidden.")
    if key != fake.config.key_id or secret != fake.config.secret_key:
        raise errors.AlpacaError(401, errors.UNAUTHORIZED, "request is not authorized")
    return key


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Auth, the rate window, then the faults armed for this route, around the real handler."""
    fake = request.app[FAKE]
    api, path = fake.split_path(request.path)
    if api is None or api.endswith("stream"):
        return await handler(request)
    limit_headers: dict[str, str] = {}
    try:
        # Crypto market data answers without keys, as Alpaca's does.
        key = check_auth(request, optional=api == "data" and path.startswith("/v1beta3/crypto"))
        allowed, limit_headers = fake.limiter.hit(key)
        faults = fake.faults.take(request.method, path)
        await request.read()  # the whole request arrived; a client that gives up meanwhile changes nothing
        for fault in faults:
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
        for fault in faults:
            if fault.kind == "rate_limit":
                reset = int(time.time() + fault.seconds + 0.999)
                limit_headers = fake.limiter.headers(0, reset)
                raise errors.rate_limited()
        if not allowed:
            raise errors.rate_limited()
        for fault in faults:
            if fault.kind == "refuse":
                raise errors.AlpacaError(fault.status, errors.code_for(fault.status), fault.message)
        response = await handler(request)
        for fault in faults:
            if fault.kind == "server_error":
                raise errors.internal()
            if fault.kind == "duplicate":
                raise errors.duplicate_client_order_id()
            if fault.kind == "drop_connection" and request.transport is not None:
                request.transport.abort()
                raise asyncio.CancelledError
    except errors.AlpacaError as error:
        response = error_response(error)
    except web.HTTPNotFound:
        response = json_response({"code": errors.NOT_FOUND, "message": "endpoint not found"}, 404)
    except web.HTTPMethodNotAllowed:
        response = json_response({"code": errors.MALFORMED, "message": "method not allowed"}, 405)
    response.headers.update(limit_headers)
    return response
