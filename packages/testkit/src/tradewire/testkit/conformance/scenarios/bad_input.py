"""Bad input on every route: wrong types, unknown enums, bad quantities, missing fields, unknown ids, oversized bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson

from tradewire.protocol import errors as pe
from tradewire.testkit.conformance import capabilities as cap
from tradewire.testkit.conformance.checks import error_body, expect_error, on_grid
from tradewire.testkit.conformance.registry import scenario
from tradewire.testkit.conformance.session import Session

WIRE = {cap.WIRE}


def order(s: Session, **changes: Any) -> dict[str, Any]:
    """A valid market order body with `changes` applied (None removes a key)."""
    body: dict[str, Any] = {"symbol": s.symbol, "side": "BUY", "quantity": "1", "order_type": "MARKET"}
    for k, v in changes.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    return body


@scenario("CF-BAD-001", requires=WIRE)
async def malformed_json(s: Session) -> None:
    """A body that is not JSON answers 400 INVALID_REQUEST whose message begins `Invalid JSON:`."""
    http = s.http()
    for content in (b"{", b"not json", b'{"symbol": "AAPL",}', b"\xff\xfe"):
        r = await http.post("/v1/orders", content=content, headers={"Content-Type": "application/json"})
        body = error_body(r, 400, "INVALID_REQUEST")
        assert body["message"].startswith("Invalid JSON:"), f"{content!r}: message {body['message']!r}"
    r = await http.post("/v1/orders", content=b"[]", headers={"Content-Type": "application/json"})
    error_body(r, 400, "INVALID_REQUEST")


@scenario("CF-BAD-002", requires=WIRE)
async def wrong_types(s: Session) -> None:
    """Fields of the wrong JSON type answer 400 INVALID_REQUEST naming the field."""
    http = s.http()
    for field, value in (
        ("quantity", True),
        ("quantity", {"v": 1}),
        ("quantity", [1]),
        ("side", 1),
        ("symbol", 5),
        ("reduce_only", "yes"),
        ("order_type", 3),
    ):
        r = await http.post("/v1/orders", json=order(s, **{field: value}))
        body = error_body(r, 400, "INVALID_REQUEST")
        assert body["message"].startswith("Invalid JSON:"), f"{field}={value!r}: message {body['message']!r}"
        assert field in body["message"] or body.get("details", {}).get("field") == field, (
            f"{field}={value!r}: the error does not name the field: {body}"
        )


@scenario("CF-BAD-003", requires=WIRE)
async def unknown_enum_values(s: Session) -> None:
    """Unknown or mixed-case enum spellings answer 400 INVALID_REQUEST."""
    http = s.http()
    for field, value in (
        ("side", "HOLD"),
        ("side", "Buy"),
        ("order_type", "market_on_close"),
        ("order_type", "Market"),
        ("time_in_force", "GTD"),
        ("margin_mode", "portfolio"),
    ):
        r = await http.post("/v1/orders", json=order(s, **{field: value}))
        body = error_body(r, 400, "INVALID_REQUEST")
        assert body["message"].startswith("Invalid JSON:"), f"{field}={value!r}: {body['message']!r}"
    r = await http.post(
        "/v1/orders", json=order(s, order_type="TRAILING_STOP", trailing_distance="1", trailing_type="ticks")
    )
    error_body(r, 400, "INVALID_REQUEST")


@scenario("CF-BAD-004")
async def non_positive_values(s: Session) -> None:
    """Zero or negative quantity is 400 VALIDATION_ERROR; a zero or negative price is 400 INVALID_VALUE."""
    c = s.client
    for qty in ("0", "-5", "0.0"):
        await expect_error(
            c.submit_order(symbol=s.symbol, side="BUY", quantity=qty, order_type="MARKET"),
            pe.ValidationError,
            "VALIDATION_ERROR",
        )
    for px in ("0", "-1.00"):
        await expect_error(
            c.submit_order(symbol=s.symbol, side="BUY", quantity="1", order_type="LIMIT", limit_price=px),
            pe.InvalidValue,
            "INVALID_VALUE",
        )
        await expect_error(
            c.submit_order(symbol=s.symbol, side="BUY", quantity="1", order_type="STOP", stop_price=px),
            pe.InvalidValue,
            "INVALID_VALUE",
        )
    await expect_error(
        c.submit_order(
            symbol=s.symbol,
            side="SELL",
            quantity="1",
            order_type="TRAILING_STOP",
            trailing_distance="100",
            trailing_type="PERCENT",
        ),
        pe.InvalidValue,
        "INVALID_VALUE",
    )


@scenario("CF-BAD-005")
async def missing_fields(s: Session) -> None:
    """A missing required field is 400 INVALID_REQUEST; a LIMIT without limit_price says `Limit orders require limit_price`."""
    err = await expect_error(
        s.client.submit_order(symbol=s.symbol, side="BUY", quantity="1", order_type="LIMIT"),
        pe.InvalidRequest,
        "INVALID_REQUEST",
    )
    assert "Limit orders require limit_price" in err.message, f"message {err.message!r}"
    assert err.details == {"field": "limit_price"}, f"details {err.details}"
    err = await expect_error(
        s.client.submit_order(
            symbol=s.symbol, side="BUY", quantity="1", order_type="STOP_LIMIT", stop_price="1.00"
        ),
        pe.InvalidRequest,
        "INVALID_REQUEST",
    )
    assert err.details == {"field": "limit_price"}, f"STOP_LIMIT without limit_price: details {err.details}"
    err = await expect_error(
        s.client.submit_order(
            symbol=s.symbol, side="SELL", quantity="1", order_type="TRAILING_STOP", trailing_type="ABSOLUTE"
        ),
        pe.InvalidRequest,
        "INVALID_REQUEST",
    )
    assert err.details == {"field": "trailing_distance"}, f"details {err.details}"


@scenario("CF-BAD-006", requires=WIRE)
async def missing_fields_on_the_wire(s: Session) -> None:
    """A body missing symbol, side, quantity or order_type answers 400 INVALID_REQUEST."""
    http = s.http()
    for field in ("symbol", "side", "quantity", "order_type"):
        r = await http.post("/v1/orders", json=order(s, **{field: None}))
        error_body(r, 400, "INVALID_REQUEST")


@scenario("CF-BAD-007")
async def forbidden_price_fields(s: Session) -> None:
    """A price field the order type forbids is 400 INVALID_VALUE with details {field, provided}."""
    err = await expect_error(
        s.client.submit_order(
            symbol=s.symbol, side="BUY", quantity="1", order_type="MARKET", limit_price="10.00"
        ),
        pe.InvalidValue,
        "INVALID_VALUE",
    )
    assert isinstance(err.details, dict) and err.details.get("field") == "limit_price", (
        f"details {err.details}"
    )
    assert err.details.get("provided") == "10.00", f"details {err.details}"
    await expect_error(
        s.client.submit_order(
            symbol=s.symbol,
            side="BUY",
            quantity="1",
            order_type="LIMIT",
            limit_price="10.00",
            stop_price="11.00",
        ),
        pe.InvalidValue,
        "INVALID_VALUE",
    )


@scenario("CF-BAD-008")
async def unknown_order_ids(s: Session) -> None:
    """GET, PATCH and DELETE of an unknown order id answer 404 ORDER_NOT_FOUND with details {resource, id}."""
    for call in (
        s.client.get_order("ord-nope"),
        s.client.modify_order("ord-nope", quantity="2"),
        s.client.cancel_order("ord-nope"),
    ):
        err = await expect_error(call, pe.OrderNotFound, "ORDER_NOT_FOUND")
        assert err.details == {"resource": "order", "id": "ord-nope"}, f"details {err.details}"


@scenario("CF-BAD-009", requires=WIRE)
async def oversized_body(s: Session) -> None:
    """A 2 MiB request body is refused with the protocol's error body (400 or 413), never a 5xx."""
    http = s.http()
    big = order(s, client_order_id="x" * (2 * 1024 * 1024))
    r = await http.post("/v1/orders", json=big)
    error_body(r, (400, 413))


@scenario("CF-BAD-010", requires=WIRE)
async def bad_query_strings(s: Session) -> None:
    """Bad query values (lower-case status, bad limit, timestamp without offset, bad timeframe) are 400 INVALID_REQUEST."""
    http = s.http()
    for path in (
        "/v1/orders?status=open",
        "/v1/orders?status=BOGUS",
        "/v1/orders?limit=-1",
        "/v1/orders?limit=abc",
        "/v1/orders/history?since=2024-01-01T00:00:00",
        "/v1/orders?side=HOLD",
        "/v1/trades?limit=x",
        "/v1/trades?until=yesterday",
        f"/v1/bars/{s.symbol}?timeframe=60m",
        f"/v1/bars/{s.symbol}?timeframe=1H",
        f"/v1/bars/{s.symbol}",
        f"/v1/bars/{s.symbol}?timeframe=1m&limit=ten",
    ):
        r = await http.get(path)
        error_body(r, 400, "INVALID_REQUEST")


@scenario("CF-BAD-011", requires=WIRE)
async def routing_failures(s: Session) -> None:
    """An unknown path is 404 and a wrong method 405 (with Allow), both with code INVALID_REQUEST."""
    http = s.http()
    error_body(await http.get("/v1/nope"), 404, "INVALID_REQUEST")
    r = await http.put("/v1/account", json={})
    error_body(r, 405, "INVALID_REQUEST")
    assert "GET" in r.headers.get("allow", ""), (
        f"405 without a useful Allow header: {r.headers.get('allow')!r}"
    )


@scenario("CF-BAD-012", requires=WIRE)
async def lenient_on_unknown_keys_and_case(s: Session) -> None:
    """Unknown request keys are ignored and lower-case enums accepted: the order is created (201, JSON)."""
    http = s.http()
    r = await http.post(
        "/v1/orders",
        json=order(
            s, side="buy", order_type="market", time_in_force="gtc", strategy_tag="x", nested={"a": [1]}
        ),
    )
    assert r.status_code == 201, f"answered {r.status_code}: {r.text[:300]}"
    assert r.headers["content-type"].startswith("application/json")
    assert r.json().get("id"), f"201 without an id: {r.text[:200]}"


@scenario("CF-BAD-013", requires=WIRE)
async def decimal_forms(s: Session) -> None:
    """JSON numbers are accepted for decimals; exponents, NaN and Infinity are 400 INVALID_REQUEST."""
    http = s.http()
    r = await http.post("/v1/orders", json=order(s, quantity=2))
    assert r.status_code == 201, f"quantity as a JSON number answered {r.status_code}: {r.text[:300]}"
    for q in ('"1e2"', "1e2", "NaN", "Infinity", '"1,000"', '" 1"'):
        head = orjson.dumps({"symbol": s.symbol, "side": "BUY", "order_type": "MARKET"})[:-1]
        content = head + b',"quantity":' + q.encode() + b"}"
        r = await http.post("/v1/orders", content=content, headers={"Content-Type": "application/json"})
        error_body(r, 400, "INVALID_REQUEST")


@scenario("CF-BAD-014")
async def field_lengths(s: Session) -> None:
    """A client_order_id over 64 characters or a symbol over 20 is 400 VALIDATION_ERROR."""
    await expect_error(
        s.client.submit_order(
            symbol=s.symbol, side="BUY", quantity="1", order_type="MARKET", client_order_id="c" * 65
        ),
        pe.ValidationError,
        "VALIDATION_ERROR",
    )
    await expect_error(
        s.client.submit_order(symbol="S" * 21, side="BUY", quantity="1", order_type="MARKET"),
        pe.ValidationError,
        "VALIDATION_ERROR",
    )


@scenario("CF-BAD-015")
async def unknown_symbol(s: Session) -> None:
    """An order for an unknown symbol is 404 SYMBOL_NOT_FOUND (or 422 ORDER_REJECTED)."""
    try:
        await s.client.submit_order(symbol="NOPE123", side="BUY", quantity="1", order_type="MARKET")
    except (pe.SymbolNotFound, pe.OrderRejected):
        return
    raise AssertionError("an order for NOPE123 was accepted")


#: (method, path, JSON body) for every route; `{oid}`/`{pid}` are filled with odd ids.
SWEEP: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/v1/account", None),
    ("POST", "/v1/orders", "garbage"),
    ("GET", "/v1/orders", None),
    ("DELETE", "/v1/orders?symbol=", None),
    ("GET", "/v1/orders/history", None),
    ("GET", "/v1/orders/{oid}", None),
    ("PATCH", "/v1/orders/{oid}", "garbage"),
    ("PATCH", "/v1/orders/{oid}", {"quantity": "-1"}),
    ("DELETE", "/v1/orders/{oid}", None),
    ("GET", "/v1/positions", None),
    ("DELETE", "/v1/positions", None),
    ("GET", "/v1/positions/{pid}", None),
    ("DELETE", "/v1/positions/{pid}", "garbage"),
    ("PATCH", "/v1/positions/{pid}", {}),
    ("PATCH", "/v1/positions/{pid}", {"stop_loss": True}),
    ("GET", "/v1/trades?order_id={oid}", None),
    ("GET", "/v1/quotes/{oid}", None),
    ("GET", "/v1/bars/{oid}?timeframe=1m", None),
    ("GET", "/v1/capabilities", None),
    ("GET", "/v1/status", None),
    ("GET", "/v1/circuit-breakers", None),
    ("POST", "/v1/circuit-breakers/reset", "garbage"),
)
ODD_IDS = ("x" * 5000, "%2F..%2F", "%E2%9C%93", "%00", "ord-000001%3Bdrop", "%25")


@scenario("CF-BAD-016", requires=WIRE)
async def no_route_answers_5xx(s: Session) -> None:
    """Every route, given garbage bodies and odd path ids, answers below 500 and uses the error body for 4xx."""
    http = s.http()
    for method, template, body in SWEEP:
        for odd in ODD_IDS:
            path = template.format(oid=odd, pid=odd)
            kw: dict[str, Any] = {}
            if body == "garbage":
                kw = {"content": b'{"quantity": [', "headers": {"Content-Type": "application/json"}}
            elif body is not None:
                kw = {"json": body}
            r = await http.request(method, path, **kw)
            assert r.status_code < 500, f"{method} {path[:60]} answered {r.status_code}: {r.text[:200]}"
            if r.status_code >= 400:
                error_body(r, r.status_code)
            if "{" not in template:
                break


@scenario("CF-BAD-017")
async def optional_fields_validated(s: Session) -> None:
    """Optional order fields are validated too: display_quantity must be below quantity; leverage and exits positive."""
    c = s.client
    base = {"symbol": s.symbol, "side": "BUY", "quantity": "10", "order_type": "MARKET"}
    for field, value in (
        ("display_quantity", "10"),
        ("display_quantity", "0"),
        ("leverage", "0"),
        ("take_profit", "-1"),
        ("stop_loss", "0"),
    ):
        err = await expect_error(
            c.submit_order(**base, **{field: value}), pe.InvalidValue, "INVALID_VALUE", f"{field}={value}"
        )
        assert isinstance(err.details, dict) and err.details.get("field") == field, (
            f"{field}={value}: details {err.details}"
        )


@scenario("CF-BAD-018", requires={cap.LIMIT_ORDERS, cap.MARKET_ORDERS})
async def amendment_values_validated(s: Session) -> None:
    """PATCH/DELETE bodies are validated: non-positive amendments and closes are 400, an empty exit move is VALIDATION_ERROR."""
    c = s.client
    await s.step()
    q = await c.get_quote(s.symbol)
    low = on_grid(Decimal(q.bid) / 2, q.bid)
    h = await c.submit_order(symbol=s.symbol, side="BUY", quantity="2", order_type="LIMIT", limit_price=low)
    await expect_error(c.modify_order(h.id, quantity="-1"), pe.ValidationError, "VALIDATION_ERROR")
    await expect_error(c.modify_order(h.id, limit_price="0"), pe.InvalidValue, "INVALID_VALUE")
    await c.cancel_order(h.id)
    m = await c.submit_order(symbol=s.symbol, side="BUY", quantity="2", order_type="MARKET")
    await s.until(
        lambda e: getattr(getattr(e, "order", None), "id", None) == m.id and e.order.filled_quantity == "2",
        "the market buy to fill",
    )
    (pos,) = await c.list_positions(s.symbol)
    await expect_error(c.close_position(pos.id, quantity="0"), pe.ValidationError, "VALIDATION_ERROR")
    await expect_error(c.modify_position_exits(pos.id), pe.ValidationError, "VALIDATION_ERROR")


@scenario("CF-BAD-019")
async def notional_sizing_validated(s: Session) -> None:
    """An order is sized by quantity or by notional, never both; notional is MARKET only, without exits, > 0.

    rest.md "Sized by notional": these are the order rules, answered before any venue looks at the
    order, so a venue without the `notional_orders` feature gives the same 400s.
    """
    c = s.client
    base: dict[str, Any] = {"symbol": s.symbol, "side": "BUY", "order_type": "MARKET"}
    cases: list[tuple[dict[str, Any], type[pe.TradewireError], str, str]] = [
        ({"quantity": "1", "notional": "100"}, pe.InvalidValue, "INVALID_VALUE", "quantity"),
        (
            {"notional": "100", "order_type": "LIMIT", "limit_price": "1"},
            pe.InvalidValue,
            "INVALID_VALUE",
            "notional",
        ),
        ({"notional": "100", "stop_loss": "1"}, pe.InvalidValue, "INVALID_VALUE", "stop_loss"),
        ({"notional": "100", "take_profit": "1000000"}, pe.InvalidValue, "INVALID_VALUE", "take_profit"),
        ({"notional": "0"}, pe.ValidationError, "VALIDATION_ERROR", "notional"),
        ({"notional": "-5"}, pe.ValidationError, "VALIDATION_ERROR", "notional"),
    ]
    for fields, error, code, field in cases:
        what = ", ".join(f"{k}={v}" for k, v in fields.items())
        err = await expect_error(c.submit_order(**{**base, **fields}), error, code, what)
        assert isinstance(err.details, dict) and err.details.get("field") == field, (
            f"{what}: details {err.details}"
        )
    assert not await c.list_orders(symbol=s.symbol), "a refused order was created"
