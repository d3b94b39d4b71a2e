"""Market streams of the fake Binance: raw and combined paths, live SUBSCRIBE, kline / bookTicker /
trade payloads on scripted price steps, and the ping a client must answer (binance.md §8, §12)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tradewire.testkit.fakes.binance import FakeBinance


async def recv(ws: websockets.ClientConnection) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def test_raw_stream_delivers_bare_payloads(bn: FakeBinance) -> None:
    async with websockets.connect(f"{bn.stream_url}/ws/btcusdt@trade") as ws:
        await asyncio.sleep(0.05)
        bn.set_price("BTCUSDT", "60010.00")
        trade = await recv(ws)
        assert trade["e"] == "trade" and trade["s"] == "BTCUSDT" and trade["p"] == "60010.00000000"
        assert isinstance(trade["t"], int) and trade["m"] is False


async def test_combined_stream_wraps_and_closes_kline_bars(bn: FakeBinance) -> None:
    bn.clock.advance(0)  # freeze: bars close when the test moves the clock
    url = f"{bn.stream_url}/stream?streams=btcusdt@bookTicker/btcusdt@kline_1m"
    async with websockets.connect(url) as ws:
        await asyncio.sleep(0.05)
        bn.set_price("BTCUSDT", "60010.00")
        first, second = await recv(ws), await recv(ws)
        assert first["stream"] == "btcusdt@bookTicker"
        assert first["data"]["b"] == "60009.00000000" and first["data"]["a"] == "60011.00000000"
        assert second["stream"] == "btcusdt@kline_1m"
        bar = second["data"]["k"]
        assert bar["i"] == "1m" and bar["x"] is False and bar["c"] == "60010.00000000"
        bn.clock.advance(60)
        bn.set_price("BTCUSDT", "60020.00")
        await recv(ws)  # bookTicker
        closed, opened = (await recv(ws))["data"]["k"], (await recv(ws))["data"]["k"]
        assert closed["x"] is True and closed["c"] == "60010.00000000" and closed["t"] == bar["t"]
        assert opened["x"] is False and opened["t"] == bar["t"] + 60_000 and opened["o"] == "60020.00000000"


async def test_live_subscribe_list_and_unsubscribe(bn: FakeBinance) -> None:
    async with websockets.connect(f"{bn.stream_url}/ws") as ws:
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["ethusdt@trade"], "id": 1}))
        assert await recv(ws) == {"result": None, "id": 1}
        await ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
        assert await recv(ws) == {"result": ["ethusdt@trade"], "id": 2}
        bn.set_price("ETHUSDT", "3001.00")
        assert (await recv(ws))["p"] == "3001.00000000"
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["nope@trade"], "id": 3}))
        assert (await recv(ws))["error"]["code"] == 2
        await ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": ["ethusdt@trade"], "id": 4}))
        assert await recv(ws) == {"result": None, "id": 4}


async def test_server_shutdown_on_market_streams(bn: FakeBinance) -> None:
    async with (
        websockets.connect(f"{bn.stream_url}/ws/btcusdt@trade") as raw,
        websockets.connect(f"{bn.stream_url}/stream?streams=btcusdt@trade") as combined,
    ):
        await asyncio.sleep(0.05)
        bn.server_shutdown(close_after=0.05)
        assert (await recv(raw))["e"] == "serverShutdown"
        assert (await recv(combined))["stream"] == "!serverShutdown"
        await asyncio.wait_for(raw.wait_closed(), 5)


async def test_server_pings_and_drops_a_client_that_does_not_pong() -> None:
    async with FakeBinance(ping_interval=0.05, pong_timeout=0.3) as fake:
        # websockets answers pings while it reads: this client stays.
        async with websockets.connect(f"{fake.stream_url}/ws/btcusdt@trade", ping_interval=None) as alive:
            await asyncio.sleep(0.5)
            fake.set_price("BTCUSDT", "60010.00")
            assert (await recv(alive))["e"] == "trade"
        # A client whose transport never answers a ping is reset.
        reader, writer = await asyncio.open_connection("127.0.0.1", fake.port)
        writer.write(
            b"GET /ws/btcusdt@trade HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        await writer.drain()
        data = b""
        while True:
            chunk = await asyncio.wait_for(reader.read(4096), 5)
            if not chunk:
                break
            data += chunk
        assert data.startswith(b"HTTP/1.1 101") and b"\x89" in data  # a ping frame came, then the reset
        writer.close()


async def test_the_connection_lifetime_is_configurable() -> None:
    async with FakeBinance(max_lifetime=0.2) as fake:
        async with websockets.connect(f"{fake.stream_url}/ws/btcusdt@trade") as ws:
            await asyncio.wait_for(ws.wait_closed(), 5)
