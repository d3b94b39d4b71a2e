"""The wire spec's examples (docs/spec/rest.md), copied verbatim, for every operation of the OpenAPI document."""

# The spec is not installed with the package, so its examples live here as text; the gateway's tests
# check each one against rest.md and against the document's schemas, so a copy that drifts fails.

from __future__ import annotations

from dataclasses import dataclass, field

ACCOUNT = (
    '{"balance":"98493.80","equity":"100012.40","margin_used":"0.00","margin_available":"98493.80",'
    '"unrealized_pnl":"18.60","currency":"USD"}'
)
SUBMIT = (
    '{"symbol":"AAPL","side":"buy","quantity":"10","order_type":"limit","limit_price":"149.50",'
    '"time_in_force":"gtc","client_order_id":"my-1","stop_loss":"145.00","take_profit":"160.00"}'
)
HANDLE = (
    '{"id":"ord-000018","client_order_id":"my-1","correlation_id":"0f6d1d6c-4f2c-4b8e-9a57-6bd0b7c2b1a4",'
    '"status":"OPEN"}'
)
SUBMIT_400 = (
    '{"code":"INVALID_REQUEST","message":"Invalid request: Limit orders require limit_price",'
    '"details":{"field":"limit_price"}}'
)
WORKING_ORDERS = (
    '[{"id":"ord-000018","client_order_id":"my-1","symbol":"AAPL","side":"BUY","order_type":"LIMIT",'
    '"quantity":"10","filled_quantity":"0","remaining_quantity":"10","limit_price":"149.50",'
    '"stop_loss":"145.00","take_profit":"160.00","status":"OPEN",'
    '"correlation_id":"0f6d1d6c-4f2c-4b8e-9a57-6bd0b7c2b1a4","time_in_force":"GTC",'
    '"created_at":"2025-01-15T14:31:00Z","updated_at":"2025-01-15T14:31:00Z"}]'
)
CANCEL_ALL = '{"cancelled_count":2,"failed_count":0}'
FILLED_ORDER = (
    '{"id":"ord-000017","symbol":"AAPL","side":"BUY","order_type":"MARKET","quantity":"10",'
    '"filled_quantity":"10","remaining_quantity":"0","average_fill_price":"150.02","status":"FILLED",'
    '"time_in_force":"GTC","created_at":"2025-01-15T14:30:00.004Z","updated_at":"2025-01-15T14:30:00.051Z"}'
)
MODIFY = '{"limit_price":"149.00"}'
MODIFIED = (
    '{"order":{"id":"ord-000018","client_order_id":"my-1","symbol":"AAPL","side":"BUY","order_type":"LIMIT",'
    '"quantity":"10","filled_quantity":"0","remaining_quantity":"10","limit_price":"149.00","status":"OPEN",'
    '"time_in_force":"GTC","created_at":"2025-01-15T14:31:00Z","updated_at":"2025-01-15T14:31:05Z"}}'
)
CANCELLED = (
    '{"success":true,"order":{"id":"ord-000018","symbol":"AAPL","side":"BUY","order_type":"LIMIT",'
    '"quantity":"10","filled_quantity":"0","remaining_quantity":"10","limit_price":"149.00",'
    '"status":"CANCELLED","time_in_force":"GTC","created_at":"2025-01-15T14:31:00Z",'
    '"updated_at":"2025-01-15T14:31:09Z"}}'
)
POSITION = (
    '{"id":"pos-AAPL","symbol":"AAPL","side":"LONG","quantity":"10","average_entry_price":"150.02",'
    '"current_price":"151.88","unrealized_pnl":"18.60","realized_pnl":"0.00",'
    '"opened_at":"2025-01-15T14:30:00.051Z","updated_at":"2025-01-15T14:35:00Z"}'
)
CLOSE = '{"quantity":"4"}'
CLOSED = '{"id":"ord-000019","status":"FILLED"}'
CLOSED_ALL = '[{"id":"ord-000020","status":"FILLED"}]'
EXITS = '{"stop_loss":"147.00"}'
EXITS_MOVED = '{"position_id":"pos-AAPL","stop_loss":{"order_ids":["ord-000021"],"trigger_price":"147.00"}}'
TRADES = (
    '[{"id":"trd-000031","order_id":"ord-000017","symbol":"AAPL","side":"BUY","quantity":"10",'
    '"price":"150.02","commission":"0.00","commission_currency":"USD","is_maker":false,'
    '"timestamp":"2025-01-15T14:30:00.051Z"}]'
)
QUOTE = (
    '{"symbol":"AAPL","provider":"alpaca","bid":"150.00","bid_size":"200","ask":"150.05","ask_size":"100",'
    '"last":"150.02","volume":"1250300","timestamp":"2025-01-15T14:30:00.120Z"}'
)
BARS = (
    '[{"symbol":"AAPL","provider":"alpaca","timeframe":"1m","timestamp":"2025-01-15T14:28:00Z",'
    '"open":"149.90","high":"150.10","low":"149.85","close":"150.00","volume":"10400"},'
    '{"symbol":"AAPL","provider":"alpaca","timeframe":"1m","timestamp":"2025-01-15T14:29:00Z",'
    '"open":"150.00","high":"150.20","low":"149.95","close":"150.02","volume":"9800"}]'
)
CAPABILITIES = (
    '{"supported_asset_classes":["STOCK"],'
    '"supported_order_types":["MARKET","LIMIT","STOP","STOP_LIMIT","TRAILING_STOP"],'
    '"position_mode":"NETTING","features":["bracket_orders"],"rate_limits":{"requests_per_minute":200}}'
)
STATUS = '{"connected":true,"latency_ms":12,"last_heartbeat":"2025-01-15T14:30:05Z"}'
BREAKERS = (
    '{"adapter":{"state":"closed","failure_count":0},"exit_order":{"state":"closed","failure_count":0}}'
)
LIVE = '{"status":"ok"}'
READY = '{"ready":true,"providers":["alpaca-paper"],"provider_count":1}'
NOT_READY = '{"ready":false,"providers":[],"provider_count":0,"message":"Gateway is shutting down"}'
HEALTH = (
    '{"status":"connected","version":"0.3.0","git_sha":"unknown","providers":[{"platform":"mock","connected":true}],'
    '"run_id":"06p6k8s3m1a7q"}'
)


@dataclass(frozen=True)
class Example:
    """One operation's examples: the request line (its path and query give the parameters), the body
    sent, and the body answered per status."""

    request_line: str
    body: str | None = None
    responses: dict[str, str] = field(default_factory=dict)


#: operationId → its examples. Request lines the spec does not print use the ids of its examples.
EXAMPLES: dict[str, Example] = {
    "getAccount": Example("GET /v1/account", responses={"200": ACCOUNT}),
    "submitOrder": Example("POST /v1/orders", SUBMIT, {"201": HANDLE, "400": SUBMIT_400}),
    "listOrders": Example(
        "GET /v1/orders?symbol=AAPL&status=OPEN,PENDING&limit=50", None, {"200": WORKING_ORDERS}
    ),
    "cancelAllOrders": Example("DELETE /v1/orders?symbol=AAPL", None, {"200": CANCEL_ALL}),
    "listOrderHistory": Example("GET /v1/orders/history", None, {"200": f"[{FILLED_ORDER}]"}),
    "getOrder": Example("GET /v1/orders/ord-000017", None, {"200": FILLED_ORDER}),
    "modifyOrder": Example("PATCH /v1/orders/ord-000018", MODIFY, {"200": MODIFIED}),
    "cancelOrder": Example("DELETE /v1/orders/ord-000018", None, {"200": CANCELLED}),
    "listPositions": Example("GET /v1/positions?symbol=AAPL", None, {"200": f"[{POSITION}]"}),
    "closeAllPositions": Example("DELETE /v1/positions", None, {"200": CLOSED_ALL}),
    "getPosition": Example("GET /v1/positions/pos-AAPL", None, {"200": POSITION}),
    "closePosition": Example("DELETE /v1/positions/pos-AAPL", CLOSE, {"200": CLOSED}),
    "modifyPositionExits": Example("PATCH /v1/positions/pos-AAPL", EXITS, {"200": EXITS_MOVED}),
    "listTrades": Example("GET /v1/trades?symbol=AAPL&limit=1", None, {"200": TRADES}),
    "getQuote": Example("GET /v1/quotes/AAPL", None, {"200": QUOTE}),
    "getBars": Example("GET /v1/bars/AAPL?timeframe=1m&limit=2", None, {"200": BARS}),
    "getCapabilities": Example("GET /v1/capabilities", None, {"200": CAPABILITIES}),
    "getStatus": Example("GET /v1/status", None, {"200": STATUS}),
    "getCircuitBreakers": Example("GET /v1/circuit-breakers", None, {"200": BREAKERS}),
    "resetCircuitBreakers": Example("POST /v1/circuit-breakers/reset", None, {"200": BREAKERS}),
    "livez": Example("GET /livez", None, {"200": LIVE}),
    "readyz": Example("GET /readyz", None, {"200": READY, "503": NOT_READY}),
    "health": Example("GET /health", None, {"200": HEALTH}),
    # Prometheus text: the spec fixes the format, not the metrics (they are Tradewire's own).
    "metrics": Example("GET /metrics"),
}
