"""The HTTP edge against hostile and careless clients (issue 17): nested and repeated-key bodies,
content types, the 401 challenge, /metrics behind the key, the readiness drain, the rate limit."""

from __future__ import annotations

import time

import httpx
import pytest
import websockets
from conftest import mock_venue
from harness import AUTH, connect, serve

ORDER = b'"symbol":"AAPL","side":"buy","order_type":"market"'
JSON = {**AUTH, "Content-Type": "application/json"}


def error(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body: dict = r.json()
    return body


@pytest.mark.parametrize(("quantity", "levels"), [(b"1.5", 1000), (b'"1"', 65)])
def test_deeply_nested_body_is_400(gw, quantity, levels):
    # with a JSON float, 1,000 levels used to reach a recursive parser: RecursionError, 500
    body = b"{" + ORDER + b',"quantity":' + quantity + b',"x":' + b"[" * levels + b"]" * levels + b"}"
    refused = error(httpx.post(gw.url + "/v1/orders", content=body, headers=JSON), 400)
    assert refused["code"] == "INVALID_REQUEST" and "nested deeper than 64" in refused["message"]


def test_a_repeated_key_is_400_naming_it(gw):
    body = b"{" + ORDER + b',"quantity":"1","side":"sell"}'
    refused = error(httpx.post(gw.url + "/v1/orders", content=body, headers=JSON), 400)
    assert refused["code"] == "INVALID_REQUEST" and refused["details"] == {"field": "side"}
    assert "duplicate key" in refused["message"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_without_json_content_type_is_400(gw, content_type):
    headers = dict(AUTH) if content_type is None else {**AUTH, "Content-Type": content_type}
    body = b"{" + ORDER + b',"quantity":"1"}'
    refused = error(httpx.post(gw.url + "/v1/orders", content=body, headers=headers), 400)
    assert refused["code"] == "INVALID_REQUEST" and "Content-Type" in refused["message"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key-0123456789"}])
def test_401_carries_a_bearer_challenge(gw, headers):
    r = httpx.get(gw.url + "/v1/account", headers=headers)
    assert error(r, 401)["code"] == "UNAUTHORIZED"
    assert r.headers["www-authenticate"] == 'Bearer realm="tradewire"'


async def test_refused_upgrade_carries_a_bearer_challenge(gw):
    with pytest.raises(websockets.InvalidStatus) as refused:
        await connect(gw, headers={})
    response = refused.value.response
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="tradewire"'


def test_metrics_need_the_key_by_default(gw):
    assert httpx.get(gw.url + "/metrics").status_code == 401
    assert httpx.get(gw.url + "/metrics", headers=AUTH).status_code == 200


def test_metrics_can_be_public():
    with serve(mock_venue(), public_metrics=True) as running:
        assert httpx.get(running.url + "/metrics").status_code == 200
        assert httpx.get(running.url + "/v1/account").status_code == 401


def test_readyz_is_503_during_the_drain_while_everything_else_serves():
    with serve(mock_venue(), drain_seconds=3.0) as running:
        assert httpx.get(running.url + "/readyz").status_code == 200
        running.stop()  # what SIGTERM does: uvicorn's should_exit
        deadline = time.monotonic() + 2.5
        ready = 200
        while ready == 200 and time.monotonic() < deadline:
            ready = httpx.get(running.url + "/readyz").status_code
        assert ready == 503
        body = httpx.get(running.url + "/readyz").json()
        assert body["ready"] is False and body["message"] == "Gateway is shutting down"
        # still serving: the listener stays open and orders are still taken until the drain ends
        assert httpx.get(running.url + "/livez").status_code == 200
        assert httpx.get(running.url + "/v1/account", headers=AUTH).status_code == 200


def test_rate_limit_answers_429_with_retry_after():
    with serve(mock_venue(), rate_limit_per_second=0.1, rate_limit_burst=2) as running:
        with running.client() as c:
            assert [c.get("/v1/account").status_code for _ in range(2)] == [200, 200]
            limited = c.get("/v1/account")
            body = error(limited, 429)
            assert body["code"] == "RATE_LIMITED"
            seconds = body["details"]["retry_after_seconds"]
            assert limited.headers["retry-after"] == str(seconds) and 1 <= seconds <= 10
            # the probes are never limited, and a wrong key is refused before it costs a token
            assert httpx.get(running.url + "/livez").status_code == 200
            assert httpx.get(running.url + "/v1/account", headers={"X-API-Key": "x" * 20}).status_code == 401


def test_mock_is_not_rate_limited_by_default(gw):
    with gw.client() as c:
        assert {c.get("/v1/account").status_code for _ in range(150)} == {200}
