"""Every payload shape the fake emits, validated by the official alpaca-py models (test-only dependency).

pydantic ignores unknown keys, so each check also requires every emitted key to be a field (or alias)
of the model: a misspelt or invented field fails here too.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from alpaca_fake_helpers import event, submit

from tradewire.testkit.fakes.alpaca import FakeAlpaca, running_fake

models = pytest.importorskip("alpaca.trading.models")
requests_mod = pytest.importorskip("alpaca.trading.requests")
data_models = pytest.importorskip("alpaca.data.models")


def strict(model: Any, payload: dict[str, Any]) -> Any:
    known = {f.alias or name for name, f in model.model_fields.items()} | set(model.model_fields)
    assert set(payload) <= known, f"{model.__name__}: unknown keys {set(payload) - known}"
    return model(**payload)


def order(payload: dict[str, Any]) -> None:
    strict(models.Order, payload)
    for leg in payload["legs"] or []:
        order(leg)


async def test_trading_payloads_match_alpaca_py(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    fake.set_liquidity("AAPL", "4")
    entry = await submit(
        http,
        type="limit",
        limit_price="188",
        order_class="bracket",
        take_profit={"limit_price": "190"},
        stop_loss={"stop_price": "180"},
    )
    await stream.until(event("partial_fill", entry["id"]))
    fake.set_liquidity("AAPL", None)
    fake.broker.match()
    await stream.until(event("fill", entry["id"]))
    trailing = await submit(
        http, side="sell", type="trailing_stop", trail_percent="1", qty="1", symbol="MSFT"
    )
    await submit(http, symbol="BTC/USD", qty="0.25", time_in_force="gtc")
    await stream.until(lambda d: d["event"] == "fill" and d["order"]["symbol"] == "BTC/USD")
    resting = await submit(http, type="limit", limit_price="150", qty="1")
    await http.patch(f"/v2/orders/{resting['id']}", json={"limit_price": "151"})
    await stream.until(event("replaced", resting["id"]))
    fake.close_market()
    fake.open_market()

    order(entry)
    order(trailing)
    for row in (await http.get("/v2/orders", params={"status": "all", "nested": "true"})).json():
        order(row)
    for row in (await http.get("/v2/orders", params={"status": "all"})).json():
        order(row)
    account = strict(models.TradeAccount, (await http.get("/v2/account")).json())
    assert account.status == "ACTIVE"
    strict(models.Clock, (await http.get("/v2/clock")).json())
    for row in (await http.get("/v2/assets")).json():
        strict(models.Asset, row)
    for row in (await http.get("/v2/positions")).json():
        strict(models.Position, row)
    for row in (await http.get("/v2/account/activities/FILL")).json():
        # alpaca-py's activity model is the Broker API's, which adds the account id; the Trading API omits it.
        strict(models.TradeActivity, {**row, "account_id": account.id})
    closing = (await http.delete("/v2/positions", params={"cancel_orders": "true"})).json()
    for row in closing:
        models.ClosePositionResponse(**row)
    await submit(http, type="limit", limit_price="150", qty="1")
    for row in (await http.delete("/v2/orders")).json():
        strict(requests_mod.CancelOrderResponse, row)
    await asyncio.sleep(0.05)
    while True:
        try:
            await stream.recv(timeout=0.2)
        except TimeoutError:
            break
    kinds = {e["event"] for e in stream.events}
    assert {"new", "partial_fill", "fill", "canceled", "replaced", "pending_replace", "expired"} <= kinds
    for data in stream.events:
        update = strict(models.TradeUpdate, data)
        order(data["order"])
        assert update.order.id is not None


async def test_market_data_payloads_match_alpaca_py(fake: FakeAlpaca, data_http: httpx.AsyncClient) -> None:
    fake.set_price("AAPL", "188")
    fake.set_price("BTC/USD", "65010")
    quote = (await data_http.get("/v2/stocks/AAPL/quotes/latest")).json()["quote"]
    data_models.Quote("AAPL", quote)
    data_models.Trade("AAPL", (await data_http.get("/v2/stocks/AAPL/trades/latest")).json()["trade"])
    bars = (await data_http.get("/v2/stocks/AAPL/bars", params={"timeframe": "1Min"})).json()
    for bar in bars["bars"]:
        data_models.Bar("AAPL", bar)
    crypto = (
        await data_http.get("/v1beta3/crypto/us/bars", params={"symbols": "BTC/USD", "timeframe": "1Min"})
    ).json()
    assert data_models.BarSet(crypto["bars"]).data["BTC/USD"]
    cq = (await data_http.get("/v1beta3/crypto/us/latest/quotes", params={"symbols": "BTC/USD"})).json()
    data_models.Quote("BTC/USD", cq["quotes"]["BTC/USD"])
    mappings = pytest.importorskip("alpaca.data.mappings")
    for payload, mapping in ((quote, mappings.QUOTE_MAPPING), (bars["bars"][0], mappings.BAR_MAPPING)):
        assert set(payload) <= set(mapping)

    ws = await websockets.connect(fake.data_stream_url + "/v2/iex")
    await ws.recv()
    await ws.send(json.dumps({"action": "auth", "key": fake.config.key_id, "secret": fake.config.secret_key}))
    await ws.recv()
    await ws.send(json.dumps({"action": "subscribe", "quotes": ["AAPL"], "trades": ["AAPL"], "bars": ["*"]}))
    await ws.recv()
    fake.set_price("AAPL", "188.5")
    fake.clock.advance(61)
    fake.set_price("AAPL", "189")
    messages = [m for _ in range(3) for m in json.loads(await asyncio.wait_for(ws.recv(), 5))]
    await ws.close()
    kinds = {m["T"] for m in messages}
    assert {"q", "t", "b"} <= kinds
    for m in messages:
        cast = {"q": data_models.Quote, "t": data_models.Trade, "b": data_models.Bar}[m["T"]]
        cast(m["S"], m)


def test_the_official_trading_client_talks_to_the_fake() -> None:
    client_mod = pytest.importorskip("alpaca.trading.client")
    enums = pytest.importorskip("alpaca.trading.enums")
    with running_fake() as handle:
        fake = handle.fake
        client = client_mod.TradingClient(
            fake.config.key_id, fake.config.secret_key, paper=True, url_override=fake.base_url
        )
        assert client.get_account().cash == "100000"
        placed = client.submit_order(
            requests_mod.LimitOrderRequest(
                symbol="AAPL",
                qty=2,
                side=enums.OrderSide.BUY,
                time_in_force=enums.TimeInForce.GTC,
                limit_price=188,
                client_order_id="sdk-1",
            )
        )
        assert str(client.get_order_by_client_id("sdk-1").id) == str(placed.id)
        assert client.get_clock().is_open is True
        assert [p.symbol for p in client.get_all_positions()] == ["AAPL"]
        assert client.close_all_positions(cancel_orders=True)[0].symbol == "AAPL"
