"""OpenAPI seam: the document built from the wire table matches the codec, and a schemathesis run
against the live mock gateway finds no 5xx and no response that breaks the document."""

from __future__ import annotations

import re

import schemathesis
from harness import AUTH
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tradewire.gateway.openapi import DECIMAL_PATTERN, OPERATIONS, build
from tradewire.protocol import codec
from tradewire.protocol._generated.wire_table import ENUMS, MESSAGES
from tradewire.protocol.messages import Side


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
