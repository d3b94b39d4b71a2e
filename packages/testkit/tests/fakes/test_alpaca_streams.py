"""The fake's two streams over real WebSockets: trade_updates in binary frames, market data arrays."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from alpaca_fake_helpers import submit

from tradewire.testkit.fakes.alpaca import FakeAlpaca


async def test_trade_updates_binary_frames_auth_and_listen(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    async with websockets.connect(fake.stream_url) as ws:
        await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        early = await ws.recv()
        assert isinstance(early, bytes)
        assert json.loads(early) == {
            "stream": "authorization",
            "data": {"status": "unauthorized", "action": "listen"},
        }
        await ws.send(json.dumps({"action": "authenticate", "data": {"key_id": "x", "secret_key": "y"}}))
        denied = json.loads(await ws.recv())
        assert denied["data"] == {"status": "unauthorized", "action": "authenticate"}
        good = {"key_id": fake.config.key_id, "secret_key": fake.config.secret_key}
        await ws.send(json.dumps({"action": "authenticate", "data": good}).encode())  # binary in, too
        assert json.loads(await ws.recv())["data"] == {"status": "authorized", "action": "authenticate"}
        await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert json.loads(await ws.recv()) == {"stream": "listening", "data": {"streams": ["trade_updates"]}}
        fake.set_liquidity("AAPL", "4")
        order = await submit(http, qty="6")
        frames = [await asyncio.wait_for(ws.recv(), 5) for _ in range(2)]
    assert all(isinstance(f, bytes) for f in frames)
    new, partial = (json.loads(f)["data"] for f in frames)
    assert [new["event"], partial["event"]] == ["new", "partial_fill"]
    assert partial["execution_id"] and partial["qty"] == "4" and partial["position_qty"] == "4"
    assert new["order"]["id"] == order["id"] and "execution_id" not in new
    assert (
        partial["timestamp"].endswith("Z") and len(partial["timestamp"].split(".")[1]) == 10
    )  # 9 digits + Z


async def test_listen_to_nothing_stops_events(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    await stream.ws.send(json.dumps({"action": "listen", "data": {"streams": []}}))
    assert (await stream.recv()) == {"stream": "listening", "data": {"streams": []}}
    await submit(http)
    with pytest.raises(TimeoutError):
        await stream.recv(timeout=0.3)


async def _data(fake: FakeAlpaca, path: str) -> Any:
    ws = await websockets.connect(fake.data_stream_url + path)
    assert json.loads(await ws.recv()) == [{"T": "success", "msg": "connected"}]
    return ws


async def _auth(fake: FakeAlpaca, ws: Any) -> None:
    await ws.send(json.dumps({"action": "auth", "key": fake.config.key_id, "secret": fake.config.secret_key}))
    assert json.loads(await ws.recv()) == [{"T": "success", "msg": "authenticated"}]


async def test_data_stream_auth_errors_subscribe_and_batches(fake: FakeAlpaca) -> None:
    ws = await _data(fake, "/v2/iex")
    await ws.send(json.dumps({"action": "subscribe", "quotes": ["AAPL"]}))
    assert json.loads(await ws.recv()) == [{"T": "error", "code": 401, "msg": "not authenticated"}]
    await ws.send(json.dumps({"action": "auth", "key": "x", "secret": "y"}))
    assert json.loads(await ws.recv()) == [{"T": "error", "code": 402, "msg": "auth failed"}]
    await ws.send("not json")
    assert json.loads(await ws.recv()) == [{"T": "error", "code": 400, "msg": "invalid syntax"}]
    await _auth(fake, ws)
    await ws.send(json.dumps({"action": "auth", "key": fake.config.key_id, "secret": fake.config.secret_key}))
    assert json.loads(await ws.recv()) == [{"T": "error", "code": 403, "msg": "already authenticated"}]
    await ws.send(
        json.dumps({"action": "subscribe", "trades": ["AAPL"], "quotes": ["AAPL", "MSFT"], "bars": ["AAPL"]})
    )
    frame = await ws.recv()
    assert isinstance(frame, str)  # the data stream speaks text frames
    [sub] = json.loads(frame)
    assert (sub["T"], sub["trades"], sub["quotes"], sub["bars"], sub["corrections"]) == (
        "subscription",
        ["AAPL"],
        ["AAPL", "MSFT"],
        ["AAPL"],
        ["AAPL"],
    )
    fake.set_price("AAPL", "188.25")
    raw = await ws.recv()
    quote, trade = json.loads(raw)
    assert '"bp":188.24' in raw and '"p":188.25' in raw  # numbers, not strings
    assert (quote["T"], quote["S"], quote["ap"], quote["bs"]) == ("q", "AAPL", 188.26, 100)
    assert (trade["T"], trade["S"], trade["p"], trade["s"], trade["x"]) == ("t", "AAPL", 188.25, 100, "V")
    await ws.send(json.dumps({"action": "unsubscribe", "quotes": ["MSFT"]}))
    assert json.loads(await ws.recv())[0]["quotes"] == ["AAPL"]
    await ws.close()


async def test_data_stream_minute_bars_crypto_shapes() -> None:
    start = 1_780_000_000 * 1_000_000_000 - (1_780_000_000 % 60) * 1_000_000_000  # on a minute boundary
    async with FakeAlpaca(frozen_ns=start) as fake:
        ws = await _data(fake, "/v1beta3/crypto/us")
        await _auth(fake, ws)
        await ws.send(json.dumps({"action": "subscribe", "bars": ["BTC/USD"], "quotes": ["BTC/USD"]}))
        await ws.recv()
        fake.set_price("BTC/USD", "65010")
        [quote] = json.loads(await ws.recv())
        assert set(quote) == {"T", "S", "bp", "bs", "ap", "as", "t"} and quote["bs"] == 0.5
        fake.clock.advance(60)
        fake.set_price("BTC/USD", "65020")
        await ws.recv()  # the quote of the new minute's first trade
        [bar] = json.loads(await ws.recv())
        assert (bar["T"], bar["S"], bar["o"], bar["c"], bar["n"]) == ("b", "BTC/USD", 65000, 65010, 2)
        assert bar["t"].endswith(":00Z")
        await ws.close()


async def test_second_connection_406_and_auth_timeout_404() -> None:
    async with FakeAlpaca(auth_timeout=0.3) as fake:
        first = await _data(fake, "/v2/iex")
        await _auth(fake, first)
        second = await _data(fake, "/v2/iex")
        await second.send(
            json.dumps({"action": "auth", "key": fake.config.key_id, "secret": fake.config.secret_key})
        )
        assert json.loads(await second.recv()) == [
            {"T": "error", "code": 406, "msg": "connection limit exceeded"}
        ]
        await asyncio.wait_for(second.wait_closed(), 5)
        idle = await _data(fake, "/v2/sip")
        assert json.loads(await idle.recv()) == [{"T": "error", "code": 404, "msg": "auth timeout"}]
        await asyncio.wait_for(idle.wait_closed(), 5)
        await first.close()


async def test_data_rest_shapes(fake: FakeAlpaca, data_http: httpx.AsyncClient) -> None:
    fake.set_path("AAPL", ["188", "189"])
    fake.step()
    fake.step()
    latest = (await data_http.get("/v2/stocks/AAPL/quotes/latest", params={"feed": "iex"})).json()
    assert latest["symbol"] == "AAPL" and latest["quote"]["ap"] == 189.01
    many = (await data_http.get("/v2/stocks/quotes/latest", params={"symbols": "AAPL,MSFT"})).json()
    assert set(many["quotes"]) == {"AAPL", "MSFT"}
    trade = (await data_http.get("/v2/stocks/AAPL/trades/latest")).json()
    assert trade["trade"]["p"] == 189
    bars = (await data_http.get("/v2/stocks/AAPL/bars", params={"timeframe": "1Min", "limit": "1000"})).json()
    assert bars["symbol"] == "AAPL" and bars["next_page_token"] is None
    assert bars["bars"][-1]["c"] == 189 and bars["bars"][-1]["v"] > 0
    empty = (
        await data_http.get(
            "/v2/stocks/AAPL/bars", params={"timeframe": "1Min", "end": "2001-01-01T00:00:00Z"}
        )
    ).json()
    assert empty["bars"] is None
    async with httpx.AsyncClient(base_url=fake.data_url) as anonymous:  # crypto data needs no keys
        crypto = (
            await anonymous.get("/v1beta3/crypto/us/latest/quotes", params={"symbols": "BTC/USD"})
        ).json()
        assert set(crypto["quotes"]["BTC/USD"]) == {"bp", "bs", "ap", "as", "t"}
        cbars = (
            await anonymous.get(
                "/v1beta3/crypto/us/bars", params={"symbols": "BTC/USD", "timeframe": "1Hour"}
            )
        ).json()
        assert list(cbars["bars"]) == ["BTC/USD"] and cbars["next_page_token"] is None


async def test_bar_pages_follow_next_page_token() -> None:
    async with FakeAlpaca(frozen_ns=1_780_000_020 * 1_000_000_000) as fake:
        for price in ("188", "189", "190"):
            fake.clock.advance(60)
            fake.set_price("AAPL", price)
        async with httpx.AsyncClient(base_url=fake.data_url, headers=fake.headers) as client:
            seen: list[float] = []
            token = None
            while True:
                params = {"timeframe": "1Min", "limit": "2", **({"page_token": token} if token else {})}
                page = (await client.get("/v2/stocks/AAPL/bars", params=params)).json()
                seen += [b["c"] for b in page["bars"]]
                token = page["next_page_token"]
                if token is None:
                    break
    assert seen == [187.5, 188, 189, 190]
