"""Stream seam, backtest pacing (events.md "Backtest mode"): event ids, strict-id acks, steps held
until released, early acks, reconnects, several clients, the end of a run and the ack timeout —
against a small ack-paced venue served for real."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import websockets
from fakes import StepVenue
from harness import AUTH, ack, connect, recv_json, serve


async def expect_silence(ws, seconds: float = 0.3) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), seconds)


async def greet(ws) -> dict:
    hello = await recv_json(ws)
    assert hello["type"] == "connection" and hello["event"] == "CONNECTED" and hello["broker"] == "backtest"
    assert "event_id" not in hello
    return hello


async def test_first_step_waits_for_a_client():
    venue = StepVenue(steps=2)
    with serve(venue) as gw:
        await asyncio.sleep(0.3)
        assert not venue.started.is_set()
        async with await connect(gw) as ws:
            await greet(ws)
            first = [await recv_json(ws), await recv_json(ws)]
    assert [m["event_id"] for m in first] == ["evt-1", "evt-2"]
    assert [m["bar"]["symbol"] for m in first] == ["AAPL", "MSFT"]
    # envelope timestamp is the simulated time of the step
    assert first[0]["timestamp"] == "2024-03-01T14:30:00Z"


async def drive(gw, batched: bool) -> tuple[list[str], int, str]:
    """Run a whole backtest like a client; returns every event as text, the close code and reason."""
    seen: list[str] = []
    async with await connect(gw, batch=batched) as ws:
        try:
            while True:
                raw = await asyncio.wait_for(ws.recv(), 5)
                import orjson

                frame = orjson.loads(raw)
                if batched and frame["type"] == "batch":
                    seen.extend(
                        orjson.dumps(e).decode() for e in frame["events"] if e["type"] != "connection"
                    )
                    await ack(ws, [], batch_id=frame["batch_id"])
                    continue
                if frame["type"] == "connection":
                    await ack(ws, [])  # compatible clients ack id-less messages with []
                    continue
                seen.append(raw)
                await ack(ws, [frame["event_id"]])
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None
            return seen, closed.rcvd.code, closed.rcvd.reason
    raise AssertionError("not closed")


async def test_event_by_event_and_batched_clients_see_the_same_run():
    runs = []
    for batched in (False, True):
        with serve(StepVenue(steps=20)) as gw:
            runs.append(await drive(gw, batched))
    (single, code1, reason1), (batch, code2, reason2) = runs
    assert single == batch
    assert len(single) == 41 and '"backtest_complete"' in single[-1]
    assert (code1, reason1) == (code2, reason2) == (1000, "backtest complete")


async def test_release_is_exact_and_time_holds():
    venue = StepVenue(steps=3)
    with serve(venue) as gw:
        async with await connect(gw) as ws:
            await greet(ws)
            await recv_json(ws), await recv_json(ws)
            await ack(ws, [])
            await ack(ws, ["evt-2", "evt-2", "nonsense", 7])  # repeated, unknown and non-string ids ignored
            await expect_silence(ws)
            assert venue.step == 0
            await ack(ws, ["evt-1"])
            nxt = await recv_json(ws)
            assert nxt["event_id"] == "evt-3" and nxt["timestamp"] == "2024-03-01T14:31:00Z"


async def test_acks_for_not_yet_sent_ids_are_remembered():
    venue = StepVenue(steps=3)
    with serve(venue) as gw:
        async with await connect(gw) as ws:
            await greet(ws)
            await recv_json(ws), await recv_json(ws)
            await ack(ws, ["evt-3", "evt-4"])  # the next step's ids, before they exist
            await ack(ws, ["evt-1", "evt-2"])
            got = [(await recv_json(ws))["event_id"] for _ in range(4)]
            assert got == ["evt-3", "evt-4", "evt-5", "evt-6"]  # step 1 released on arrival


async def test_rest_order_inside_a_step_joins_the_batch():
    venue = StepVenue(steps=3)
    with serve(venue) as gw:
        async with await connect(gw) as ws, httpx.AsyncClient(base_url=gw.url, headers=AUTH) as http:
            await greet(ws)
            candles = [await recv_json(ws), await recv_json(ws)]
            r = await http.post(
                "/v1/orders", json={"symbol": "AAPL", "side": "buy", "quantity": "1", "order_type": "market"}
            )
            assert r.status_code == 201
            order_events = [await recv_json(ws) for _ in range(3)]
            assert [m.get("event") for m in order_events] == [
                "ORDER_CREATED",
                "ORDER_FILLED",
                "BALANCE_UPDATED",
            ]
            assert all(m["timestamp"] == candles[0]["timestamp"] for m in order_events)
            for m in candles:
                await ack(ws, [m["event_id"]])
            await expect_silence(ws)  # the order's events are part of the step too
            for m in order_events:
                await ack(ws, [m["event_id"]])
            assert (await recv_json(ws))["bar"]["timestamp"] == "2024-03-01T14:30:00Z"


async def test_reconnect_gets_unreleased_messages_again_and_run_pauses():
    venue = StepVenue(steps=3)
    with serve(venue) as gw:
        async with await connect(gw) as ws:
            await greet(ws)
            await recv_json(ws), await recv_json(ws)
            await ack(ws, ["evt-1"])
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        assert venue.step == 0  # paused: never advances because a client left
        async with await connect(gw, batch=True) as ws:
            hello = await recv_json(ws)  # with framing=batch every frame is a batch, the greeting too
            assert hello["type"] == "batch" and [e["event"] for e in hello["events"]] == ["CONNECTED"]
            frame = await recv_json(ws)
            assert frame["type"] == "batch"
            assert [e["event_id"] for e in frame["events"]] == ["evt-2"]
            await ack(ws, [], batch_id=frame["batch_id"])
            nxt = await recv_json(ws)
            assert [e["event_id"] for e in nxt["events"]] == ["evt-3", "evt-4"]


async def test_any_clients_ack_releases():
    venue = StepVenue(steps=3)
    with serve(venue) as gw:
        async with await connect(gw) as a:
            await greet(a)
            async with await connect(gw) as b:
                await greet(b)
                for ws in (a, b):
                    assert [(await recv_json(ws))["event_id"] for _ in range(2)] == ["evt-1", "evt-2"]
                await ack(a, ["evt-1"])
                await ack(b, ["evt-2"])
                for ws in (a, b):
                    assert (await recv_json(ws))["event_id"] == "evt-3"


async def test_stale_symbols_reported_on_connect():
    venue = StepVenue(steps=1)
    venue.stale = ["AAPL"]
    with serve(venue) as gw:
        async with await connect(gw) as ws:
            await greet(ws)
            stale = await recv_json(ws)
            assert (
                stale["type"] == "data_staleness"
                and stale["event"] == "STALE"
                and stale["symbols"] == ["AAPL"]
            )
            assert "event_id" not in stale


async def test_ack_timeout_stops_the_run_with_1011():
    with serve(StepVenue(steps=3), ack_timeout=0.5) as gw:
        async with await connect(gw) as ws:
            await greet(ws)
            await recv_json(ws), await recv_json(ws)
            await ack(ws, ["evt-1"])
            error = await recv_json(ws, timeout=3)
            assert error["type"] == "error" and error["code"] == "INTERNAL_ERROR"
            assert error["details"] == {"reason": "ack_timeout", "pending": ["evt-2"]}
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await recv_json(ws)
            assert closed.value.rcvd.code == 1011


async def test_unacked_backtest_complete_closes_after_bounded_wait():
    with serve(StepVenue(steps=0), complete_ack_timeout=0.5) as gw:
        async with await connect(gw) as ws:
            await greet(ws)
            done = await recv_json(ws)
            assert done["type"] == "backtest_complete" and done["event_id"] == "evt-1"
            started = time.monotonic()
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await recv_json(ws, timeout=3)
            assert 0.3 < time.monotonic() - started < 2.5
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "backtest complete")
        # REST stays up after the run; a late client is told the run is over
        with httpx.Client(base_url=gw.url, headers=AUTH) as c:
            assert c.get("/v1/account").status_code == 200
        async with await connect(gw) as ws:
            await greet(ws)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await recv_json(ws)
            assert closed.value.rcvd.code == 1000
