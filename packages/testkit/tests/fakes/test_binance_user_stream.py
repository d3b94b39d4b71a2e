"""User data on the fake Binance's WebSocket API: the subscription framing of binance.md §7 and the
events an order's life produces."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable

import pytest
import websockets
from binance_fake_helpers import Rest, UserStream, hmac_hex

from tradewire.testkit.fakes.binance import FakeBinance

Opener = Callable[[], Awaitable[UserStream]]
BTC = {"symbol": "BTCUSDT"}


async def test_market_order_reports_new_then_one_trade_per_fill(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    assert stream.subscription_id == 0
    order = await rest.ok(
        "POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.7", newClientOrderId="m-1"
    )
    new, first, second = await stream.reports(3)
    assert (new["x"], new["X"], new["c"], new["i"]) == ("NEW", "NEW", "m-1", order["orderId"])
    assert (first["x"], first["X"], first["l"], first["L"]) == (
        "TRADE",
        "PARTIALLY_FILLED",
        "0.50000000",
        "60001.00000000",
    )
    assert (second["x"], second["X"], second["z"], second["Z"]) == (
        "TRADE",
        "FILLED",
        "0.70000000",
        "42000.90000000",
    )
    assert first["t"] == order["fills"][0]["tradeId"] and first["I"] < second["I"]
    position = await stream.event("outboundAccountPosition")
    assert {b["a"]: b["f"] for b in position["B"]} == {"USDT": "57999.10000000", "BTC": "1.69930000"}


async def test_cancel_report_carries_both_client_ids(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    params = {
        **BTC,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "59000.00",
    }
    placed = await rest.ok("POST", "/api/v3/order", **params, newClientOrderId="o-1")
    await rest.ok("DELETE", "/api/v3/order", **BTC, orderId=placed["orderId"], newClientOrderId="k-1")
    new = await stream.event("executionReport")
    locked = await stream.event("outboundAccountPosition")
    assert new["x"] == "NEW" and locked["B"] == [{"a": "USDT", "f": "99410.00000000", "l": "590.00000000"}]
    canceled = await stream.event("executionReport")
    assert (canceled["x"], canceled["X"], canceled["c"], canceled["C"]) == (
        "CANCELED",
        "CANCELED",
        "k-1",
        "o-1",
    )


async def test_a_second_subscription_on_one_connection_is_2035(
    bn: FakeBinance, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    params = {"apiKey": bn.config.api_key, "timestamp": int(time.time() * 1000)}
    params["signature"] = hmac_hex(
        bn.config.api_secret, "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    )
    answer = await stream.request("userDataStream.subscribe.signature", params, "again")
    assert answer["status"] == 400 and answer["error"]["code"] == -2035
    assert answer["id"] == "again" and answer["rateLimits"][0]["rateLimitType"] == "REQUEST_WEIGHT"


async def test_bad_subscription_signature_is_1022(bn: FakeBinance) -> None:
    async with websockets.connect(bn.ws_api_url) as ws:
        params = {"apiKey": bn.config.api_key, "timestamp": int(time.time() * 1000), "signature": "00"}
        await ws.send(json.dumps({"id": 7, "method": "userDataStream.subscribe.signature", "params": params}))
        answer = json.loads(await ws.recv())
        assert answer["id"] == 7 and answer["status"] == 400
        assert answer["error"] == {"code": -1022, "msg": "Signature for this request is not valid."}


async def test_unsubscribe_terminates_the_stream(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    assert (await stream.request("session.subscriptions"))["result"] == [{"subscriptionId": 0}]
    assert (await stream.request("userDataStream.unsubscribe"))["result"] == {}
    assert (await stream.event())["e"] == "eventStreamTerminated"
    assert (await stream.request("userDataStream.unsubscribe"))["error"]["code"] == -2036


async def test_listen_key_endpoints_and_methods_are_gone(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    response = await rest.client.post("/api/v3/userDataStream", headers={"X-MBX-APIKEY": rest.key})
    assert response.status_code == 410 and response.json()["code"] == -1020
    stream = await open_user_stream()
    answer = await stream.request("userDataStream.start", {"apiKey": rest.key})
    assert answer["status"] == 410


async def test_server_shutdown_reaches_the_ws_api(bn: FakeBinance, open_user_stream: Opener) -> None:
    stream = await open_user_stream()
    bn.server_shutdown()
    message = json.loads(await stream.ws.recv())
    assert set(message) == {"event"} and message["event"]["e"] == "serverShutdown"


async def test_ed25519_session_logon_then_subscribe(bn: FakeBinance) -> None:
    ed = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.ed25519")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    private = ed.Ed25519PrivateKey.generate()
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    async with FakeBinance(ed25519_public_pem=pem) as fake, websockets.connect(fake.ws_api_url) as ws:
        stream = UserStream(ws)
        assert (await stream.request("userDataStream.subscribe"))["error"]["code"] == -1002
        params = {"apiKey": fake.config.ed25519_api_key, "timestamp": int(time.time() * 1000)}
        payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        params["signature"] = base64.b64encode(private.sign(payload.encode())).decode()
        logon = await stream.request("session.logon", params)
        assert logon["status"] == 200 and logon["result"]["apiKey"] == fake.config.ed25519_api_key
        sub = await stream.request("userDataStream.subscribe")
        stream.subscription_id = sub["result"]["subscriptionId"]
        fake.deposit("USDT", "5")
        update = await stream.event("balanceUpdate")
        assert update["a"] == "USDT" and update["d"] == "5.00000000"


async def test_overlapping_connections_both_get_every_event(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    old, new = await open_user_stream(), await open_user_stream()
    await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.1")
    first, second = await old.reports(2), await new.reports(2)
    assert [r["I"] for r in first] == [r["I"] for r in second]  # the dedupe key is the same on both
    await old.close()
    await rest.ok("POST", "/api/v3/order", **BTC, side="SELL", type="MARKET", quantity="0.1")
    assert (await new.event("executionReport"))["S"] == "SELL"
