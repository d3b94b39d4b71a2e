"""The app factory: a Litestar application serving one Venue over REST + WebSocket."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig

from tradewire.gateway import metrics
from tradewire.gateway.auth import auth_middleware
from tradewire.gateway.errors import EXCEPTION_HANDLERS
from tradewire.gateway.ratelimit import RateLimiter
from tradewire.gateway.rest import ROUTES
from tradewire.gateway.rest.allow import options_routes
from tradewire.gateway.runtime import Gateway
from tradewire.gateway.settings import GatewaySettings, load_settings
from tradewire.gateway.stream.route import stream
from tradewire.gateway.throttle import rate_limit_middleware
from tradewire.protocol.venue import Venue

log = logging.getLogger("tradewire.gateway")


def create_app(venue: Venue, settings: GatewaySettings | None = None) -> Litestar:
    """Build the Litestar app serving `venue`.

    The app's lifespan connects the venue and starts the stream hub; `app.state.gateway` is the
    Gateway (the server runner calls its `begin_shutdown` on SIGTERM before connections close).
    """
    settings = settings or load_settings()
    gateway = Gateway(venue, settings)
    if settings.api_key is None:
        log.warning("NO API KEY CONFIGURED: every route is open; bind to loopback only")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.begin_shutdown()
            await gateway.stop()

    middleware: list[object] = [metrics.timing_middleware]
    if settings.api_key is not None:
        key = settings.api_key.get_secret_value().encode()
        middleware.append(auth_middleware(key, settings.public_docs, settings.public_metrics))
    limit = settings.rate_limit(venue.platform)
    if limit is not None:  # after the key check: only valid keys get a bucket
        middleware.append(rate_limit_middleware(RateLimiter(*limit), keyed=settings.api_key is not None))
    cors = CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None
    app = Litestar(
        route_handlers=[*options_routes(ROUTES), *ROUTES, stream],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=middleware,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=None,  # ours is built from the wire table: tradewire.gateway.openapi
        cors_config=cors,
        request_max_body_size=settings.max_body_bytes,
        debug=False,
        logging_config=None,  # stdlib logging, configured by tradewire.gateway.logs
    )
    app.state.gateway = gateway
    return app
