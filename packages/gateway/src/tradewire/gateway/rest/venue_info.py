"""Venue facts: capabilities, connection status, circuit breakers (rest.md)."""

from __future__ import annotations

from litestar import Response, get, post

from tradewire.gateway.http import AnyRequest, gateway, ok
from tradewire.protocol import routes


@get(routes.CAPABILITIES)
async def capabilities(request: AnyRequest) -> Response[bytes]:
    """What the connected venue supports."""
    return ok(await gateway(request).venue.capabilities())


@get(routes.STATUS)
async def status(request: AnyRequest) -> Response[bytes]:
    """Venue connection state."""
    return ok(await gateway(request).venue.status())


@get(routes.CIRCUIT_BREAKERS)
async def circuit_breakers(request: AnyRequest) -> Response[bytes]:
    """Breaker states."""
    return ok(await gateway(request).venue.circuit_breakers())


@post(routes.CIRCUIT_BREAKERS_RESET, status_code=200)
async def reset_circuit_breakers(request: AnyRequest) -> Response[bytes]:
    """Close both breakers (the request takes no body)."""
    return ok(await gateway(request).venue.reset_circuit_breakers())


ROUTES = [capabilities, status, circuit_breakers, reset_circuit_breakers]
