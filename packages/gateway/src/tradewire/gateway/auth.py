"""API-key authentication (spec README "Authentication"): Bearer first, then X-API-Key, constant time."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tradewire.gateway.errors import body_bytes
from tradewire.protocol.messages import ErrorCode

MISSING = "MISSING_API_KEY"
INVALID = "INVALID_API_KEY"

_MESSAGES = {MISSING: "Unauthorized: API key required", INVALID: "Unauthorized: Invalid API key"}
_BODIES = {kind: body_bytes(ErrorCode.UNAUTHORIZED, text, {"code": kind}) for kind, text in _MESSAGES.items()}
#: RFC 9110: a 401 names the scheme it wants (RFC 6750's Bearer; X-API-Key is accepted too).
CHALLENGE = (b"www-authenticate", b'Bearer realm="tradewire"')


def presented_key(headers: list[tuple[bytes, bytes]] | Any) -> bytes | None:
    """The key a request carries: `Authorization: Bearer <key>` if usable, else `X-API-Key`."""
    bearer = api_key = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"authorization":
            bearer = value
        elif lowered == b"x-api-key":
            api_key = value
    # The scheme word is exactly "Bearer" plus one space; anything else falls through to X-API-Key.
    if bearer is not None and bearer.startswith(b"Bearer "):
        key = bearer[7:].strip()
        if key:
            return key
    if api_key is not None:
        key = api_key.strip()
        if key:
            return key
    return None


def check(headers: Any, expected: bytes) -> str | None:
    """None when the request carries `expected`, else MISSING_API_KEY or INVALID_API_KEY."""
    key = presented_key(headers)
    if key is None:
        return MISSING
    return None if hmac.compare_digest(key, expected) else INVALID


def auth_middleware(
    expected: bytes, public_docs: bool = False, public_metrics: bool = False
) -> Callable[[ASGIApp], ASGIApp]:
    """Litestar middleware factory: refuse requests without the key, except handlers marked public
    (the probes), /metrics when `public_metrics` is set and, when `public_docs` is set, the Swagger UI
    shell. Refusals are 401 with a `WWW-Authenticate: Bearer` challenge.

    It runs after routing (Litestar middleware wraps the matched handler), so unknown paths still
    answer 404 and the WebSocket upgrade is refused with a plain HTTP 401 before it is accepted.
    """

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            handler = scope.get("route_handler")
            if handler is not None and (
                handler.opt.get("public")
                or (public_docs and handler.opt.get("docs"))
                or (public_metrics and handler.opt.get("metrics"))
            ):
                await app(scope, receive, send)
                return
            failure = check(scope["headers"], expected)
            if failure is None:
                await app(scope, receive, send)
                return
            body = _BODIES[failure]
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                CHALLENGE,
            ]
            if scope["type"] == ScopeType.WEBSOCKET:
                # ASGI WebSocket denial response: a plain HTTP 401, no WebSocket opened.
                await send(
                    cast(
                        Message, {"type": "websocket.http.response.start", "status": 401, "headers": headers}
                    )
                )
                await send(cast(Message, {"type": "websocket.http.response.body", "body": body}))
                return
            await send(cast(Message, {"type": "http.response.start", "status": 401, "headers": headers}))
            await send(cast(Message, {"type": "http.response.body", "body": body}))

        return middleware

    return factory
