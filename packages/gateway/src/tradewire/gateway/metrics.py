"""Prometheus metrics of the gateway (names are Tradewire's own, not part of the wire contract)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.enums import ScopeType
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_LATENCY = Histogram(
    "tradewire_http_request_duration_seconds",
    "REST request latency by route template, method and status.",
    ["method", "route", "status"],
    buckets=(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
    registry=REGISTRY,
)
WS_CLIENTS = Gauge("tradewire_ws_clients", "Connected WebSocket clients.", registry=REGISTRY)
EVENTS_SENT = Counter("tradewire_ws_events_sent_total", "Stream messages sent to clients.", registry=REGISTRY)
ACKS = Counter("tradewire_ws_acks_total", "event_ack messages received.", registry=REGISTRY)
EVENTS_RELEASED = Counter(
    "tradewire_ws_events_released_total", "Backtest event ids released.", registry=REGISTRY
)
QUEUE_DEPTH = Gauge("tradewire_ws_queue_depth", "Messages waiting in client send queues.", registry=REGISTRY)
SLOW_CLIENTS = Counter(
    "tradewire_ws_slow_client_disconnects_total", "Clients closed 1008.", registry=REGISTRY
)
VENUE_ERRORS = Counter(
    "tradewire_venue_errors_total", "Venue and gateway failures by code.", ["code"], registry=REGISTRY
)


def render() -> bytes:
    """The registry in Prometheus text exposition format."""
    return generate_latest(REGISTRY)


def timing_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: observe REST latency by route template (after routing, so templates are known)."""
    import time

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, recording_send)
        finally:
            REQUEST_LATENCY.labels(scope["method"], scope.get("path_template", "?"), str(status)).observe(
                time.perf_counter() - start
            )

    return middleware
