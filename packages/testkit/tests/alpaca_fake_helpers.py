"""Helpers of the fake Alpaca's tests (tests/fakes): a trade_updates reader and order shortcuts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import websockets


class TradeStream:
    """A trade_updates client: authenticate, listen, then read events (binary frames of JSON)."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.frames: list[str | bytes] = []
        self.events: list[dict[str, Any]] = []

    async def recv(self, timeout: float = 5) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        self.frames.append(frame)
        message: dict[str, Any] = json.loads(frame)
        if message.get("stream") == "trade_updates":
            self.events.append(message["data"])
        return message

    async def until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5) -> dict[str, Any]:
        """The next trade_updates `data` that satisfies `predicate`."""
        while True:
            message = await self.recv(timeout)
            if message.get("stream") == "trade_updates" and predicate(message["data"]):
                return message["data"]  # type: ignore[no-any-return]


def event(name: str, order_id: str | None = None) -> Callable[[dict[str, Any]], bool]:
    return lambda d: d["event"] == name and (order_id is None or d["order"]["id"] == order_id)


async def submit(http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    """POST /v2/orders with string decimals; asserts 200 and returns the order."""
    defaults = {"side": "buy", "type": "market", "time_in_force": "day", "qty": "10", "symbol": "AAPL"}
    response = await http.post("/v2/orders", json={**defaults, **body})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def D(text: str | int) -> Decimal:
    return Decimal(str(text))
