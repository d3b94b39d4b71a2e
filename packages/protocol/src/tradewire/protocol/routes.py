"""Route paths and stream constants shared by the gateway and the clients (spec: rest.md route table)."""

from __future__ import annotations

from typing import Final

ACCOUNT: Final = "/v1/account"
ORDERS: Final = "/v1/orders"
ORDERS_HISTORY: Final = "/v1/orders/history"
ORDER: Final = "/v1/orders/{order_id}"
POSITIONS: Final = "/v1/positions"
POSITION: Final = "/v1/positions/{position_id}"
TRADES: Final = "/v1/trades"
QUOTE: Final = "/v1/quotes/{symbol}"
BARS: Final = "/v1/bars/{symbol}"
CAPABILITIES: Final = "/v1/capabilities"
STATUS: Final = "/v1/status"
CIRCUIT_BREAKERS: Final = "/v1/circuit-breakers"
CIRCUIT_BREAKERS_RESET: Final = "/v1/circuit-breakers/reset"
WS: Final = "/v1/ws"
LIVEZ: Final = "/livez"
READYZ: Final = "/readyz"
HEALTH: Final = "/health"
METRICS: Final = "/metrics"
OPENAPI: Final = "/api-docs/openapi.json"
DOCS: Final = "/docs"

#: Routes that never require the API key.
PUBLIC: Final = frozenset({LIVEZ, READYZ, HEALTH, METRICS})

#: Query parameter that opts a WebSocket client into the batched framing extension.
FRAMING_PARAM: Final = "framing"
FRAMING_BATCH: Final = "batch"

#: Environment variables clients read (the TEKTII_ names take precedence).
ENV_URL: Final = ("TEKTII_TRADING_GATEWAY_URL", "TRADING_GATEWAY_URL")
#: The API key variables, read by the clients and by the gateway alike (the first set wins), so one
#: variable serves both ends: Tradewire's own, then the spec's client names, then the server alias.
ENV_API_KEY: Final = (
    "TRADEWIRE_API_KEY",
    "TEKTII_TRADING_GATEWAY_API_KEY",
    "TRADING_GATEWAY_API_KEY",
    "GATEWAY_API_KEY",
)
#: The gateway's key variables: the same names (kept for importers of this name).
ENV_SERVER_API_KEY: Final = ENV_API_KEY
DEFAULT_URL: Final = "http://localhost:8080"

#: List endpoints: default and maximum `limit` (Tradewire's choice).
DEFAULT_LIMIT: Final = 500
MAX_LIMIT: Final = 10_000

#: WebSocket close codes the spec names.
CLOSE_NORMAL: Final = 1000  # backtest complete
#: The reason of the close after a backtest's last step (events.md, rule 7).
CLOSE_REASON_COMPLETE: Final = "backtest complete"
CLOSE_GOING_AWAY: Final = 1001  # gateway shutting down
CLOSE_POLICY: Final = 1008  # slow client: outgoing queue overflowed
CLOSE_INTERNAL: Final = 1011  # backtest ack timeout


def path(template: str, **params: str) -> str:
    """Fill a route template, percent-encoding each parameter once (symbols may hold '/' and ':')."""
    from urllib.parse import quote

    return template.format(**{k: quote(v, safe="") for k, v in params.items()})
