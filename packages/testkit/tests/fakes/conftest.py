"""Fixtures of the fakes' tests: each fake on 127.0.0.1, HTTP clients, stream openers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import websockets
from alpaca_fake_helpers import TradeStream
from binance_fake_helpers import Rest, UserStream

from tradewire.testkit.fakes.alpaca import FakeAlpaca
from tradewire.testkit.fakes.binance import FakeBinance


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


@pytest.fixture
async def bn() -> AsyncIterator[FakeBinance]:
    async with FakeBinance() as f:
        yield f


@pytest.fixture
async def rest(bn: FakeBinance) -> AsyncIterator[Rest]:
    async with httpx.AsyncClient(base_url=bn.base_url, timeout=5) as client:
        yield Rest(bn, client)


@pytest.fixture
async def open_user_stream(bn: FakeBinance) -> AsyncIterator[Callable[[], Awaitable[UserStream]]]:
    """`stream = await open_user_stream()`: a WS API connection subscribed to the account's events."""
    opened: list[UserStream] = []

    async def connect() -> UserStream:
        stream = await UserStream.open(bn)
        opened.append(stream)
        return stream

    yield connect
    for stream in opened:
        await stream.close()
