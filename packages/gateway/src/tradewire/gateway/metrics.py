"""Prometheus metrics of the gateway (names are Tradewire's own, not part of the wire contract)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from litestar.enums import ScopeType
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily

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


class FastCounter:
    """A counter for the stream's hot path: a plain int (the event loop is single-threaded), no lock.

    prometheus_client's Counter takes a mutex on every `inc`; these are bumped several times per
    backtest step, so they are read only when the registry is collected.
    """

    __slots__ = ("documentation", "name", "value")

    def __init__(self, name: str, documentation: str, registry: CollectorRegistry) -> None:
        self.name = name.removesuffix("_total")
        self.documentation = documentation
        self.value = 0
        registry.register(self)

    def inc(self, amount: int = 1) -> None:
        """Add `amount`."""
        self.value += amount

    def collect(self) -> Iterator[CounterMetricFamily]:
        """The Prometheus collector protocol."""
        yield CounterMetricFamily(self.name, self.documentation, value=self.value)

    def describe(self) -> Iterator[CounterMetricFamily]:
        """Names only (`auto_describe` registries call this to detect clashes)."""
        yield CounterMetricFamily(self.name, self.documentation)


WS_CLIENTS = Gauge("tradewire_ws_clients", "Connected WebSocket clients.", registry=REGISTRY)
EVENTS_SENT = FastCounter("tradewire_ws_events_sent_total", "Stream messages sent to clients.", REGISTRY)
ACKS = FastCounter("tradewire_ws_acks_total", "event_ack messages received.", REGISTRY)
EVENTS_RELEASED = FastCounter("tradewire_ws_events_released_total", "Backtest event ids released.", REGISTRY)
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
    """Litestar middleware: observe REST latency by route template (after routing, so templates are known).

    The labelled histogram of each (method, route, status) is looked up once and kept: `labels()`
    costs as much as the observation itself.
    """
    series: dict[tuple[str, str, int], Histogram] = {}
    clock = time.perf_counter

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        start = clock()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, recording_send)
        finally:
            key = (scope["method"], scope.get("path_template", "?"), status)
            child = series.get(key)
            if child is None:
                child = series[key] = REQUEST_LATENCY.labels(key[0], key[1], str(status))
            child.observe(clock() - start)

    return middleware
