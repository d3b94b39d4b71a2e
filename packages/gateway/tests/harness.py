"""Full-stack helpers: the real gateway served by the testkit's harness, and a bare WebSocket client."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import websockets

from tradewire.gateway.settings import GatewaySettings
from tradewire.protocol.venue import Venue
from tradewire.testkit.harness import GatewayHarness, ThreadGateway, running_gateway

KEY = "test-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}


def settings(**overrides: Any) -> GatewaySettings:
    """Settings for a gateway built by hand (not served): loopback, the test key unless `api_key=None`."""
    base: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "api_key": KEY, "json_logs": False}
    base.update(overrides)
    return GatewaySettings(**base)


def serve(venue: Venue, **overrides: Any) -> GatewayHarness[ThreadGateway]:
    """Serve `venue` with the test key in a background thread until the block ends; `overrides` are
    GatewaySettings fields."""
    return running_gateway(venue, api_key=KEY, **overrides)


async def connect(
    running: ThreadGateway, batch: bool = False, headers: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    """A websockets client (no compression) to the stream."""
    url = running.ws_url + ("?framing=batch" if batch else "")
    return await websockets.connect(
        url, additional_headers=headers if headers is not None else AUTH, compression=None, **kwargs
    )


async def recv_json(ws: Any, timeout: float = 5) -> Any:
    """The next frame, parsed."""
    return orjson.loads(await asyncio.wait_for(ws.recv(), timeout))


async def ack(ws: Any, ids: list[str], batch_id: str | None = None) -> None:
    """Send an event_ack like a compatible client (or a batch ack with `batch_id`)."""
    msg: dict[str, Any] = {
        "type": "event_ack",
        "correlation_id": "c",
        "events_processed": ids,
        "timestamp": 1,
    }
    if batch_id is not None:
        msg["batch_id"] = batch_id
    await ws.send(orjson.dumps(msg).decode())
