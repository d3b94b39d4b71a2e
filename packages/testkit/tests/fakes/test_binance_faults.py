"""Faults injected into the fake Binance: each leaves the outcome a real client must resolve."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import httpx
import pytest
import websockets
from binance_fake_helpers import Rest, UserStream

from tradewire.testkit.fakes.binance import FakeBinance

Opener = Callable[[], Awaitable[UserStream]]
BTC = {"symbol": "BTCUSDT"}
MARKET = {**BTC, "side": "BUY", "type": "MARKET", "quantity": "0.01"}


async def test_429_with_retry_after_then_418_if_the_client_keeps_sending(bn: FakeBinance, rest: Rest) -> None:
    bn.faults.rate_limit(retry_after=30)
    first = await rest.call("GET", "/api/v3/account")
    assert first.status_code == 429 and first.headers["Retry-After"] == "30"
    assert first.json()["code"] == -1003 and "request weight" in first.json()["msg"]
    second = await rest.call("GET", "/api/v3/account")
    assert second.status_code == 418 and second.json()["code"] == -1003
    assert "IP banned until" in second.json()["msg"] and int(second.headers["Retry-After"]) >= 1
    assert (await rest.client.get("/api/v3/time")).status_code == 418  # banned for every call


async def test_a_client_that_waits_out_retry_after_is_served(bn: FakeBinance, rest: Rest) -> None:
    bn.faults.rate_limit(retry_after=0.2)
    assert (await rest.call("GET", "/api/v3/account")).status_code == 429
    await asyncio.sleep(0.3)
    assert (await rest.call("GET", "/api/v3/account")).status_code == 200


async def test_the_weight_limit_itself_answers_429() -> None:
    async with FakeBinance(weight_limit=40) as fake, httpx.AsyncClient(base_url=fake.base_url) as http:
        codes = [(await http.get("/api/v3/exchangeInfo")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


@pytest.mark.parametrize(("arm", "status", "code"), [("server_error", 500, -1000), ("timeout", 408, -1007)])
async def test_5xx_or_1007_after_the_order_was_placed(
    bn: FakeBinance, rest: Rest, arm: str, status: int, code: int
) -> None:
    getattr(bn.faults, f"{arm}_after")()
    response = await rest.call("POST", "/api/v3/order", **MARKET, newClientOrderId="unknown-1")
    assert response.status_code == status and response.json()["code"] == code
    found = await rest.ok("GET", "/api/v3/order", **BTC, origClientOrderId="unknown-1")
    assert found["status"] == "FILLED"  # placed all the same: look it up before resending


async def test_dropped_connection_after_the_order_was_placed(bn: FakeBinance, rest: Rest) -> None:
    bn.faults.drop_connection_after()
    with pytest.raises(httpx.TransportError):
        await rest.call("POST", "/api/v3/order", **MARKET, newClientOrderId="dropped-1")
    assert (await rest.ok("GET", "/api/v3/order", **BTC, origClientOrderId="dropped-1"))["status"] == "FILLED"


async def test_user_stream_dropped_mid_fill(bn: FakeBinance, rest: Rest, open_user_stream: Opener) -> None:
    stream = await open_user_stream()
    bn.faults.drop_user_stream("after_fill")
    await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.7")
    reports = []
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            reports.append(await stream.event("executionReport"))
    assert [(r["x"], r["X"]) for r in reports] == [("NEW", "NEW"), ("TRADE", "PARTIALLY_FILLED")]
    trades = await rest.ok("GET", "/api/v3/myTrades", **BTC)
    assert len(trades) == 2  # the second fill happened; a resync from myTrades finds it


async def test_user_stream_dropped_before_a_fill(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    bn.faults.drop_user_stream("before_fill")
    await rest.ok("POST", "/api/v3/order", **MARKET)
    reports = []
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            reports.append(await stream.event("executionReport"))
    assert [r["x"] for r in reports] == ["NEW"]


async def test_delay_slows_the_answer_only(bn: FakeBinance, rest: Rest) -> None:
    bn.faults.delay(5.0, "GET", "/api/v3/account")
    with pytest.raises(httpx.ReadTimeout):
        await rest.client.get(
            f"/api/v3/account?{rest.query({})}", headers={"X-MBX-APIKEY": rest.key}, timeout=0.2
        )
    assert (await rest.call("GET", "/api/v3/account")).status_code == 200  # used up


async def test_control_endpoint_arms_faults_and_moves_prices(bn: FakeBinance, rest: Rest) -> None:
    armed = await rest.client.post("/_fake/fault", json={"kind": "timeout", "path": "/api/v3/order"})
    assert armed.status_code == 200
    assert (await rest.call("POST", "/api/v3/order", **MARKET)).json()["code"] == -1007
    await rest.client.post("/_fake/price", json={"symbol": "BTCUSDT", "price": "61000.00"})
    ticker = await rest.public("/api/v3/ticker/bookTicker", symbol="BTCUSDT")
    assert ticker["bidPrice"] == "60999.00000000"
    await rest.client.post("/_fake/skew", json={"ms": -30000})
    assert (await rest.call("GET", "/api/v3/account")).json()["code"] == -1021
    async with websockets.connect(f"{bn.stream_url}/ws/btcusdt@trade") as ws:
        await asyncio.sleep(0.05)
        await rest.client.post("/_fake/shutdown", json={})
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["e"] == "serverShutdown"


async def test_control_endpoint_scripts_the_book_and_fills(bn: FakeBinance, rest: Rest) -> None:
    book = {"symbol": "BTCUSDT", "bids": [["59990", "0.2"]], "asks": [["60010", "0.1"], ["60020", "5"]]}
    assert (await rest.client.post("/_fake/book", json=book)).status_code == 200
    order = await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.3")
    assert [(f["price"], f["qty"]) for f in order["fills"]] == [
        ("60010.00000000", "0.10000000"),
        ("60020.00000000", "0.20000000"),
    ]
    params = {
        **BTC,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.3",
        "price": "59000.00",
    }
    resting = await rest.ok("POST", "/api/v3/order", **params)
    await rest.client.post(
        "/_fake/fill", json={"symbol": "BTCUSDT", "orderId": resting["orderId"], "qty": "0.1"}
    )
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=resting["orderId"]))[
        "executedQty"
    ] == "0.10000000"
    await rest.client.post("/_fake/status", json={"symbol": "BTCUSDT", "status": "HALT"})
    assert (await rest.call("POST", "/api/v3/order", **MARKET)).json()["msg"] == "Market is closed."


async def test_too_many_new_orders_is_1015() -> None:
    async with FakeBinance(orders_10s=2) as fake, httpx.AsyncClient(base_url=fake.base_url) as http:
        rest = Rest(fake, http)
        for _ in range(2):
            await rest.ok("POST", "/api/v3/order", **MARKET)
        response = await rest.call("POST", "/api/v3/order", **MARKET)
        assert response.status_code == 429 and response.json()["code"] == -1015
        assert response.json()["msg"] == "Too many new orders; current limit is 2 orders per 10 SECOND."
        assert response.headers["X-MBX-ORDER-COUNT-10S"] == "2"


async def test_the_ws_api_shares_the_ban(bn: FakeBinance, rest: Rest, open_user_stream: Opener) -> None:
    stream = await open_user_stream()
    bn.faults.rate_limit(retry_after=30)
    assert (await rest.call("GET", "/api/v3/account")).status_code == 429
    answer = await stream.request("ping")
    assert answer["status"] == 418 and answer["error"]["code"] == -1003
    assert answer["error"]["data"]["retryAfter"] > answer["error"]["data"]["serverTime"]
