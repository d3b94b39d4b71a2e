"""Per-key request rate limit: 429 RATE_LIMITED with Retry-After once a client's bucket is empty."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from tradewire.gateway.auth import presented_key
from tradewire.gateway.errors import body_bytes
from tradewire.gateway.ratelimit import RateLimiter
from tradewire.protocol.messages import ErrorCode


def limited_response(seconds: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Headers and body of a 429: `Retry-After` and `details.retry_after_seconds` say the same."""
    body = body_bytes(ErrorCode.RATE_LIMITED, "Too many requests", {"retry_after_seconds": seconds})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode()),
    ]
    return headers, body


def rate_limit_middleware(limiter: RateLimiter, keyed: bool) -> Callable[[ASGIApp], ASGIApp]:
    """Litestar middleware factory: one bucket per API key presented (`keyed`; it runs after the key
    check, so only valid keys get one) or per client address (no key configured). The probes are
    never limited; WebSocket frames are not requests and are not counted."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            handler = scope.get("route_handler")
            if scope["type"] != ScopeType.HTTP or (handler is not None and handler.opt.get("public")):
                await app(scope, receive, send)
                return
            if keyed:
                client: object = presented_key(scope["headers"])
            else:
                address = scope.get("client")
                client = address[0] if address else None
            wait = limiter.take(client)
            if not wait:
                await app(scope, receive, send)
                return
            headers, body = limited_response(max(1, math.ceil(wait)))
            await send(cast(Message, {"type": "http.response.start", "status": 429, "headers": headers}))
            await send(cast(Message, {"type": "http.response.body", "body": body}))

        return middleware

    return factory
