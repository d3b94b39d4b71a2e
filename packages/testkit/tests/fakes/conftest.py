"""Fixtures of the fake Alpaca's tests: a fake on 127.0.0.1, HTTP clients, a trade_updates opener."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import websockets
from alpaca_fake_helpers import TradeStream

from tradewire.testkit.fakes.alpaca import FakeAlpaca


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpaca]:
    async with FakeAlpaca() as f:
        yield f


@pytest.fixture
async def http(fake: FakeAlpaca) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake.base_url, headers=fake.headers, timeout=5) as client:
        yield client


@pytest.fixture
async def data_http(fake: FakeAlpaca) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake.data_url, headers=fake.headers, timeout=5) as client:
        yield client


@pytest.fixture
async def open_trade_stream(fake: FakeAlpaca) -> AsyncIterator[Callable[[], Awaitable[TradeStream]]]:
    """`stream = await open_trade_stream()`: authorized and listening to trade_updates."""
    opened: list[websockets.ClientConnection] = []

    async def connect() -> TradeStream:
        ws = await websockets.connect(fake.stream_url)
        opened.append(ws)
        stream = TradeStream(ws)
        auth = {
            "action": "authenticate",
            "data": {"key_id": fake.config.key_id, "secret_key": fake.config.secret_key},
        }
        await ws.send(json.dumps(auth))
        assert (await stream.recv())["data"]["status"] == "authorized"
        await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert (await stream.recv()) == {"stream": "listening", "data": {"streams": ["trade_updates"]}}
        return stream

    yield connect
    for ws in opened:
        await ws.close()
