"""Backtest over the wire with the real engine: the `backtest` provider serving tradewire.engine's
BacktestVenue; an event-by-event client and a batching client drive identical runs to the end."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import websockets
from harness import AUTH, ack, connect, serve

engine = pytest.importorskip("tradewire.engine", reason="needs tradewire-gateway[backtest]")

BARS = 40


def backtest_venue():
    from tradewire.gateway.providers.backtest import create_venue
    from tradewire.gateway.settings import GatewaySettings

    venue = create_venue(GatewaySettings(platform="backtest"))  # the provider path (sample data) works...
    assert type(venue).__name__ == "BacktestVenue"
    # ...and the tests use small synthetic data so the run is short.
    return engine.BacktestVenue(
        [engine.synthetic_bars("AAPL", BARS), engine.synthetic_bars("MSFT", BARS, seed=3)]
    )


async def strategy(http: httpx.AsyncClient, event: dict, counter: list[int]) -> None:
    """Buy every 5th AAPL candle, flatten two candles later: REST calls made before the ack."""
    if event["type"] != "candle" or event["bar"]["symbol"] != "AAPL":
        return
    counter[0] += 1
    if counter[0] % 5 == 1:
        r = await http.post(
            "/v1/orders", json={"symbol": "AAPL", "side": "buy", "quantity": "3", "order_type": "market"}
        )
        assert r.status_code == 201, r.text
    elif counter[0] % 5 == 3:
        assert (await http.delete("/v1/positions")).status_code == 200


async def run(batched: bool) -> tuple[list[str], tuple[int, str], dict]:
    seen: list[str] = []
    counter = [0]
    with serve(backtest_venue()) as gw:
        async with (
            httpx.AsyncClient(base_url=gw.url, headers=AUTH) as http,
            await connect(gw, batch=batched) as ws,
        ):
            try:
                while True:
                    frame = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
                    if batched:
                        for event in frame["events"]:
                            if "event_id" in event:
                                seen.append(orjson.dumps(event).decode())
                                await strategy(http, event, counter)
                        await ack(ws, [], batch_id=frame["batch_id"])
                    elif "event_id" in frame:
                        seen.append(orjson.dumps(frame).decode())
                        await strategy(http, frame, counter)
                        await ack(ws, [frame["event_id"]])
                    else:
                        await ack(ws, [])
            except websockets.ConnectionClosed as closed:
                close = (closed.rcvd.code, closed.rcvd.reason)
            account = (await http.get("/v1/account")).json()
    return seen, close, account


async def test_event_by_event_and_batched_drive_the_engine_identically():
    single, close1, account1 = await run(batched=False)
    batch, close2, account2 = await run(batched=True)
    assert close1 == close2 == (1000, "backtest complete")
    assert single == batch
    types = [orjson.loads(e)["type"] for e in single]
    assert types.count("candle") == 2 * BARS and types[-1] == "backtest_complete"
    assert {"order", "trade", "position", "account"} <= set(types)
    ids = [orjson.loads(e)["event_id"] for e in single]
    assert len(set(ids)) == len(ids)
    assert account1 == account2
