"""Authentication: missing and wrong keys (REST and WebSocket), both header forms, and the open probes."""

from __future__ import annotations

from typing import Any

from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import error_body
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session

NEEDS = {cap.WIRE, cap.AUTH}
ROUTES = (
    ("GET", "/v1/account"),
    ("POST", "/v1/orders"),
    ("GET", "/v1/orders/ord-1"),
    ("DELETE", "/v1/positions"),
    ("GET", "/v1/capabilities"),
    ("GET", "/api-docs/openapi.json"),
)


@scenario("CF-AUT-001", requires=NEEDS)
async def missing_key_is_401(s: Session) -> None:
    """Without a key every non-probe route answers 401 UNAUTHORIZED, details.code MISSING_API_KEY."""
    http = s.http(key=None)
    for method, path in ROUTES:
        r = await http.request(method, path, json={} if method == "POST" else None)
        body = error_body(r, 401, "UNAUTHORIZED")
        assert body["message"] == "Unauthorized: API key required", f"{method} {path}: {body['message']!r}"
        assert body.get("details") == {"code": "MISSING_API_KEY"}, (
            f"{method} {path}: details {body.get('details')}"
        )


@scenario("CF-AUT-002", requires=NEEDS)
async def wrong_key_is_401(s: Session) -> None:
    """A wrong key (in either header) answers 401 UNAUTHORIZED, details.code INVALID_API_KEY."""
    http = s.http(key=None)
    for headers in ({"Authorization": "Bearer wrong-key"}, {"X-API-Key": "wrong-key"}):
        r = await http.get("/v1/account", headers=headers)
        body = error_body(r, 401, "UNAUTHORIZED")
        assert body["message"] == "Unauthorized: Invalid API key", f"{headers}: {body['message']!r}"
        assert body.get("details") == {"code": "INVALID_API_KEY"}


@scenario("CF-AUT-003", requires=NEEDS)
async def both_header_forms_accepted(s: Session) -> None:
    """The key is accepted as `Bearer <key>` (leading whitespace of the key trimmed) and as X-API-Key when Authorization is not Bearer."""
    http = s.http(key=None)
    key = s.conn.api_key
    assert key is not None
    variants: tuple[dict[str, str], ...] = (
        {"Authorization": f"Bearer {key}"},
        {"Authorization": f"Bearer   {key}"},
        {"X-API-Key": key},
        {"Authorization": "Basic Zm9vOmJhcg==", "X-API-Key": key},
    )
    for headers in variants:
        r = await http.get("/v1/account", headers=headers)
        assert r.status_code == 200, f"{headers!r} answered {r.status_code}: {r.text[:200]}"


@scenario("CF-AUT-004", requires=NEEDS)
async def probes_need_no_key(s: Session) -> None:
    """/livez, /readyz and /health answer without a key; /metrics without one, or 401 then 200 with it.

    Tradewire's gateway keeps /metrics behind the key by default (it shows order counts).
    """
    http = s.http(key=None)
    for path in ("/livez", "/readyz", "/health"):
        r = await http.get(path)
        assert r.status_code == 200, f"GET {path} without a key answered {r.status_code}"
    assert (await http.get("/livez")).json() == {"status": "ok"}
    metrics = await http.get("/metrics")
    if metrics.status_code == 401:
        metrics = await s.http(key=True).get("/metrics")
    assert metrics.status_code == 200, f"GET /metrics answered {metrics.status_code}"
    assert metrics.headers["content-type"].startswith("text/plain")


@scenario("CF-AUT-005", requires=NEEDS)
async def websocket_upgrade_needs_key(s: Session) -> None:
    """The WebSocket upgrade without a key, or with a wrong one, is refused with a plain HTTP 401."""
    from websockets.exceptions import InvalidStatus

    for key in (None, "wrong-key"):
        try:
            tap = await s.raw_stream(key=key, start=False)
        except InvalidStatus as e:
            assert e.response.status_code == 401, (
                f"upgrade with key={key!r} refused with {e.response.status_code}"
            )
        else:
            await tap.close()
            raise AssertionError(f"the upgrade with key={key!r} was accepted")
    ok = await s.raw_stream(key=True, start=False)
    await ok.close()


@scenario("CF-AUT-006", requires=NEEDS)
async def sdk_reports_authentication_error(s: Session) -> None:
    """The SDK client with a wrong key raises AuthenticationError for REST calls."""
    from tradewire.sdk import AsyncClient, AuthenticationError

    assert s.conn.base_url is not None
    client: Any  # the SDK annotates AsyncClient's methods with the sync return types
    async with AsyncClient(s.conn.base_url, "wrong-key", max_retries=0) as client:
        try:
            await client.get_account()
        except AuthenticationError:
            return
    raise AssertionError("GET /v1/account with a wrong key did not raise AuthenticationError")
