"""A tiny signed Binance client for the fake's tests: REST calls signed as binance.md §2 says, and a
WS API user-data subscription."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import websockets

from tradewire.testkit.fakes.binance import FakeBinance


def hmac_hex(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


class Rest:
    """Signed REST: the query is built once, signed, and sent verbatim in the URL."""

    def __init__(self, fake: FakeBinance, client: httpx.AsyncClient) -> None:
        self.fake, self.client = fake, client
        self.key, self.secret = fake.config.api_key, fake.config.api_secret
        self.offset_ms = 0

    def query(self, params: dict[str, Any], timestamp: int | None = None) -> str:
        ts = timestamp if timestamp is not None else int(time.time() * 1000) + self.offset_ms
        query = urlencode({**params, "timestamp": ts})
        return f"{query}&signature={hmac_hex(self.secret, query)}"

    async def call(self, method: str, path: str, **params: Any) -> httpx.Response:
        url = f"{path}?{self.query(params)}"
        return await self.client.request(method, url, headers={"X-MBX-APIKEY": self.key})

    async def ok(self, method: str, path: str, **params: Any) -> Any:
        response = await self.call(method, path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    async def public(self, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


class UserStream:
    """A WS API connection subscribed to the account's user data (`userDataStream.subscribe.signature`)."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.subscription_id: int | None = None

    @classmethod
    async def open(cls, fake: FakeBinance, request_id: str = "1") -> UserStream:
        ws = await websockets.connect(fake.ws_api_url)
        stream = cls(ws)
        params: dict[str, Any] = {"apiKey": fake.config.api_key, "timestamp": int(time.time() * 1000)}
        params["recvWindow"] = 5000
        payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        params["signature"] = hmac_hex(fake.config.api_secret, payload)
        answer = await stream.request("userDataStream.subscribe.signature", params, request_id)
        assert answer["status"] == 200, answer
        stream.subscription_id = answer["result"]["subscriptionId"]
        return stream

    async def request(self, method: str, params: dict[str, Any] | None = None, request_id: str = "r") -> Any:
        frame: dict[str, Any] = {"id": request_id, "method": method}
        if params is not None:
            frame["params"] = params
        await self.ws.send(json.dumps(frame))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
            if message.get("id") == request_id:
                return message

    async def event(self, kind: str | None = None, timeout: float = 5) -> dict[str, Any]:
        """The next event (of type `kind`), unwrapped; asserts the subscription framing."""
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if "subscriptionId" not in message:
                continue
            assert message["subscriptionId"] == self.subscription_id
            event: dict[str, Any] = message["event"]
            if kind is None or event["e"] == kind:
                return event

    async def reports(self, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        return [await self.event("executionReport", timeout) for _ in range(count)]

    async def close(self) -> None:
        await self.ws.close()
