"""Each injected fault of the fake, over real sockets: the answer the client sees and the state left behind."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import websockets
from alpaca_fake_helpers import event, submit

from tradewire.testkit.fakes.alpaca import FakeAlpaca

ORDER = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}


async def _by_client_id(http: httpx.AsyncClient, cid: str) -> httpx.Response:
    return await http.get("/v2/orders:by_client_order_id", params={"client_order_id": cid})


async def test_429_with_reset_and_no_order(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    fake.faults.rate_limit(reset_in=5)
    answer = await http.post("/v2/orders", json={**ORDER, "client_order_id": "rl-1"})
    assert (answer.status_code, answer.json()) == (429, {"code": 42910000, "message": "rate limit exceeded"})
    assert answer.headers["X-Ratelimit-Remaining"] == "0"
    assert int(answer.headers["X-Ratelimit-Reset"]) >= int(time.time()) + 4
    assert (await _by_client_id(http, "rl-1")).status_code == 404
    assert (await http.post("/v2/orders", json={**ORDER, "client_order_id": "rl-1"})).status_code == 200


async def test_real_window_exhausted_answers_429() -> None:
    async with (
        FakeAlpaca(rate_limit=2) as fake,
        httpx.AsyncClient(base_url=fake.base_url, headers=fake.headers) as http,
    ):
        codes = [(await http.get("/v2/clock")).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


async def test_a_scripted_refusal_makes_no_order(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    fake.faults.refuse("order is not allowed at this time", status=403)
    answer = await http.post("/v2/orders", json={**ORDER, "client_order_id": "no-1"})
    assert (answer.status_code, answer.json()) == (
        403,
        {"code": 40310000, "message": "order is not allowed at this time"},
    )
    assert (await _by_client_id(http, "no-1")).status_code == 404
    assert (await http.post("/v2/orders", json={**ORDER, "client_order_id": "no-1"})).status_code == 200


async def test_the_clock_follows_the_scripted_session(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    fake.close_market()
    closed = (await http.get("/v2/clock")).json()
    fake.open_market()
    opened = (await http.get("/v2/clock")).json()
    assert (closed["is_open"], opened["is_open"]) == (False, True)
    # Closed: the next open comes before the next close; open: the close comes first.
    assert closed["next_open"] < closed["next_close"] and opened["next_close"] < opened["next_open"]


async def test_500_after_the_order_was_created(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    fake.faults.server_error_after()
    answer = await http.post("/v2/orders", json={**ORDER, "client_order_id": "unknown-1"})
    assert (answer.status_code, answer.json()["code"]) == (500, 50010000)
    assert (await _by_client_id(http, "unknown-1")).json()["symbol"] == "AAPL"  # the outcome, found by id


async def test_duplicate_client_order_id_after_create(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    fake.faults.duplicate_after()
    answer = await http.post("/v2/orders", json={**ORDER, "client_order_id": "race-1"})
    assert (answer.status_code, answer.json()) == (
        422,
        {"code": 40010001, "message": "client_order_id must be unique"},
    )
    assert (await _by_client_id(http, "race-1")).status_code == 200
    assert len((await http.get("/v2/orders", params={"status": "all"})).json()) == 1


async def test_slow_answer_times_out_the_client_but_the_order_lands(
    fake: FakeAlpaca, http: httpx.AsyncClient
) -> None:
    fake.faults.delay(1.0, "POST", "/v2/orders")
    with pytest.raises(httpx.ReadTimeout):
        await http.post("/v2/orders", json={**ORDER, "client_order_id": "slow-1"}, timeout=0.2)
    for _ in range(50):  # the handler runs after the delay
        found = await _by_client_id(http, "slow-1")
        if found.status_code == 200:
            break
        await __import__("asyncio").sleep(0.1)
    assert found.status_code == 200


async def test_connection_reset_after_create(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    fake.faults.drop_connection_after()
    with pytest.raises(httpx.TransportError):
        await http.post("/v2/orders", json={**ORDER, "client_order_id": "reset-1"})
    assert (await _by_client_id(http, "reset-1")).status_code == 200


async def test_trade_stream_dropped_before_the_fill(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    fake.faults.drop_trade_stream("before_fill")
    order = await submit(http)
    assert (await stream.recv())["data"]["event"] == "new"
    with pytest.raises(websockets.ConnectionClosedError):
        await stream.recv()
    assert [e["event"] for e in stream.events] == ["new"]  # the fill never reached this socket
    [fill] = (await http.get("/v2/account/activities/FILL")).json()
    assert fill["order_id"] == order["id"]  # resync over REST finds it


async def test_trade_stream_dropped_after_the_fill(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    fake.faults.drop_trade_stream("after_fill")
    order = await submit(http)
    await stream.until(event("fill", order["id"]))
    with pytest.raises(websockets.ConnectionClosedError):
        await stream.recv()
    again = await open_trade_stream()  # reconnecting works, and nothing is replayed
    await submit(http, type="limit", limit_price="150")
    assert json.dumps((await again.recv())["data"]["event"]) == '"new"'
