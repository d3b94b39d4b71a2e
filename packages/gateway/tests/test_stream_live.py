"""Stream seam, live mode (events.md): greeting, no event ids, the fill event order, batched framing,
JSON ping/pong, ignored client frames, refused upgrades, slow clients (1008) and shutdown (1001)."""

from __future__ import annotations

import asyncio
import signal

import httpx
import orjson
import pytest
import websockets
from conftest import mock_venue
from fakes import FloodVenue
from harness import AUTH, KEY, connect, recv_json, serve

from tradewire.testkit.harness import running_gateway


async def test_connected_first_then_market_data_without_ids():
    with serve(mock_venue(candle_interval=0.05)) as gw:
        async with await connect(gw) as ws:
            hello = await recv_json(ws)
            assert hello == {**hello, "type": "connection", "event": "CONNECTED", "broker": "mock"}
            kinds = set()
            for _ in range(20):
                msg = await recv_json(ws)
                assert "event_id" not in msg and msg["timestamp"].endswith("Z")
                kinds.add(msg["type"])
            assert kinds == {"candle", "quote"}


async def test_fill_events_in_spec_order():
    with serve(mock_venue()) as gw:
        async with await connect(gw) as ws, httpx.AsyncClient(base_url=gw.url, headers=AUTH) as http:
            await recv_json(ws)
            r = await http.post(
                "/v1/orders", json={"symbol": "SPY", "side": "sell", "quantity": "2", "order_type": "market"}
            )
            assert r.status_code == 201
            got = [await recv_json(ws) for _ in range(5)]
    assert [(m["type"], m["event"]) for m in got] == [
        ("order", "ORDER_CREATED"),
        ("order", "ORDER_FILLED"),
        ("trade", "TRADE_FILLED"),
        ("position", "POSITION_OPENED"),
        ("account", "BALANCE_UPDATED"),
    ]
    assert got[1]["order"]["side"] == "SELL" and got[3]["position"]["side"] == "SHORT"
    assert got[2]["trade"]["quantity"] == "2"


async def test_limit_order_triggers_on_the_price_path():
    venue = mock_venue()
    with serve(venue) as gw:
        async with await connect(gw) as ws, httpx.AsyncClient(base_url=gw.url, headers=AUTH) as http:
            await recv_json(ws)
            quote = (await http.get("/v1/quotes/AAPL")).json()
            from decimal import Decimal

            limit = str(Decimal(quote["bid"]) - Decimal("0.50"))
            r = await http.post(
                "/v1/orders",
                json={
                    "symbol": "AAPL",
                    "side": "buy",
                    "quantity": "1",
                    "order_type": "limit",
                    "limit_price": limit,
                },
            )
            oid = r.json()["id"]
            assert (await recv_json(ws))["event"] == "ORDER_CREATED"
            for _ in range(2000):  # walk the market by hand until the path crosses the limit
                gw.call(venue.tick)
                if (await venue.get_order(oid)).status.name == "FILLED":
                    break
            order = (await http.get(f"/v1/orders/{oid}")).json()
            assert order["status"] == "FILLED"
            assert Decimal(order["average_fill_price"]) <= Decimal(limit)
            fills = []
            while len(fills) < 1:
                msg = await recv_json(ws)
                if msg["type"] == "order":
                    fills.append(msg)
            assert fills[0]["event"] == "ORDER_FILLED" and fills[0]["order"]["id"] == oid


async def test_batched_framing_live():
    with serve(mock_venue(candle_interval=0.05)) as gw:
        async with await connect(gw, batch=True) as ws:
            frames = [await recv_json(ws) for _ in range(3)]
    assert all(f["type"] == "batch" and f["batch_id"] and f["events"] for f in frames)
    events = [e for f in frames for e in f["events"]]
    assert events[0]["event"] == "CONNECTED"
    assert all("event_id" not in e for e in events)


async def test_json_ping_after_silence_pong_and_junk_ignored():
    with serve(FloodVenue(total=0), ws_ping_interval=0.3) as gw:
        async with await connect(gw) as ws:
            assert (await recv_json(ws))["event"] == "CONNECTED"
            for junk in [
                "not json",
                "[1,2]",
                '{"type":"subscribe","symbols":["AAPL"]}',
                '{"type":"event_ack"}',
                '{"type":"pong"}',
                b"\x00\x01",
            ]:
                await ws.send(junk)
            ping = await recv_json(ws, timeout=2)
            assert set(ping) == {"type", "timestamp"} and ping["type"] == "ping"
            await ws.send('{"type":"pong"}')
            assert (await recv_json(ws, timeout=2))["type"] == "ping"
            await ws.ping()  # protocol-level ping answered


@pytest.mark.parametrize(
    "headers, code", [({}, "MISSING_API_KEY"), ({"X-API-Key": "nope"}, "INVALID_API_KEY")]
)
async def test_upgrade_without_key_is_plain_401(headers, code):
    with serve(mock_venue()) as gw:
        with pytest.raises(websockets.InvalidStatus) as refused:
            await connect(gw, headers=headers)
    response = refused.value.response
    assert response.status_code == 401
    assert orjson.loads(response.body)["details"] == {"code": code}


async def test_upgrade_with_x_api_key():
    with serve(mock_venue()) as gw:
        async with await connect(gw, headers={"X-API-Key": KEY}) as ws:
            assert (await recv_json(ws))["event"] == "CONNECTED"


async def test_client_that_keeps_up_gets_everything():
    total = 30_000
    venue = FloodVenue(
        total=total, batch=20, pause=0.002
    )  # ~10k events/s: a pace this in-process client keeps up with
    with serve(venue, ws_queue_size=1024) as gw:
        async with await connect(gw, batch=True) as ws:
            gw.call(venue.start)
            count = 0
            while count < total:
                frame = await recv_json(ws)
                count += sum(1 for e in frame["events"] if e["type"] == "candle")
            assert count == total


async def test_slow_client_is_closed_1008_and_memory_stays_bounded():
    # A bounded flood (far more than socket buffers plus the 1024 queue hold) that then stops, so the
    # server thread does not starve this client of the GIL while it drains; no client keepalive
    # pings, whose pongs would queue behind megabytes of unread frames on a loaded machine.
    venue = FloodVenue(total=300_000, batch=200)
    with serve(venue, ws_queue_size=1024) as gw:
        async with await connect(gw, max_queue=4, ping_interval=None) as ws:
            gw.call(venue.start)
            await asyncio.sleep(3)  # stop reading: buffers fill, then the gateway's queue overflows
            sessions = gw.call(lambda: [s.depth for s in gw.gateway.hub.sessions])
            assert all(d <= 1024 + 1 for d in sessions)
            messages = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    messages.append(orjson.loads(await asyncio.wait_for(ws.recv(), 10)))
            assert closed.value.rcvd.code == 1008 and "slow" in closed.value.rcvd.reason
            assert messages[-1]["type"] == "connection" and messages[-1]["event"] == "DISCONNECTING"
            assert len(messages) < venue.sent


async def test_shutdown_sends_disconnecting_then_1001():
    with serve(mock_venue(), shutdown_grace=0.2) as gw:
        async with await connect(gw) as ws:
            await recv_json(ws)
            gw.stop()  # begins the graceful shutdown and returns; the block's end waits for it
            notice = await recv_json(ws)
            assert notice["type"] == "connection" and notice["event"] == "DISCONNECTING"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await recv_json(ws)
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, "Gateway shutting down")


async def test_sigterm_on_the_real_process():
    # A process of its own: the signal goes to the console script, which logs JSON lines by default.
    with running_gateway(
        "mock", api_key=KEY, mode="process", log_level="info", json_logs=True, mock={"candle_interval": 0.2}
    ) as gw:
        async with websockets.connect(gw.ws_url, additional_headers=AUTH, compression=None) as ws:
            assert (await recv_json(ws))["event"] == "CONNECTED"
            gw.process.send_signal(signal.SIGTERM)
            seen = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    seen.append(await recv_json(ws))
            assert seen[-1]["event"] == "DISCONNECTING"
            assert closed.value.rcvd.code == 1001
        # uvicorn re-raises the signal after its graceful shutdown, so "killed by SIGTERM" is the clean exit.
        assert gw.process.wait(15) in (0, -signal.SIGTERM)
        logs = gw.logs()
    assert KEY not in logs
    first = next(line for line in logs.splitlines() if line.startswith("{"))
    assert orjson.loads(first)["level"] in {"info", "warning"}


async def test_no_permessage_deflate_even_when_offered():
    with serve(mock_venue()) as gw:
        async with websockets.connect(gw.ws_url, additional_headers=AUTH, compression="deflate") as ws:
            assert (await recv_json(ws))["event"] == "CONNECTED"
            assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
