"""The hub paces a venue by the protocol's `PacedVenue` contract alone, never by its platform."""

from __future__ import annotations

import asyncio
import time

import pytest
from fakes import FloodVenue, StepVenue
from harness import ack, connect, recv_json, serve, settings

from tradewire.gateway.app import create_app
from tradewire.gateway.server import build_server
from tradewire.gateway.settings import DEFAULT_BACKTEST_BUSY_POLL
from tradewire.gateway.stream.hub import Hub
from tradewire.protocol.messages import TradingPlatform


def paced_mock(steps: int) -> StepVenue:
    venue = StepVenue(steps)
    venue.platform = TradingPlatform.MOCK
    return venue


def live_backtest(**kwargs: int) -> FloodVenue:
    venue = FloodVenue(**kwargs)
    venue.platform = TradingPlatform.BACKTEST
    return venue


def test_the_hub_paces_exactly_the_paced_venues() -> None:
    assert Hub(StepVenue(1), settings()).paced
    assert Hub(paced_mock(1), settings()).paced
    assert not Hub(live_backtest(), settings()).paced
    assert not Hub(FloodVenue(), settings()).paced


def test_busy_polling_defaults_follow_the_contract() -> None:
    config = settings()  # the platform setting says mock: the venue decides
    assert build_server(create_app(paced_mock(1), config), config).busy_poll == DEFAULT_BACKTEST_BUSY_POLL
    assert build_server(create_app(live_backtest(), config), config).busy_poll == 0


async def test_a_paced_venue_of_another_platform_is_served_paced() -> None:
    venue = paced_mock(3)
    with serve(venue) as gw:
        await asyncio.sleep(0.2)
        assert not venue.started.is_set()  # a paced run waits for its first client
        async with await connect(gw) as ws:
            hello = await recv_json(ws)
            assert hello["event"] == "CONNECTED" and hello["broker"] == "mock"
            first = [(await recv_json(ws))["event_id"] for _ in range(2)]
            assert first == ["evt-1", "evt-2"]
            with pytest.raises(TimeoutError):  # time holds until the step is released
                await recv_json(ws, timeout=0.3)
            await ack(ws, first)
            assert (await recv_json(ws))["event_id"] == "evt-3"


async def test_a_live_venue_reporting_backtest_is_served_live() -> None:
    venue = live_backtest(total=50, batch=10)
    with serve(venue) as gw:
        deadline = time.monotonic() + 5
        while venue.go is None:  # a live stream is read from start-up, before any client
            assert time.monotonic() < deadline, "the live stream was not read before a client came"
            await asyncio.sleep(0.01)
        async with await connect(gw) as ws:
            hello = await recv_json(ws)
            assert hello["event"] == "CONNECTED" and hello["broker"] == "backtest"
            gw.call(venue.start)
            candles = [await recv_json(ws) for _ in range(50)]  # never acked: live needs no acks
            assert all(c["type"] == "candle" and "event_id" not in c for c in candles)
            with pytest.raises(TimeoutError):
                await recv_json(ws, timeout=0.3)
