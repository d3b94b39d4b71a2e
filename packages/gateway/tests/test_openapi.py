"""OpenAPI seam: the document built from the wire table matches the codec and says exactly what the
server enforces (limit, positivity, lengths, decimal bounds, price rules per order type, OPTIONS,
links), and a schemathesis run against the live mock gateway finds no 5xx and no response that breaks
the document. (`nox -s schemathesis` runs every check and the stateful phase against a live gateway.)"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from harness import AUTH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tradewire.gateway.openapi import DECIMAL_PATTERN, OPERATIONS, build
from tradewire.gateway.openapi_input import LARGEST_NUMBER, QUERY_INT_DIGITS
from tradewire.protocol import codec, decimals, routes
from tradewire.protocol._generated.wire_table import ENUMS, MESSAGES
from tradewire.protocol.messages import Side
from tradewire.protocol.order_rules import MAX_ID, MAX_SYMBOL, PRICE_RULES

DOC = build()
SCHEMAS = DOC["components"]["schemas"]
#: operationId → (path, method, operation).
OPS = {
    op["operationId"]: (path, method, op)
    for path, item in DOC["paths"].items()
    for method, op in item.items()
}
#: path → its GET operation, for the list routes that take `limit`.
OPS_BY_PATH = {OPS[i][0]: OPS[i][2] for i in ("listOrders", "listOrderHistory", "listTrades", "getBars")}


def valid(schema: dict[str, Any], instance: Any) -> bool:
    """Whether `instance` is valid for `schema`, a schema of the document (its $refs resolve)."""
    return Draft202012Validator({**schema, "components": DOC["components"]}).is_valid(instance)


def body_schema(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_document_follows_the_wire_table():
    doc = build()
    schemas = doc["components"]["schemas"]
    order = schemas["Order"]
    required = [f["name"] for f in MESSAGES["Order"]["fields"] if f["required"] and not f["repeated"]]
    assert order["required"] == required
    assert order["properties"]["quantity"] == {
        "type": "string",
        "pattern": DECIMAL_PATTERN,
        "description": "Decimal as a JSON string",
    }
    assert order["properties"]["side"] == {"$ref": "#/components/schemas/Side"}
    assert schemas["Side"]["enum"] == list(ENUMS["Side"]["emit"].values()) == ["BUY", "SELL"]
    assert set(schemas["SideInput"]["enum"]) == {"BUY", "SELL", "buy", "sell"}
    assert schemas["SubmitOrderRequest"]["properties"]["side"] == {"$ref": "#/components/schemas/SideInput"}
    assert schemas["Timeframe"]["enum"][0] == "1m"
    assert schemas["CandleEvent"]["properties"]["type"] == {"type": "string", "const": "candle"}
    assert codec.enum_spelling(Side.BUY) in schemas["Side"]["enum"]
    assert re.fullmatch(DECIMAL_PATTERN, "-150.25") and not re.fullmatch(DECIMAL_PATTERN, "1e5")
    paths = {(method, path) for method, path, *_ in OPERATIONS}
    assert ("get", "/v1/orders/history") in paths and len(paths) == len(OPERATIONS)
    assert doc["paths"]["/livez"]["get"]["security"] == []


# The document is static (built from the wire table), so it loads at collection time; test_served_document
# pins that the server publishes exactly this document.
schema = schemathesis.openapi.from_dict(build())


def test_served_document(gw):
    import httpx

    served = httpx.get(gw.url + "/api-docs/openapi.json", headers=AUTH).json()
    assert served == build()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case, gw):
    case.call_and_validate(
        base_url=gw.url,
        headers=AUTH,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


# -- limit: any count up to the query decoder's 12 digits, capped at MAX_LIMIT, never silently refused --


@pytest.mark.parametrize("path", [routes.ORDERS, routes.ORDERS_HISTORY, routes.TRADES, "/v1/bars/AAPL"])
def test_limit_is_documented_as_the_server_reads_it(gw, path):
    template = path if path != "/v1/bars/AAPL" else routes.BARS
    (param,) = [p for p in OPS_BY_PATH[template]["parameters"] if p["name"] == "limit"]
    schema = param["schema"]
    assert schema["minimum"] == 0 and schema["maximum"] == 10**QUERY_INT_DIGITS - 1
    assert f"counts as {routes.MAX_LIMIT}" in schema["description"]
    extra = {"timeframe": "1m"} if "bars" in path else {}
    with gw.client() as c:
        for limit in (0, routes.MAX_LIMIT, routes.MAX_LIMIT + 1, schema["maximum"]):
            assert valid(schema, limit)
            assert c.get(path, params={**extra, "limit": limit}).status_code == 200, limit
        for limit in (-1, schema["maximum"] + 1):
            assert not valid(schema, limit)
            r = c.get(path, params={**extra, "limit": limit})
            assert r.status_code == 400 and r.json()["details"] == {"field": "limit"}, limit


def test_limit_above_the_maximum_counts_as_the_maximum(gw):
    """The cap is in the document, not silent: a larger limit returns what MAX_LIMIT returns."""
    with gw.client() as c:
        c.post(routes.ORDERS, json={"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "MARKET"})
        capped = c.get(routes.ORDERS_HISTORY, params={"limit": routes.MAX_LIMIT}).json()
        assert capped and c.get(routes.ORDERS_HISTORY, params={"limit": 10**11}).json() == capped


# -- positivity, lengths and decimal bounds of request bodies --------------------------------------

#: message → (method, path, a valid body). Unknown ids: validation answers before the venue's 404.
BODIES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "SubmitOrderRequest": (
        "POST",
        routes.ORDERS,
        {"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "MARKET"},
    ),
    "ModifyOrderRequest": ("PATCH", "/v1/orders/ord-none", {}),
    "ClosePositionRequest": ("DELETE", "/v1/positions/pos-none", {}),
    "ModifyPositionExitsRequest": ("PATCH", "/v1/positions/pos-none", {"stop_loss": "1"}),
}
#: What a submitted order needs besides the field itself for the field to be allowed.
NEEDS: dict[str, dict[str, str]] = {
    "limit_price": {"order_type": "LIMIT"},
    "stop_price": {"order_type": "STOP"},
    "trailing_distance": {"order_type": "TRAILING_STOP", "trailing_type": "ABSOLUTE"},
    "display_quantity": {"quantity": "100"},
    "notional": {"quantity": None},
}
DECIMAL_FIELDS = [
    (message, f["name"]) for message in BODIES for f in MESSAGES[message]["fields"] if f["kind"] == "decimal"
]


def _send(gw: Any, message: str, **fields: Any) -> Any:
    method, path, base = BODIES[message]
    body = {
        **base,
        **(NEEDS.get(next(iter(fields)), {}) if message == "SubmitOrderRequest" else {}),
        **fields,
    }
    with gw.client() as c:
        return body, c.request(method, path, json=body)


@pytest.mark.parametrize(("message", "field"), DECIMAL_FIELDS)
def test_every_decimal_a_client_sends_is_documented_above_zero(gw, message, field):
    for bad in ("0", "0.000", "-1", 0, -2.5):
        body, r = _send(gw, message, **{field: bad})
        assert not valid(body_schema(message), body), body
        assert r.status_code == 400 and r.json()["details"]["field"] == field, (body, r.text)
    for good in ("0.5", "00010", 3, 2.5):
        body, r = _send(gw, message, **{field: good})
        assert valid(body_schema(message), body), body
        assert r.status_code != 400, (body, r.text)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("1" * decimals.MAX_DIGITS, True),
        ("1" * (decimals.MAX_DIGITS + 1), False),
        ("0." + "0" * 61 + "1", True),  # 64 characters, one significant digit
        ("0." + "0" * 62 + "1", False),  # 65 characters
        ("1e5", False),
        (".5", False),
    ],
)
def test_decimal_bounds_are_documented(gw, text, accepted):
    body, r = _send(gw, "SubmitOrderRequest", quantity=text)
    assert valid(body_schema("SubmitOrderRequest"), body) is accepted
    assert (r.status_code != 400) is accepted, r.text


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A-?[0-9]{1,45}(\.[0-9]{1,45})?\Z"))
def test_decimal_text_schema_agrees_with_the_protocol(text):
    """The document's string form of a decimal is valid exactly when the protocol takes it (and > 0)."""
    expected = Decimal(text) > 0 and decimals.excess(text) is None
    assert valid(SCHEMAS["PositiveDecimalInput"], text) is expected


def test_json_numbers_are_bounded_like_their_text():
    schema = SCHEMAS["PositiveDecimalInput"]
    assert valid(schema, 10**decimals.MAX_DIGITS - 1) and not valid(schema, 10**decimals.MAX_DIGITS)
    assert LARGEST_NUMBER == 10**decimals.MAX_DIGITS - 1 and not valid(schema, 0)


@pytest.mark.parametrize(
    ("field", "lengths"),
    [("symbol", (1, MAX_SYMBOL)), ("client_order_id", (0, MAX_ID)), ("oco_group_id", (0, MAX_ID))],
)
def test_string_lengths_are_documented(gw, field, lengths):
    shortest, longest = lengths
    for text, accepted in (("X" * longest, True), ("X" * (longest + 1), False), ("X" * shortest, True)):
        body, r = _send(gw, "SubmitOrderRequest", **{field: text})
        assert valid(body_schema("SubmitOrderRequest"), body) is accepted, text
        assert (r.status_code != 400) is accepted, r.text
    if shortest:
        body, r = _send(gw, "SubmitOrderRequest", **{field: "X" * (shortest - 1)})
        assert not valid(body_schema("SubmitOrderRequest"), body) and r.status_code == 400


# -- price fields per order type -------------------------------------------------------------------

PRICES = {"limit_price": "1000", "stop_price": "1", "trailing_distance": "5", "trailing_type": "ABSOLUTE"}


@pytest.mark.parametrize("order_type", list(PRICE_RULES), ids=lambda t: t.name)
def test_price_rules_per_order_type_are_documented(gw, order_type):
    required, forbidden = PRICE_RULES[order_type]
    base = {"symbol": "AAPL", "side": "SELL", "quantity": "1", "order_type": codec.enum_spelling(order_type)}
    base |= {name: PRICES[name] for name in required}
    schema = body_schema("SubmitOrderRequest")
    with gw.client() as c:
        assert valid(schema, base) and c.post(routes.ORDERS, json=base).status_code != 400
        for name in required:
            body = {k: v for k, v in base.items() if k != name}
            r = c.post(routes.ORDERS, json=body)
            assert not valid(schema, body) and r.status_code == 400 and r.json()["details"]["field"] == name
            assert not valid(schema, {**body, name: None}), "null is absent"
        for name in forbidden:
            body = {**base, name: PRICES[name]}
            r = c.post(routes.ORDERS, json=body)
            assert not valid(schema, body) and r.status_code == 400 and r.json()["details"]["field"] == name
            assert valid(schema, {**base, name: None}), "null is absent"


def test_a_percent_trailing_distance_is_documented_below_100(gw):
    base = {
        "symbol": "AAPL",
        "side": "SELL",
        "quantity": "1",
        "order_type": "trailing_stop",
        "trailing_type": "percent",
    }
    schema = body_schema("SubmitOrderRequest")
    with gw.client() as c:
        for distance, accepted in (("99.99", True), ("100", False), (99, True), (100.5, False)):
            body = {**base, "trailing_distance": distance}
            assert valid(schema, body) is accepted, distance
            assert (c.post(routes.ORDERS, json=body).status_code != 400) is accepted, distance


def test_close_and_exit_rules_are_documented(gw):
    close, exits = body_schema("ClosePositionRequest"), body_schema("ModifyPositionExitsRequest")
    with gw.client() as c:
        for body, accepted in (
            ({}, True),
            ({"order_type": "market"}, True),
            ({"order_type": "LIMIT", "limit_price": "1"}, True),
            ({"order_type": "LIMIT"}, False),
            ({"order_type": "STOP"}, False),
        ):
            assert valid(close, body) is accepted, body
            assert (
                c.request("DELETE", "/v1/positions/pos-none", json=body).status_code == 404
            ) is accepted, body
        for body, accepted in (({"take_profit": "2"}, True), ({}, False), ({"stop_loss": None}, False)):
            assert valid(exits, body) is accepted, body
            assert (c.patch("/v1/positions/pos-none", json=body).status_code == 404) is accepted, body


# -- OPTIONS: 204 with every method of the path ----------------------------------------------------


def test_options_allow_lists_every_documented_method(gw):
    with gw.client() as c:
        for path, item in DOC["paths"].items():
            r = c.options(path.format(order_id="ord-1", position_id="pos-AAPL", symbol="BTC%2FUSD"))
            assert r.status_code == 204, path
            assert set(r.headers["allow"].split(", ")) == {m.upper() for m in item} | {"OPTIONS"}, path


def test_options_needs_the_key_where_the_methods_do(gw):
    import httpx

    assert httpx.options(gw.url + routes.LIVEZ).status_code == 204
    assert httpx.options(gw.url + routes.ORDERS).status_code == 401


# -- links: from POST /v1/orders and the lists to the item routes ----------------------------------


def _links(operation_id: str) -> dict[str, Any]:
    _, _, op = OPS[operation_id]
    (success,) = [r for code, r in op["responses"].items() if code.startswith("2")]
    return success.get("links", {})


def test_links_reach_the_item_routes():
    for source, item, parameter, expression in [
        ("submitOrder", ("getOrder", "modifyOrder", "cancelOrder"), "order_id", "$response.body#/id"),
        ("listOrders", ("getOrder", "modifyOrder", "cancelOrder"), "order_id", "$response.body#/0/id"),
        ("listOrderHistory", ("getOrder",), "order_id", "$response.body#/0/id"),
        (
            "listPositions",
            ("getPosition", "closePosition", "modifyPositionExits"),
            "position_id",
            "$response.body#/0/id",
        ),
        ("listTrades", ("getOrder",), "order_id", "$response.body#/0/order_id"),
    ]:
        linked = {link["operationId"]: link["parameters"] for link in _links(source).values()}
        for target in item:
            assert linked[target][parameter] == expression, (source, target)


def test_every_link_fills_its_targets_path():
    for source in OPS:
        for link in _links(source).values():
            path, _, _ = OPS[link["operationId"]]
            assert set(re.findall(r"{(\w+)}", path)) <= set(link["parameters"]), (source, link)
            assert all(
                e.startswith(("$response.body#/", "$request.body#/")) for e in link["parameters"].values()
            )


def _follow(expression: str, request: Any, response: Any) -> Any:
    source, pointer = expression.split("#", 1)
    value = request if source == "$request.body" else response
    for part in pointer.strip("/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def test_links_resolve_on_live_responses(fresh):
    order = {"symbol": "AAPL", "side": "BUY", "quantity": "1", "order_type": "LIMIT", "limit_price": "1.00"}
    with fresh.client() as c:
        r = c.post(routes.ORDERS, json=order)
        assert r.status_code == 201
        steps = [("submitOrder", order, r.json()), ("listOrders", None, c.get(routes.ORDERS).json())]
        c.post(routes.ORDERS, json={**order, "order_type": "MARKET", "limit_price": None})
        steps.append(("listPositions", None, c.get(routes.POSITIONS).json()))
        for source, request, response in steps:
            for link in _links(source).values():
                target, method, _ = OPS[link["operationId"]]
                if method != "get":
                    continue
                values = {k: _follow(e, request, response) for k, e in link["parameters"].items()}
                path = routes.path(target, **{k: v for k, v in values.items() if "{" + k + "}" in target})
                query = {k: v for k, v in values.items() if "{" + k + "}" not in target}
                if target == routes.BARS:
                    query["timeframe"] = "1m"
                assert c.get(path, params=query).status_code == 200, (source, link)
