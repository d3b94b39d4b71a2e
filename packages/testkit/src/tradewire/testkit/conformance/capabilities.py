"""Capability names: what a target can do; a scenario needing a missing one is skipped, naming it."""

from __future__ import annotations

from typing import Final

#: Reached over HTTP + WebSocket (the in-process engine target has no wire).
WIRE: Final = "wire"
#: The scenario scripts the market (bars/quotes it builds itself); a real paper account cannot.
MARKET_CONTROL: Final = "market_control"
#: Same inputs give the same event log: golden traces are compared.
DETERMINISTIC: Final = "deterministic"
#: Backtest pacing: events carry `event_id` and time waits for acks.
PACING: Final = "pacing"
#: Live pacing: events carry no ids and the stream never waits for acks.
LIVE: Final = "live"
#: The server enforces an API key that the suite knows.
AUTH: Final = "auth"
#: The suite started the server and can shut it down (graceful-shutdown scenarios).
SERVER_CONTROL: Final = "server_control"
#: The server sends JSON `ping` after a short, known silence (the suite configured it).
HEARTBEAT: Final = "heartbeat"
#: A margin account (leverage, shorting, margin warnings and calls).
MARGIN: Final = "margin"
#: Entry orders with attached stop-loss / take-profit exits.
BRACKETS: Final = "brackets"

#: Order-type capabilities, derived from `Capabilities.supported_order_types`.
ORDER_TYPES: Final = {
    "MARKET": "market_orders",
    "LIMIT": "limit_orders",
    "STOP": "stop_orders",
    "STOP_LIMIT": "stop_limit_orders",
    "TRAILING_STOP": "trailing_stop_orders",
}

MARKET_ORDERS: Final = "market_orders"
LIMIT_ORDERS: Final = "limit_orders"
STOP_ORDERS: Final = "stop_orders"
STOP_LIMIT_ORDERS: Final = "stop_limit_orders"
TRAILING_STOP_ORDERS: Final = "trailing_stop_orders"

DESCRIPTIONS: Final = {
    WIRE: "reached over HTTP + WebSocket",
    MARKET_CONTROL: "scenario-scripted market data",
    DETERMINISTIC: "reproducible event log (golden traces)",
    PACING: "backtest ack pacing (event ids, time waits for acks)",
    LIVE: "live pacing (no event ids, never waits for acks)",
    AUTH: "API key enforced and known to the suite",
    SERVER_CONTROL: "the suite runs the server and can shut it down",
    HEARTBEAT: "JSON ping after a short configured silence",
    MARGIN: "margin account (leverage, shorts, margin calls)",
    BRACKETS: "stop-loss / take-profit exits attached to entries",
    **{v: f"{k} orders" for k, v in ORDER_TYPES.items()},
}


def from_venue(capabilities: object) -> set[str]:
    """Capabilities a venue reports about itself (`GET /v1/capabilities`)."""
    from tradewire.protocol import codec

    out: set[str] = set()
    for t in getattr(capabilities, "supported_order_types", []):
        name = ORDER_TYPES.get(codec.enum_spelling(t))
        if name:
            out.add(name)
    features = {f.lower() for f in getattr(capabilities, "features", [])}
    if features & {"bracket_orders", "brackets"}:
        out.add(BRACKETS)
    return out
