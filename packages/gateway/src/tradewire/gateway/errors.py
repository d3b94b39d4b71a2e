"""Every failure becomes the protocol's error body: typed errors through the table, the rest as 500."""

from __future__ import annotations

import logging
import math

from litestar import Response
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException

from tradewire.gateway import metrics
from tradewire.gateway.http import AnyRequest
from tradewire.protocol import codec, routes
from tradewire.protocol.errors import InternalError, InvalidRequest, RateLimited, TradewireError
from tradewire.protocol.messages import ErrorBody, ErrorCode

log = logging.getLogger("tradewire.gateway.errors")

JSON = "application/json"


def body_bytes(code: ErrorCode, message: str, details: object = None) -> bytes:
    """Encoded error body (through the protocol codec, the one JSON path)."""
    body = ErrorBody(
        code=code, message=message, details=None if details is None else codec.json_to_value(details)
    )
    return codec.encode(body)


def error_response(
    exc: TradewireError, status: int | None = None, headers: dict[str, str] | None = None
) -> Response[bytes]:
    """The HTTP response for a typed protocol error (status from the error table unless given)."""
    extra = dict(headers or {})
    if isinstance(exc, RateLimited) and exc.retry_after is not None:
        extra["Retry-After"] = str(max(0, math.ceil(exc.retry_after)))
    return Response(
        codec.encode(exc.to_body()), status_code=status or exc.status, media_type=JSON, headers=extra
    )


def handle_tradewire(_: AnyRequest, exc: Exception) -> Response[bytes]:
    """Litestar handler for TradewireError raised by handlers and venues."""
    assert isinstance(exc, TradewireError)
    if exc.status >= 500:
        metrics.VENUE_ERRORS.labels(code=exc.code.name).inc()
    return error_response(exc)


def handle_not_found(request: AnyRequest, _: Exception) -> Response[bytes]:
    """Unknown path: 404 with code INVALID_REQUEST (the spec's routing exception to the table)."""
    return error_response(InvalidRequest(f"No route for {request.method} {request.url.path}"), status=404)


def handle_method(request: AnyRequest, exc: Exception) -> Response[bytes]:
    """Known path, wrong method: 405 with an Allow header (426 for plain HTTP to the WebSocket)."""
    if request.url.path == routes.WS:
        return error_response(
            InvalidRequest(f"{routes.WS} needs a WebSocket upgrade"),
            status=426,
            headers={"Upgrade": "websocket"},
        )
    allow = ""
    if isinstance(exc, HTTPException) and exc.headers:
        allow = exc.headers.get("allow") or exc.headers.get("Allow") or ""
    # OPTIONS is Litestar's own; clients of this API never use it.
    methods = [m.strip() for m in allow.split(",") if m.strip() and m.strip() != "OPTIONS"]
    return error_response(
        InvalidRequest(f"No route for {request.method} {request.url.path}"),
        status=405,
        headers={"Allow": ", ".join(methods)},
    )


def handle_http(request: AnyRequest, exc: Exception) -> Response[bytes]:
    """Litestar's own client errors (413 body too large, 400 malformed) in the protocol's body."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status == 413:
        return error_response(InvalidRequest("Request body too large"), status=413)
    if 400 <= status < 500:
        return error_response(InvalidRequest(f"Invalid request: {exc.detail}"), status=400)
    return handle_unexpected(request, exc)


def handle_unexpected(request: AnyRequest, exc: Exception) -> Response[bytes]:
    """Anything else is a gateway bug: log it, answer 500 without internals."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    metrics.VENUE_ERRORS.labels(code="INTERNAL_ERROR").inc()
    return error_response(InternalError("Internal error"))


EXCEPTION_HANDLERS = {
    TradewireError: handle_tradewire,
    NotFoundException: handle_not_found,
    MethodNotAllowedException: handle_method,
    HTTPException: handle_http,
    Exception: handle_unexpected,
}
