"""Pins identity across restarts: each gateway start is a new run, named on CONNECTED and in /health,
and its order ids never repeat an earlier start's, so a retried cancel can never reach another order."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import websockets
from harness import AUTH, KEY, connect, recv_json, serve

from tradewire.gateway.providers.mock import MockVenue
from tradewire.protocol import run_ids
from tradewire.testkit.harness import free_port, running_gateway

_ALPHABET = set("0123456789abcdefghjkmnpqrstvwxyz")
_SLOW_MOCK = {"candle_interval": 3600.0}  # no candle, so no fill, while a test runs


def _far_limit(c: httpx.Client, n: int) -> str:
    """Place a buy limit far below the market (it stays open); its order id."""
    body = {
        "symbol": "AAPL",
        "side": "buy",
        "quantity": "1",
        "order_type": "limit",
        "limit_price": "1.00",
        "client_order_id": f"far-{n}",
    }
    r = c.post("/v1/orders", json=body)
    assert r.status_code == 201, r.text
    order_id: str = r.json()["id"]
    return order_id


async def _connected(ws_url: str) -> dict[str, Any]:
    async with websockets.connect(
        ws_url, additional_headers={"Authorization": f"Bearer {KEY}"}, compression=None
    ) as ws:
        first: dict[str, Any] = await recv_json(ws)
    return first


def test_run_ids_are_time_ordered_base32_and_differ_within_a_millisecond() -> None:
    a, b = run_ids.new_run_id(1_700_000_000_000), run_ids.new_run_id(1_700_000_000_001)
    assert len(a) == len(b) == run_ids.LENGTH and set(a + b) <= _ALPHABET and a < b
    same_ms = {run_ids.new_run_id(1_700_000_000_000) for _ in range(50)}
    assert len(same_ms) > 45  # 16 random bits apart (a rare pair may meet; 5 of 50 would be a bug)


@pytest.mark.parametrize("platform", ["mock", "backtest"])
def test_connected_and_health_carry_the_run_id_and_each_start_is_a_new_run(platform: str) -> None:
    seen = []
    for _ in range(2):
        with running_gateway(platform, api_key=KEY, mock=_SLOW_MOCK) as gw:
            connected = asyncio.run(_connected(gw.ws_url))
            health = httpx.get(gw.url + "/health").json()
        assert connected["type"] == "connection" and connected["event"] == "CONNECTED"
        assert connected["run_id"] == health["run_id"] == gw.gateway.run_id
        assert len(health["run_id"]) == run_ids.LENGTH
        seen.append(health["run_id"])
    assert seen[0] != seen[1]


@pytest.mark.parametrize("platform", ["mock", "backtest"])
def test_order_ids_never_repeat_after_a_restart_and_an_old_id_cancels_nothing(platform: str) -> None:
    port = free_port()
    with running_gateway(platform, api_key=KEY, port=port, mock=_SLOW_MOCK) as first, first.client() as c:
        before = [_far_limit(c, n) for n in range(3)]
    # the same gateway again on the same port: a fresh start, as after SIGKILL and a restart
    with running_gateway(platform, api_key=KEY, port=port, mock=_SLOW_MOCK) as second, second.client() as c:
        after = [_far_limit(c, n) for n in range(3)]
        assert not set(before) & set(after), (before, after)
        # a client retrying its cancel of an order of the first run
        retried = c.delete(f"/v1/orders/{before[1]}")
        assert retried.status_code == 404 and retried.json()["code"] == "ORDER_NOT_FOUND"
        assert {o["id"]: o["status"] for o in c.get("/v1/orders").json()} == dict.fromkeys(after, "OPEN")


class _StoredRunVenue(MockVenue):
    """A venue that knows its run only once connected, as a broker venue reads it from its store."""

    def __init__(self, stored: str) -> None:
        super().__init__(seed=7, candle_interval=3600.0)
        self.run_id = ""
        self._stored = stored

    async def connect(self) -> None:
        await super().connect()
        self.run_id = self._stored


async def test_a_venue_run_known_at_connect_is_the_gateways_across_restarts() -> None:
    stored = run_ids.new_run_id()
    seen = []
    for _ in range(2):  # two gateway starts on the same stored run: a client sees no change of run
        with serve(_StoredRunVenue(stored)) as gw:
            async with await connect(gw) as ws:
                seen.append((await recv_json(ws))["run_id"])
            with httpx.Client(base_url=gw.url, headers=AUTH) as c:
                seen.append(c.get("/health").json()["run_id"])
    assert seen == [stored] * 4
