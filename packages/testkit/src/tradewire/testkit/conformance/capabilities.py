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

#: A LIMIT may be post_only (refused when it would take liquidity).
POST_ONLY: Final = "post_only"
#: Orders grouped by `oco_group_id`: one filling cancels the others.
OCO: Final = "oco"
#: MARKET orders sized by an amount of the quote currency (`notional`) instead of a quantity.
NOTIONAL: Final = "notional_orders"
#: Time in force IOC, FOK and DAY.
IOC: Final = "ioc"
FOK: Final = "fok"
DAY: Final = "time_in_force_day"

#: Feature capabilities, derived from `Capabilities.features`: the names a venue may report for each
#: (compared case-insensitively, rest.md). Only unprefixed names count: a broker's per-asset-class
#: `crypto:ioc` does not say the instrument the suite trades takes it.
FEATURES: Final = {
    POST_ONLY: frozenset({"post_only"}),
    OCO: frozenset({"oco", "oco_orders"}),
    IOC: frozenset({"ioc"}),
    FOK: frozenset({"fok"}),
    DAY: frozenset({"time_in_force_day"}),
    BRACKETS: frozenset({"bracket_orders", "brackets"}),
    NOTIONAL: frozenset({"notional_orders"}),
}

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
    POST_ONLY: "post_only limit orders",
    OCO: "one-cancels-other groups (oco_group_id)",
    IOC: "time in force IOC",
    FOK: "time in force FOK",
    DAY: "time in force DAY",
    NOTIONAL: "MARKET orders sized by notional",
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
    out |= {name for name, spellings in FEATURES.items() if features & spellings}
    return out
