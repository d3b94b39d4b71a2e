"""REST seam: every route of rest.md over real HTTP against the mock platform — bodies through the
codec, status codes, error bodies, auth, routing corner cases."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from harness import KEY

JSON = {"Content-Type": "application/json"}


def submit(c, **fields):
    body = {"symbol": "AAPL", "side": "buy", "quantity": "1", "order_type": "market", **fields}
    return c.post("/v1/orders", json=body)


def assert_error(r, status, code, field=None):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert body["details"]["field"] == field
    return body


# -- account, quotes, bars, venue facts --------------------------------------------------------------


def test_account_has_decimal_strings(gw):
    with gw.client() as c:
        body = c.get("/v1/account").json()
    assert set(body) == {"balance", "equity", "margin_used", "margin_available", "unrealized_pnl", "currency"}
    assert all(isinstance(v, str) for v in body.values())


@pytest.mark.parametrize(
    "path, symbol",
    [("/v1/quotes/AAPL", "AAPL"), ("/v1/quotes/BTC%2FUSD", "BTC/USD"), ("/v1/quotes/ETH%2fUSD", "ETH/USD")],
)
def test_quote_symbols_with_encoded_slash(gw, path, symbol):
    with gw.client() as c:
        r = c.get(path)
    assert r.status_code == 200
    q = r.json()
    assert q["symbol"] == symbol
    from decimal import Decimal

    assert Decimal(q["bid"]) < Decimal(q["ask"])


def test_unknown_symbol_is_404_with_symbol_detail(gw):
    with gw.client() as c:
        body = assert_error(c.get("/v1/quotes/F:EURUSD"), 404, "SYMBOL_NOT_FOUND")
    assert body["details"] == {"symbol": "F:EURUSD"}


@pytest.mark.parametrize("tf", ["1m", "2m", "5m", "10m", "15m", "30m", "1h", "2h", "4h", "12h", "1d", "1w"])
def test_bars_every_timeframe_oldest_first(gw, tf):
    with gw.client() as c:
        r = c.get(f"/v1/bars/BTC%2FUSD?timeframe={tf}&limit=5")
    assert r.status_code == 200
    bars = r.json()
    assert len(bars) == 5
    assert [b["timestamp"] for b in bars] == sorted(b["timestamp"] for b in bars)
    assert all(b["timeframe"] == tf and b["symbol"] == "BTC/USD" for b in bars)
    assert all(float(b["low"]) <= float(b["open"]) <= float(b["high"]) for b in bars)


@pytest.mark.parametrize("query", ["", "?limit=3", "?timeframe=60m", "?timeframe=1H", "?timeframe=1min"])
def test_bars_timeframe_required_and_exact(gw, query):
    with gw.client() as c:
        assert_error(c.get(f"/v1/bars/AAPL{query}"), 400, "INVALID_REQUEST", "timeframe")


def test_bars_start_end_window(gw):
    with gw.client() as c:
        r = c.get(
            "/v1/bars/AAPL",
            params={"timeframe": "1h", "start": "2026-01-05T10:00:00Z", "end": "2026-01-05T12:00:00+00:00"},
        )
    assert [b["timestamp"] for b in r.json()] == [
        "2026-01-05T10:00:00Z",
        "2026-01-05T11:00:00Z",
        "2026-01-05T12:00:00Z",
    ]


def test_bars_timestamp_without_offset_rejected(gw):
    with gw.client() as c:
        assert_error(
            c.get("/v1/bars/AAPL?timeframe=1h&start=2026-01-05T10:00:00"), 400, "INVALID_REQUEST", "start"
        )


def test_capabilities_status_breakers(gw):
    with gw.client() as c:
        caps = c.get("/v1/capabilities").json()
        assert caps["position_mode"] == "NETTING" and "MARKET" in caps["supported_order_types"]
        status = c.get("/v1/status").json()
        assert (
            status["connected"] is True
            and status["latency_ms"] >= 0
            and status["last_heartbeat"].endswith("Z")
        )
        closed = {
            "adapter": {"state": "closed", "failure_count": 0},
            "exit_order": {"state": "closed", "failure_count": 0},
        }
        assert c.get("/v1/circuit-breakers").json() == closed
        r = c.post("/v1/circuit-breakers/reset")
        assert r.status_code == 200 and r.json() == closed


# -- orders ------------------------------------------------------------------------------------------


def test_market_order_fills_and_history_route_wins(gw):
    with gw.client() as c:
        r = submit(c, client_order_id="hist-1")
        assert r.status_code == 201
        assert r.headers["content-type"] == "application/json"
        assert int(r.headers["content-length"]) == len(r.content)
        handle = r.json()
        assert uuid.UUID(handle["correlation_id"])  # a UUID (the kernel derives it from the order id)
        assert handle["id"].startswith("ord-") and handle["client_order_id"] == "hist-1"
        history = c.get("/v1/orders/history")
        assert history.status_code == 200 and isinstance(history.json(), list)
        assert handle["id"] in [o["id"] for o in history.json()]
        order = c.get(f"/v1/orders/{handle['id']}").json()
        assert order["status"] == "FILLED" and order["side"] == "BUY" and order["filled_quantity"] == "1"


def test_idempotent_submit_on_client_order_id(gw):
    with gw.client() as c:
        first = submit(c, client_order_id="idem-1", order_type="limit", limit_price="1.00")
        second = submit(c, client_order_id="idem-1", order_type="limit", limit_price="1.00")
        assert first.status_code == second.status_code == 201
        assert first.json()["id"] == second.json()["id"]
        working = c.get("/v1/orders", params={"client_order_id": "idem-1"}).json()
        assert len(working) == 1


def test_limit_order_lists_modify_cancel(gw):
    with gw.client() as c:
        oid = submit(c, order_type="LIMIT", limit_price="10.00", time_in_force="gtc").json()["id"]
        listed = c.get(
            "/v1/orders", params={"symbol": "AAPL", "status": "OPEN,PENDING", "side": "buy"}
        ).json()
        assert oid in [o["id"] for o in listed]
        assert (
            c.get("/v1/orders", params=[("status", "PENDING"), ("status", "PARTIALLY_FILLED")]).json() == []
        )
        r = c.patch(f"/v1/orders/{oid}", json={"limit_price": "11.50"})
        assert r.status_code == 200 and r.json()["order"]["limit_price"] == "11.50"
        assert c.patch(f"/v1/orders/{oid}", json={}).json()["order"]["limit_price"] == "11.50"
        assert_error(c.patch(f"/v1/orders/{oid}", json={"stop_price": "9"}), 409, "ORDER_NOT_MODIFIABLE")
        r = c.delete(f"/v1/orders/{oid}")
        assert (
            r.status_code == 200
            and r.json()["success"] is True
            and r.json()["order"]["status"] == "CANCELLED"
        )
        again = c.delete(f"/v1/orders/{oid}")
        assert again.status_code == 200 and again.json()["order"]["status"] == "CANCELLED"
        assert_error(c.patch(f"/v1/orders/{oid}", json={"limit_price": "12"}), 409, "ORDER_NOT_MODIFIABLE")


def test_cancel_finished_order_is_409(gw):
    with gw.client() as c:
        oid = submit(c).json()["id"]
        assert_error(c.delete(f"/v1/orders/{oid}"), 409, "ORDER_NOT_MODIFIABLE")


def test_cancel_all(gw):
    with gw.client() as c:
        for _ in range(2):
            submit(c, symbol="MSFT", order_type="limit", limit_price="1")
        r = c.delete("/v1/orders", params={"symbol": "MSFT"})
        assert r.status_code == 200
        assert r.json() == {"cancelled_count": 2, "failed_count": 0}


def test_unknown_order_is_404(gw):
    with gw.client() as c:
        body = assert_error(c.get("/v1/orders/ord-999999"), 404, "ORDER_NOT_FOUND")
        assert body["details"] == {"resource": "order", "id": "ord-999999"}
        assert_error(c.delete("/v1/orders/ord-999999"), 404, "ORDER_NOT_FOUND")
        assert_error(c.patch("/v1/orders/ord-999999", json={}), 404, "ORDER_NOT_FOUND")


# -- the price rules table (rest.md) ---------------------------------------------------------------

MISSING = [
    ("limit", {}, "Limit", "limit_price"),
    ("stop", {}, "Stop", "stop_price"),
    ("stop_limit", {"limit_price": "1"}, "Stop limit", "stop_price"),
    ("stop_limit", {"stop_price": "1"}, "Stop limit", "limit_price"),
    ("trailing_stop", {"trailing_type": "absolute"}, "Trailing stop", "trailing_distance"),
    ("trailing_stop", {"trailing_distance": "1"}, "Trailing stop", "trailing_type"),
]


@pytest.mark.parametrize("order_type, extra, label, field", MISSING)
def test_missing_price_field(gw, order_type, extra, label, field):
    with gw.client() as c:
        body = assert_error(submit(c, order_type=order_type, **extra), 400, "INVALID_REQUEST", field)
    assert body["message"] == f"Invalid request: {label} orders require {field}"
    assert body["details"] == {"field": field}


FORBIDDEN = [
    ("market", {"limit_price": "1"}, "limit_price"),
    ("market", {"stop_price": "1"}, "stop_price"),
    ("market", {"trailing_distance": "1"}, "trailing_distance"),
    ("limit", {"limit_price": "1", "stop_price": "2"}, "stop_price"),
    ("stop", {"stop_price": "1", "limit_price": "2"}, "limit_price"),
    ("stop_limit", {"stop_price": "1", "limit_price": "2", "trailing_distance": "3"}, "trailing_distance"),
    (
        "trailing_stop",
        {"trailing_distance": "1", "trailing_type": "percent", "stop_price": "2"},
        "stop_price",
    ),
]


@pytest.mark.parametrize("order_type, extra, field", FORBIDDEN)
def test_forbidden_price_field(gw, order_type, extra, field):
    with gw.client() as c:
        body = assert_error(submit(c, order_type=order_type, **extra), 400, "INVALID_VALUE", field)
    assert body["details"] == {"field": field, "provided": extra[field]}


@pytest.mark.parametrize(
    "fields, status, code, field",
    [
        ({"quantity": "0"}, 400, "VALIDATION_ERROR", "quantity"),
        ({"quantity": "-1"}, 400, "VALIDATION_ERROR", "quantity"),
        ({"quantity": "abc"}, 400, "INVALID_REQUEST", "quantity"),
        ({"quantity": "1e3"}, 400, "INVALID_REQUEST", "quantity"),
        ({"quantity": True}, 400, "INVALID_REQUEST", "quantity"),
        ({"side": "Buy"}, 400, "INVALID_REQUEST", "side"),
        ({"side": "HOLD"}, 400, "INVALID_REQUEST", "side"),
        ({"order_type": "iceberg"}, 400, "INVALID_REQUEST", "order_type"),
        ({"symbol": 12}, 400, "INVALID_REQUEST", "symbol"),
        ({"symbol": ""}, 400, "VALIDATION_ERROR", "symbol"),
        ({"symbol": "X" * 21}, 400, "VALIDATION_ERROR", "symbol"),
        ({"client_order_id": "c" * 65}, 400, "VALIDATION_ERROR", "client_order_id"),
        ({"order_type": "limit", "limit_price": "0"}, 400, "INVALID_VALUE", "limit_price"),
        ({"order_type": "limit", "limit_price": "-2"}, 400, "INVALID_VALUE", "limit_price"),
        ({"stop_loss": "0"}, 400, "INVALID_VALUE", "stop_loss"),
        (
            {"order_type": "trailing_stop", "trailing_distance": "100", "trailing_type": "PERCENT"},
            400,
            "INVALID_VALUE",
            "trailing_distance",
        ),
        ({"display_quantity": "5", "quantity": "5"}, 400, "INVALID_VALUE", "display_quantity"),
        ({"time_in_force": "forever"}, 400, "INVALID_REQUEST", "time_in_force"),
    ],
)
def test_submit_rejects_bad_fields(gw, fields, status, code, field):
    with gw.client() as c:
        r = submit(c, **fields)
    body = assert_error(r, status, code, field)
    if code == "INVALID_REQUEST" and field in ("quantity", "side", "order_type", "symbol", "time_in_force"):
        assert body["message"].startswith("Invalid JSON:")


@pytest.mark.parametrize("missing", ["symbol", "side", "quantity", "order_type"])
def test_submit_missing_required_field(gw, missing):
    body = {"symbol": "AAPL", "side": "buy", "quantity": "1", "order_type": "market"}
    del body[missing]
    with gw.client() as c:
        assert_error(c.post("/v1/orders", json=body), 400, "INVALID_REQUEST", missing)


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[]",
        b"null",
        b'{"symbol":"AAPL","side":"buy","quantity":NaN,"order_type":"market"}',
        b"\xff\xfe",
    ],
)
def test_submit_bad_json(gw, raw):
    with gw.client() as c:
        body = assert_error(c.post("/v1/orders", content=raw, headers=JSON), 400, "INVALID_REQUEST")
    assert body["message"].startswith("Invalid JSON:")


def test_json_number_decimals_accepted_exactly(gw):
    raw = b'{"symbol":"AAPL","side":"BUY","quantity":0.1,"order_type":"LIMIT","limit_price":1.10,"unknown_key":[1]}'
    with gw.client() as c:
        r = c.post("/v1/orders", content=raw, headers=JSON)
        assert r.status_code == 201, r.text
        order = c.get(f"/v1/orders/{r.json()['id']}").json()
    assert order["quantity"] == "0.1" and order["limit_price"] == "1.10"


def test_full_precision_decimals_are_accepted_onto_the_grid(gw):
    with gw.client() as c:
        r = submit(c, quantity="0.66666666666666666666666667", order_type="limit", limit_price="1.50999")
        assert r.status_code == 201
        order = c.get(f"/v1/orders/{r.json()['id']}").json()
        assert (order["quantity"], order["limit_price"]) == ("0.66666666", "1.50")


def test_an_over_long_decimal_is_400_naming_the_field(gw):
    with gw.client() as c:
        body = assert_error(submit(c, quantity="1" * 1000), 400, "INVALID_REQUEST", "quantity")
        assert "too long" in body["message"]
        assert_error(
            submit(c, order_type="limit", limit_price="1." + "5" * 50), 400, "INVALID_REQUEST", "limit_price"
        )


def test_content_type_required_on_post(gw):
    raw = b'{"symbol":"AAPL","side":"buy","quantity":"1","order_type":"market"}'
    with gw.client() as c:
        assert_error(c.post("/v1/orders", content=raw), 400, "INVALID_REQUEST")
        assert_error(
            c.post("/v1/orders", content=raw, headers={"Content-Type": "text/plain"}), 400, "INVALID_REQUEST"
        )
        assert (
            c.post(
                "/v1/orders", content=raw, headers={"Content-Type": "application/json; charset=utf-8"}
            ).status_code
            == 201
        )


def test_oversized_body_is_413(gw):
    raw = b'{"symbol":"AAPL","pad":"' + b"x" * (2 << 20) + b'"}'
    with gw.client() as c:
        assert_error(c.post("/v1/orders", content=raw, headers=JSON), 413, "INVALID_REQUEST")


def test_list_query_errors(gw):
    with gw.client() as c:
        assert_error(c.get("/v1/orders?status=open"), 400, "INVALID_REQUEST", "status")
        assert_error(c.get("/v1/orders?limit=-1"), 400, "INVALID_REQUEST", "limit")
        assert_error(c.get("/v1/orders?limit=ten"), 400, "INVALID_REQUEST", "limit")
        assert_error(c.get("/v1/trades?since=yesterday"), 400, "INVALID_REQUEST", "since")
        assert c.get("/v1/orders?limit=99999999").status_code == 200


# -- positions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"content": b"", "headers": JSON}, {"content": b"{}", "headers": JSON}, {"content": b"{}"}],
    ids=["absent", "empty", "empty-object", "no-content-type"],
)
def test_close_position_body_variants(fresh, kwargs):
    with fresh.client() as c:
        submit(c, symbol="ETH/USD", quantity="2")
        pos = c.get("/v1/positions", params={"symbol": "ETH/USD"}).json()
        assert [p["id"] for p in pos] == ["pos-ETH/USD"]
        r = c.request("DELETE", "/v1/positions/pos-ETH%2FUSD", **kwargs)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "FILLED"
        assert c.get("/v1/positions").json() == []
        assert_error(c.get("/v1/positions/pos-ETH%2FUSD"), 404, "POSITION_NOT_FOUND")


def test_partial_close_netting_exact(fresh):
    with fresh.client() as c:
        submit(c, quantity="10")
        submit(c, quantity="5")
        pos = c.get("/v1/positions/pos-AAPL").json()
        assert pos["quantity"] == "15" and pos["side"] == "LONG"
        r = c.request("DELETE", "/v1/positions/pos-AAPL", json={"quantity": "4"})
        assert r.status_code == 200
        assert c.get("/v1/positions/pos-AAPL").json()["quantity"] == "11"
        trades = c.get("/v1/trades", params={"symbol": "AAPL", "limit": 1}).json()
        assert trades[0]["side"] == "SELL" and trades[0]["quantity"] == "4"
        assert c.delete("/v1/positions").json()[0]["status"] == "FILLED"
        assert c.delete("/v1/positions").json() == []
        account = c.get("/v1/account").json()
        assert Decimal(account["margin_used"]) == 0 and account["balance"] == account["equity"]


def test_position_exits_move(fresh):
    with fresh.client() as c:
        submit(c, quantity="3", stop_loss="100.00", take_profit="300.00")
        r = c.patch("/v1/positions/pos-AAPL", json={"stop_loss": "120.00"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["position_id"] == "pos-AAPL" and body["stop_loss"]["trigger_price"] == "120.00"
        assert "take_profit" not in body
        assert_error(c.patch("/v1/positions/pos-AAPL", json={}), 400, "VALIDATION_ERROR")
        assert_error(c.patch("/v1/positions/pos-NONE", json={"stop_loss": "1"}), 404, "POSITION_NOT_FOUND")


def test_close_position_bad_bodies(fresh):
    with fresh.client() as c:
        submit(c)
        assert_error(
            c.request("DELETE", "/v1/positions/pos-AAPL", json={"order_type": "limit"}),
            400,
            "INVALID_REQUEST",
            "limit_price",
        )
        assert_error(
            c.request("DELETE", "/v1/positions/pos-AAPL", json={"quantity": "0"}),
            400,
            "VALIDATION_ERROR",
            "quantity",
        )
        assert_error(
            c.request("DELETE", "/v1/positions/pos-AAPL", content=b"{", headers=JSON), 400, "INVALID_REQUEST"
        )


def test_insufficient_funds_is_422(fresh):
    with fresh.client() as c:
        body = assert_error(submit(c, symbol="BTC/USD", quantity="100"), 422, "ORDER_REJECTED")
    assert body["details"]["reject_code"] == "INSUFFICIENT_FUNDS"


# -- routing, auth, probes -------------------------------------------------------------------------


def test_unknown_path_and_wrong_method(gw):
    with gw.client() as c:
        body = assert_error(c.get("/v1/nothing"), 404, "INVALID_REQUEST")
        assert body["message"] == "No route for GET /v1/nothing"
        r = c.delete("/v1/account")
        body = assert_error(r, 405, "INVALID_REQUEST")
        assert body["message"] == "No route for DELETE /v1/account"
        assert r.headers["allow"] == "GET"
        r = c.put("/v1/orders")
        assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"GET", "POST", "DELETE"}


@pytest.mark.parametrize(
    "headers, detail",
    [
        ({}, "MISSING_API_KEY"),
        ({"Authorization": "Bearer wrong"}, "INVALID_API_KEY"),
        ({"X-API-Key": "wrong"}, "INVALID_API_KEY"),
        ({"Authorization": "Basic " + KEY}, "MISSING_API_KEY"),
        ({"Authorization": "bearer " + KEY}, "MISSING_API_KEY"),
        ({"Authorization": "Bearer"}, "MISSING_API_KEY"),
        ({"Authorization": "Bearer wrong", "X-API-Key": KEY}, "INVALID_API_KEY"),
    ],
)
def test_auth_failures(gw, headers, detail):
    import httpx

    r = httpx.get(gw.url + "/v1/account", headers=headers)
    body = assert_error(r, 401, "UNAUTHORIZED")
    assert body["details"] == {"code": detail}
    assert body["message"] == (
        "Unauthorized: API key required" if detail == "MISSING_API_KEY" else "Unauthorized: Invalid API key"
    )
    assert KEY not in r.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {KEY}"},
        {"Authorization": f"Bearer   {KEY}"},  # the key is trimmed (h11 forbids trailing blanks)
        {"X-API-Key": KEY},
        {"Authorization": "Basic abc", "X-API-Key": KEY},
        {"Authorization": "", "X-API-Key": KEY},
    ],
)
def test_auth_accepted(gw, headers):
    import httpx

    assert httpx.get(gw.url + "/v1/account", headers=headers).status_code == 200


def test_probes_need_no_key(gw):
    import httpx

    assert httpx.get(gw.url + "/livez").json() == {"status": "ok"}
    assert httpx.get(gw.url + "/readyz").json() == {"ready": True, "providers": ["mock"], "provider_count": 1}
    health = httpx.get(gw.url + "/health").json()
    assert health["status"] == "connected" and health["providers"] == [
        {"platform": "mock", "connected": True}
    ]
    assert set(health) == {"status", "version", "git_sha", "providers", "run_id"}
    assert health["run_id"] == gw.gateway.run_id
    with gw.client() as c:
        c.get("/v1/account")
    metrics = httpx.get(gw.url + "/metrics", headers={"X-API-Key": KEY})
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert 'route="/v1/account"' in metrics.text
    assert httpx.get(gw.url + "/api-docs/openapi.json").status_code == 401


def test_openapi_and_swagger_ui_bundled(gw):
    import httpx

    with gw.client() as c:
        doc = c.get("/api-docs/openapi.json")
    assert doc.status_code == 200 and doc.json()["openapi"].startswith("3.1")
    assert httpx.get(gw.url + "/docs").status_code == 401  # only the four probes are open by default
    with gw.client() as c:
        page = c.get("/docs")
        assert (
            page.status_code == 200
            and "swagger-ui-bundle.js" in page.text
            and "//" not in page.text.split("<script src=")[1][:3]
        )
        js = c.get("/docs/swagger-ui-bundle.js")
        assert js.status_code == 200 and len(js.content) > 100_000
        assert js.headers["content-type"] == "application/javascript"
        assert c.get("/docs/..%2Fapp.py").status_code == 404


def test_every_json_response_is_application_json(gw):
    with gw.client() as c:
        for path in [
            "/v1/account",
            "/v1/orders",
            "/v1/orders/history",
            "/v1/positions",
            "/v1/trades",
            "/v1/capabilities",
            "/v1/status",
            "/v1/circuit-breakers",
            "/v1/quotes/SPY",
            "/v1/bars/SPY?timeframe=1d",
        ]:
            r = c.get(path)
            assert r.status_code == 200 and r.headers["content-type"] == "application/json", path


def test_public_docs_option():
    import httpx
    from conftest import mock_venue
    from harness import serve

    with serve(mock_venue(), public_docs=True) as running:
        assert httpx.get(running.url + "/docs").status_code == 200
        assert httpx.get(running.url + "/docs/swagger-ui.css").status_code == 200
        assert httpx.get(running.url + "/api-docs/openapi.json").status_code == 401


def test_plain_http_to_the_stream_is_426(gw):
    with gw.client() as c:
        r = c.get("/v1/ws")
    assert_error(r, 426, "INVALID_REQUEST")
    assert r.headers["upgrade"] == "websocket"


def test_query_errors_name_the_parameter(gw):
    with gw.client() as c:
        body = assert_error(c.get("/v1/orders?status=OPEN,open"), 400, "INVALID_REQUEST", "status")
    assert body["message"].startswith("Invalid query parameter status:")
