"""OpenAPI 3.1 document built from the protocol's wire table, so it describes exactly what the codec does."""

from __future__ import annotations

import functools
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from tradewire.gateway import openapi_input
from tradewire.gateway.openapi_examples import EXAMPLES
from tradewire.gateway.openapi_links import links
from tradewire.gateway.version import __version__
from tradewire.protocol import routes
from tradewire.protocol._generated.wire_table import ENUMS, MESSAGES

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
#: Messages clients send as bodies or queries: their enums accept the aliases (`buy`, `gtc`).
INPUT_MESSAGES = frozenset(
    {
        "SubmitOrderRequest",
        "ModifyOrderRequest",
        "ClosePositionRequest",
        "ModifyPositionExitsRequest",
        "ListOrdersRequest",
        "ListTradesRequest",
        "GetBarsRequest",
        "EventAck",
        "ClientMessage",
        "Pong",
    }
)
ERROR_STATUSES = {
    "400": (
        "Invalid request (bad JSON or Content-Type, repeated key, wrong type, unknown enum value, "
        "rule broken)"
    ),
    "401": "Missing or invalid API key",
    "404": "Unknown id or symbol",
    "409": "Not modifiable in its current state",
    "413": "Request body too large",
    "422": "Rejected by the venue",
    "429": "Rate limited",
    "500": "Internal error",
    "501": "Not supported by the venue",
    "502": "Venue error",
    "503": "Venue unavailable or gateway shutting down",
}

# (method, path, operationId, summary, request body, response, success status, query message)
Op = tuple[str, str, str, str, str | None, str | None, int, str | None]
OPERATIONS: tuple[Op, ...] = (
    ("get", routes.ACCOUNT, "getAccount", "Balances and margin", None, "Account", 200, None),
    ("post", routes.ORDERS, "submitOrder", "Submit an order", "SubmitOrderRequest", "OrderHandle", 201, None),
    (
        "get",
        routes.ORDERS,
        "listOrders",
        "Working orders, newest first",
        None,
        "[Order]",
        200,
        "ListOrdersRequest",
    ),
    (
        "delete",
        routes.ORDERS,
        "cancelAllOrders",
        "Cancel every working order",
        None,
        "CancelAllResult",
        200,
        "symbol",
    ),
    (
        "get",
        routes.ORDERS_HISTORY,
        "listOrderHistory",
        "Finished orders, newest first",
        None,
        "[Order]",
        200,
        "ListOrdersRequest",
    ),
    ("get", routes.ORDER, "getOrder", "One order in any state", None, "Order", 200, None),
    (
        "patch",
        routes.ORDER,
        "modifyOrder",
        "Amend a working order",
        "ModifyOrderRequest",
        "ModifyOrderResult",
        200,
        None,
    ),
    ("delete", routes.ORDER, "cancelOrder", "Cancel one order", None, "CancelOrderResult", 200, None),
    ("get", routes.POSITIONS, "listPositions", "Open positions", None, "[Position]", 200, "symbol"),
    (
        "delete",
        routes.POSITIONS,
        "closeAllPositions",
        "Close every open position at market",
        None,
        "[OrderHandle]",
        200,
        "symbol",
    ),
    ("get", routes.POSITION, "getPosition", "One open position", None, "Position", 200, None),
    (
        "delete",
        routes.POSITION,
        "closePosition",
        "Close a position (body optional)",
        "ClosePositionRequest?",
        "OrderHandle",
        200,
        None,
    ),
    (
        "patch",
        routes.POSITION,
        "modifyPositionExits",
        "Move stop-loss / take-profit",
        "ModifyPositionExitsRequest",
        "ModifyPositionExitsResult",
        200,
        None,
    ),
    ("get", routes.TRADES, "listTrades", "Fills, newest first", None, "[Trade]", 200, "ListTradesRequest"),
    ("get", routes.QUOTE, "getQuote", "Latest bid/ask/last", None, "Quote", 200, None),
    ("get", routes.BARS, "getBars", "Historical bars, oldest first", None, "[Bar]", 200, "GetBarsRequest"),
    (
        "get",
        routes.CAPABILITIES,
        "getCapabilities",
        "What the venue supports",
        None,
        "Capabilities",
        200,
        None,
    ),
    ("get", routes.STATUS, "getStatus", "Venue connection state", None, "ConnectionStatus", 200, None),
    (
        "get",
        routes.CIRCUIT_BREAKERS,
        "getCircuitBreakers",
        "Breaker states",
        None,
        "CircuitBreakerStatusResponse",
        200,
        None,
    ),
    (
        "post",
        routes.CIRCUIT_BREAKERS_RESET,
        "resetCircuitBreakers",
        "Close both breakers",
        None,
        "CircuitBreakerStatusResponse",
        200,
        None,
    ),
    ("get", routes.LIVEZ, "livez", "Liveness probe", None, "HealthStatus", 200, None),
    ("get", routes.READYZ, "readyz", "Readiness probe (503 when not ready)", None, "ReadyStatus", 200, None),
    ("get", routes.HEALTH, "health", "Detailed health", None, "DetailedHealthStatus", 200, None),
    ("get", routes.METRICS, "metrics", "Prometheus metrics", None, None, 200, None),
)
# The spec's unauthenticated routes, less /metrics: it shows order counts, so the gateway asks for the
# key there unless configured with `public_metrics` (the document describes the default).
PUBLIC = routes.PUBLIC - {routes.METRICS}


def _enum_name(name: str, input_side: bool) -> str:
    table = ENUMS[name]
    if input_side and set(table["accept"]) != set(table["emit"].values()):
        return name + "Input"
    return name


def _kind_schema(kind: str, input_side: bool) -> dict[str, Any]:
    if kind == "string":
        return {"type": "string"}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "int":
        return {"type": "integer", "format": "int32"}
    if kind == "decimal":
        return {"type": "string", "pattern": DECIMAL_PATTERN, "description": "Decimal as a JSON string"}
    if kind == "timestamp":
        return {"type": "string", "format": "date-time", "description": "RFC 3339 UTC timestamp"}
    if kind == "json":
        return {}
    if kind.startswith("enum:"):
        return {"$ref": f"#/components/schemas/{_enum_name(kind[5:], input_side)}"}
    if kind.startswith("message:"):
        return {"$ref": f"#/components/schemas/{kind[8:]}"}
    raise ValueError(kind)


def message_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one wire message, from the wire table."""
    spec = MESSAGES[name]
    input_side = name in INPUT_MESSAGES
    if spec["tagged_union"]:
        refs = [{"$ref": f"#/components/schemas/{f['kind'][8:]}"} for f in spec["fields"]]
        mapping = {
            MESSAGES[f["kind"][8:]]["type_tag"]: f"#/components/schemas/{f['kind'][8:]}"
            for f in spec["fields"]
        }
        return {"oneOf": refs, "discriminator": {"propertyName": "type", "mapping": mapping}}
    props: dict[str, Any] = {}
    required: list[str] = []
    if spec["type_tag"]:
        props["type"] = {"type": "string", "const": spec["type_tag"]}
        required.append("type")
    body = name in openapi_input.BODY_MESSAGES
    for f in spec["fields"]:
        schema = _kind_schema(f["kind"], input_side)
        if f["repeated"]:
            schema = {"type": "array", "items": schema}
        elif body:
            schema = openapi_input.body_field(name, f["name"], f["kind"], schema, f["required"])
        props[f["name"]] = schema
        if f["required"] and not f["repeated"]:
            required.append(f["name"])
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    # Servers ignore unknown request keys; responses carry exactly the schema's fields.
    out["additionalProperties"] = input_side
    rules = openapi_input.BODY_RULES.get(name)
    if rules is not None:
        out.update(rules())
    return out


def enum_schemas() -> dict[str, Any]:
    """Enum schemas: emitted spellings, plus `<Name>Input` with the accepted aliases where they differ."""
    out: dict[str, Any] = {}
    for name, table in ENUMS.items():
        out[name] = {"type": "string", "enum": list(table["emit"].values())}
        if set(table["accept"]) != set(table["emit"].values()):
            out[name + "Input"] = {"type": "string", "enum": sorted(table["accept"])}
    return out


def _query_params(message: str) -> list[dict[str, Any]]:
    if message == "symbol":
        return [{"name": "symbol", "in": "query", "required": False, "schema": {"type": "string"}}]
    params = []
    for f in MESSAGES[message]["fields"]:
        if message == "GetBarsRequest" and f["name"] == "symbol":
            continue
        schema = _kind_schema(f["kind"], True)
        if f["name"] == "limit":
            schema = openapi_input.limit_param()
        param: dict[str, Any] = {"name": f["name"], "in": "query", "required": f["required"]}
        if f["repeated"]:
            items = openapi_input.query_list_item(f["kind"][5:]) if f["kind"].startswith("enum:") else schema
            param.update(schema={"type": "array", "items": items}, style="form", explode=True)
        else:
            param["schema"] = schema
        params.append(param)
    return params


def _json(schema: dict[str, Any], example: str | None = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = orjson.loads(example)
    return {"application/json": media}


def parameter_examples(path: str, request_line: str) -> dict[str, Any]:
    """Parameter name → value, read from an example request line such as `GET /v1/orders?limit=50`."""
    url = urlsplit(request_line.split(" ", 1)[1])
    out: dict[str, Any] = {}
    for template, value in zip(path.split("/"), url.path.split("/"), strict=True):
        if template.startswith("{"):
            out[template[1:-1]] = value
    for name, values in parse_qs(url.query).items():
        if name == "status":
            out[name] = [part for v in values for part in v.split(",")]
        elif name == "limit":
            out[name] = int(values[0])
        else:
            out[name] = values[0]
    return out


def build() -> dict[str, Any]:
    """The whole OpenAPI document."""
    schemas: dict[str, Any] = {name: message_schema(name) for name in MESSAGES}
    schemas.update(enum_schemas())
    schemas.update(openapi_input.component_schemas())
    paths: dict[str, Any] = {}
    for method, path, op_id, summary, request, response, status, query in OPERATIONS:
        op: dict[str, Any] = {"operationId": op_id, "summary": summary, "responses": {}}
        example = EXAMPLES[op_id]
        if example.request_line.split(" ", 1)[0].lower() != method:
            raise ValueError(f"{op_id}: example request line {example.request_line!r} is not a {method}")
        values = parameter_examples(path, example.request_line)
        params = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            for p in ("order_id", "position_id", "symbol")
            if "{" + p + "}" in path
        ]
        if query:
            params += _query_params(query)
        for param in params:
            if param["name"] in values:
                param["example"] = values[param["name"]]
        if params:
            op["parameters"] = params
        if request:
            optional = request.endswith("?")
            op["requestBody"] = {
                "required": not optional,
                "content": _json({"$ref": f"#/components/schemas/{request.rstrip('?')}"}, example.body),
            }
        if response is None:
            op["responses"][str(status)] = {
                "description": "Prometheus text",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        else:
            if response.startswith("["):
                schema: dict[str, Any] = {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/{response[1:-1]}"},
                }
            else:
                schema = {"$ref": f"#/components/schemas/{response}"}
            success = {"description": "Success", "content": _json(schema, example.responses.get(str(status)))}
            if op_links := links(op_id):
                success["links"] = op_links
            op["responses"][str(status)] = success
        if path in PUBLIC:
            op["security"] = []
            if path == routes.READYZ:
                op["responses"]["503"] = {
                    "description": "Not ready",
                    "content": _json(
                        {"$ref": "#/components/schemas/ReadyStatus"}, example.responses.get("503")
                    ),
                }
        else:
            for code, text in ERROR_STATUSES.items():
                op["responses"][code] = {
                    "description": text,
                    "content": _json({"$ref": "#/components/schemas/ErrorBody"}, example.responses.get(code)),
                }
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tradewire gateway",
            "version": __version__,
            "description": (
                "The Tradewire wire API (compatible with Tektii's public Trading Gateway API). The event "
                f"stream is a WebSocket at `{routes.WS}` (see events.md); it is not described here."
            ),
        },
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }


@functools.cache
def document_bytes() -> bytes:
    """The document as JSON bytes (built once).

    The standard library's encoder, not orjson: the document holds integers beyond 64 bits (the
    largest JSON number a decimal may be).
    """
    return json.dumps(build(), separators=(",", ":"), ensure_ascii=False).encode()
