"""Probes and metrics: /livez, /readyz, /health (no key), /metrics (the key unless `public_metrics`)."""

from __future__ import annotations

from litestar import Response, get

from tradewire.gateway import metrics
from tradewire.gateway.http import AnyRequest, gateway, ok
from tradewire.gateway.version import GIT_SHA, __version__
from tradewire.protocol import routes
from tradewire.protocol.messages import (
    DetailedHealthStatus,
    HealthStatus,
    OverallStatus,
    ProviderHealth,
    ReadyStatus,
)

_LIVE = HealthStatus(status="ok")


@get(routes.LIVEZ, opt={"public": True})
async def livez(request: AnyRequest) -> Response[bytes]:
    """200 whenever the process answers."""
    return ok(_LIVE)


@get(routes.READYZ, opt={"public": True})
async def readyz(request: AnyRequest) -> Response[bytes]:
    """200 when the venue is connected and the gateway is neither draining nor stopping, else 503."""
    gw = gateway(request)
    if gw.stopping or gw.draining:
        return ok(
            ReadyStatus(ready=False, providers=[], provider_count=0, message="Gateway is shutting down"), 503
        )
    if not gw.connected:
        return ok(
            ReadyStatus(ready=False, providers=[], provider_count=0, message="Venue is not connected"), 503
        )
    return ok(ReadyStatus(ready=True, providers=[gw.venue.platform], provider_count=1))


@get(routes.HEALTH, opt={"public": True})
async def health(request: AnyRequest) -> Response[bytes]:
    """Version, build commit, run id and the venue's connection and staleness (always 200)."""
    gw = gateway(request)
    stale = gw.venue.stale_symbols()
    provider = ProviderHealth(
        platform=gw.venue.platform, connected=gw.connected, stale_instruments=list(stale)
    )
    status = OverallStatus.DEGRADED if stale else OverallStatus.CONNECTED
    return ok(
        DetailedHealthStatus(
            status=status, version=__version__, git_sha=GIT_SHA, providers=[provider], run_id=gw.run_id
        )
    )


@get(routes.METRICS, opt={"metrics": True})
async def prometheus(request: AnyRequest) -> Response[bytes]:
    """Prometheus text exposition (it shows order counts: behind the key unless `public_metrics`)."""
    return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


ROUTES = [livez, readyz, health, prometheus]
