"""Error-mapping seam: venue exceptions become the spec's error bodies through the protocol's error
table; anything unexpected is a 500 INTERNAL_ERROR that leaks nothing."""

from __future__ import annotations

import pytest
from fakes import FloodVenue
from harness import serve

from tradewire.protocol.errors import ProviderError, ProviderUnavailable, RateLimited, UnsupportedOperation


class FailingVenue(FloodVenue):
    """Every account read raises whatever the test put in `error`."""

    error: Exception = RuntimeError("boom")

    async def get_account(self):  # type: ignore[no-untyped-def]
        raise self.error


@pytest.mark.parametrize(
    "error, status, code",
    [
        (ProviderUnavailable("Venue unreachable"), 503, "PROVIDER_UNAVAILABLE"),
        (ProviderError("Venue said no", {"venue_code": 42}), 502, "PROVIDER_ERROR"),
        (UnsupportedOperation("Not here"), 501, "UNSUPPORTED_OPERATION"),
        (RateLimited("Slow down", retry_after=2.5), 429, "RATE_LIMITED"),
        (RuntimeError("secret internals /etc/passwd"), 500, "INTERNAL_ERROR"),
    ],
)
def test_venue_errors_map_through_the_table(error, status, code):
    venue = FailingVenue(total=0)
    venue.error = error
    with serve(venue) as gw, gw.client() as c:
        r = c.get("/v1/account")
    assert r.status_code == status and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["code"] == code
    if code == "RATE_LIMITED":
        assert r.headers["retry-after"] == "3"
    if code == "INTERNAL_ERROR":
        assert body == {"code": "INTERNAL_ERROR", "message": "Internal error"}
    if code == "PROVIDER_ERROR":
        assert body["details"] == {"venue_code": 42}


def test_modify_position_exits_default_is_501():
    with serve(FloodVenue(total=0)) as gw, gw.client() as c:
        r = c.patch("/v1/positions/pos-X", json={"stop_loss": "1"})
    assert r.status_code == 501 and r.json()["code"] == "UNSUPPORTED_OPERATION"


def test_shutting_down_refuses_orders_with_503():
    with serve(FloodVenue(total=0)) as gw, gw.client() as c:
        gw.gateway.stopping = True
        r = c.post(
            "/v1/orders", json={"symbol": "AAPL", "side": "buy", "quantity": "1", "order_type": "market"}
        )
        ready = c.get("/readyz")
    assert r.status_code == 503 and r.json()["code"] == "SHUTTING_DOWN"
    assert ready.status_code == 503 and ready.json()["ready"] is False
