"""The trade_updates and market-data streams over real WebSockets against the testkit's fake Alpaca:
events in order, and after a dropped socket every missed fill and order state exactly once, before
BROKER_RECONNECTED (mapping.md §8); fills remembered across a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers._live.store import Store
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.data_stream import DataStream
from tradewire.brokers.alpaca.http import AlpacaHttp
from tradewire.brokers.alpaca.stream import TradeStream
from tradewire.protocol.errors import AuthenticationError
from tradewire.protocol.messages import ServerMessage
from tradewire.protocol.venue import StreamBatch

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")

LIMIT = {
    "symbol": "AAPL",
    "qty": "10",
    "side": "buy",
    "type": "limit",
    "time_in_force": "day",
    "limit_price": "150",
}
QUICK = Backoff(initial=0.1, cap=0.3)


def label(m: ServerMessage) -> str:
    if m.trade is not None:
        assert m.trade.trade is not None
        return f"TRADE_FILLED {m.trade.trade.quantity}"
    kind = m.order or m.position or m.account or m.connection
    assert kind is not None
    return kind.event.name


def drop_trade_streams(fake: Any) -> None:
    """Reset every trade_updates socket (no close frame, as a network failure)."""
    for conn in list(fake.trade_hub.connections):
        conn.drop()


async def until(out: list[ServerMessage], done: Callable[[list[str]], bool]) -> list[str]:
    async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
        while not done([label(m) for m in out]):
            await asyncio.sleep(0.02)
    return [label(m) for m in out]


class Harness:
    def __init__(self, fake: Any, stream: TradeStream, http: AlpacaHttp, out: list[ServerMessage]):
        self.fake, self.stream, self.http, self.out = fake, stream, http, out

    async def until(self, done: Callable[[list[str]], bool]) -> list[str]:
        return await until(self.out, done)


def config_for(fake: Any, tmp_path: Path, **env: str) -> AlpacaConfig:
    return AlpacaConfig.from_env(
        paper=True, env={**fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s"), **env}
    )


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with fakes.FakeAlpaca() as fake:
        config = config_for(fake, tmp_path)
        http = AlpacaHttp(config)
        store = Store.open(config.store_path)
        out: list[ServerMessage] = []

        def emit(batch: StreamBatch) -> None:
            out.extend(batch.messages)

        stream = TradeStream(config, http, store, "alpaca-paper", emit, policy=QUICK)
        await stream.start()
        yield Harness(fake, stream, http, out)
        await stream.close()
        await http.aclose()
        store.close()


async def test_a_filled_order_reports_created_fill_position_and_balance(harness: Harness) -> None:
    order = await harness.http.submit({**LIMIT, "client_order_id": "m1"})
    harness.fake.fill(order["id"])
    labels = await harness.until(lambda ls: "BALANCE_UPDATED" in ls)
    # events.md: for one fill the order (fill), the trade, the position, then the balance.
    assert labels == [
        "ORDER_CREATED",
        "ORDER_FILLED",
        "TRADE_FILLED 10",
        "POSITION_OPENED",
        "BALANCE_UPDATED",
    ]


async def test_each_fill_has_its_own_position_event_even_within_one_refresh(harness: Harness) -> None:
    first = await harness.http.submit({**LIMIT, "client_order_id": "p1"})
    second = await harness.http.submit({**LIMIT, "qty": "5", "client_order_id": "p2"})
    harness.fake.fill(first["id"], price="150")  # two fills closer together than the balance refresh
    harness.fake.fill(second["id"], price="153")
    labels = await harness.until(lambda ls: "BALANCE_UPDATED" in ls)
    assert labels == ["ORDER_CREATED", "ORDER_CREATED", "ORDER_FILLED", "TRADE_FILLED 10", "POSITION_OPENED",
                      "ORDER_FILLED", "TRADE_FILLED 5", "POSITION_MODIFIED", "BALANCE_UPDATED"]  # fmt: skip
    opened, modified = (m.position.position for m in harness.out if m.position and m.position.position)
    assert (opened.quantity, opened.average_entry_price) == ("10", "150")
    assert (modified.quantity, modified.average_entry_price) == ("15", "151")  # weighted by size


async def test_fills_missed_in_a_gap_come_once_in_broker_order_before_reconnected(harness: Harness) -> None:
    fake = harness.fake
    order = await harness.http.submit({**LIMIT, "client_order_id": "l1"})
    harness.stream.track(order)
    await harness.until(lambda ls: ls == ["ORDER_CREATED"])
    drop_trade_streams(fake)
    # While the socket is down: two fills Alpaca will never replay.
    fake.fill(order["id"], "4")
    fake.fill(order["id"])
    labels = await harness.until(lambda ls: "BROKER_RECONNECTED" in ls)
    assert labels == [
        "ORDER_CREATED",
        "BROKER_DISCONNECTED",
        "RECONNECTING",
        "ORDER_FILLED",  # the order's state now, then each fill that led to it, in broker order
        "TRADE_FILLED 4",
        "TRADE_FILLED 6",
        "POSITION_OPENED",
        "BALANCE_UPDATED",
        "BROKER_RECONNECTED",
    ]
    reconnected = harness.out[-1].connection
    assert (
        reconnected is not None
        and reconnected.gap_duration_ms is not None
        and reconnected.gap_duration_ms > 0
    )
    # A second gap's resync finds the same fills again and reports none of them.
    drop_trade_streams(fake)
    labels = await harness.until(lambda ls: ls.count("BROKER_RECONNECTED") == 2)
    assert labels[9:] == ["BROKER_DISCONNECTED", "RECONNECTING", "BALANCE_UPDATED", "BROKER_RECONNECTED"]


async def test_a_cancel_missed_in_a_gap_is_reported_once(harness: Harness) -> None:
    order = await harness.http.submit({**LIMIT, "client_order_id": "c1"})
    harness.stream.track(order)
    await harness.until(lambda ls: ls == ["ORDER_CREATED"])
    drop_trade_streams(harness.fake)
    await harness.http.cancel_order(order["id"])
    labels = await harness.until(lambda ls: "BROKER_RECONNECTED" in ls)
    assert labels == ["ORDER_CREATED", "BROKER_DISCONNECTED", "RECONNECTING", "ORDER_CANCELLED",
                      "BALANCE_UPDATED", "BROKER_RECONNECTED"]  # fmt: skip
    assert order["id"] not in harness.stream.open_orders  # terminal: no longer read back


async def test_fills_reported_before_a_restart_are_not_reported_again(tmp_path: Path) -> None:
    async with fakes.FakeAlpaca() as fake:
        config = config_for(fake, tmp_path)
        http = AlpacaHttp(config)
        order = await http.submit({**LIMIT, "client_order_id": "r1"})

        async def run(gap: Callable[[], None]) -> list[str]:
            store = Store.open(config.store_path)
            out: list[ServerMessage] = []
            stream = TradeStream(
                config, http, store, "alpaca-paper", lambda b: out.extend(b.messages), policy=QUICK
            )
            await stream.start()
            stream.track(order)
            drop_trade_streams(fake)
            gap()
            labels = await until(out, lambda ls: "BROKER_RECONNECTED" in ls)
            await stream.close()
            store.close()
            return labels

        first = await run(lambda: fake.fill(order["id"], "4"))
        assert "TRADE_FILLED 4" in first
        # A new process on the same store: the resync finds the same fill and stays silent about it.
        second = await run(lambda: None)
        assert not any(x.startswith("TRADE_FILLED") for x in second)
        await http.aclose()


def order_events(out: list[ServerMessage]) -> list[tuple[str, str]]:
    """(label, order id) of the order and trade events, in order."""
    events = []
    for m in out:
        if m.order is not None and m.order.order is not None:
            events.append((label(m), m.order.order.id))
        elif m.trade is not None and m.trade.trade is not None:
            events.append((label(m), m.trade.trade.order_id))
    return events


async def test_what_alpaca_did_while_no_venue_ran_is_emitted_once_at_start(tmp_path: Path) -> None:
    async with fakes.FakeAlpaca() as fake:
        config = config_for(fake, tmp_path)
        http = AlpacaHttp(config)

        async def run(between: Callable[[], Any]) -> list[tuple[str, str]]:
            """Start a stream on the store; `between` acts at Alpaca while it runs; what it emitted."""
            store = Store.open(config.store_path)
            out: list[ServerMessage] = []
            stream = TradeStream(
                config, http, store, "alpaca-paper", lambda b: out.extend(b.messages), policy=QUICK
            )
            await stream.start()
            at_start = order_events(out)  # emitted before start() returned: before "connected"
            await between()
            await asyncio.sleep(0.3)  # a bound for late stream events, not a speed assertion
            assert order_events(out)[: len(at_start)] == at_start
            await stream.close()
            store.close()
            return at_start

        placed: dict[str, dict[str, Any]] = {}

        async def place_a() -> None:
            placed["a"] = await http.submit({**LIMIT, "client_order_id": "a"})

        assert await run(place_a) == []
        a = placed["a"]["id"]
        # No venue runs: A fills in part; B is placed and filled; C placed and cancelled; D placed.
        fake.fill(a, "4")
        b = (await http.submit({**LIMIT, "client_order_id": "b"}))["id"]
        fake.fill(b)
        c = (await http.submit({**LIMIT, "client_order_id": "c"}))["id"]
        await http.cancel_order(c)
        d = (await http.submit({**LIMIT, "client_order_id": "d"}))["id"]

        async def nothing() -> None:
            pass

        # A was reported created before the stop: only its fill and new state are news.
        assert await run(nothing) == [
            ("ORDER_PARTIALLY_FILLED", a),
            ("TRADE_FILLED 4", a),
            ("ORDER_CREATED", b),
            ("ORDER_FILLED", b),
            ("TRADE_FILLED 10", b),
            ("ORDER_CREATED", c),
            ("ORDER_CANCELLED", c),
            ("ORDER_CREATED", d),
        ]
        # Once each: a further start on the same store finds nothing new.
        assert await run(nothing) == []
        await http.aclose()


async def test_wrong_keys_fail_the_start(tmp_path: Path) -> None:
    async with fakes.FakeAlpaca() as fake:
        config = config_for(fake, tmp_path)
        http = AlpacaHttp(config)
        bad = config_for(fake, tmp_path, APCA_API_SECRET_KEY="not-the-secret")
        store = Store.open(config.store_path)
        stream = TradeStream(bad, http, store, "alpaca-paper", lambda b: None)
        with pytest.raises(AuthenticationError):
            await stream.start()
        await http.aclose()
        store.close()


async def test_market_data_quotes_exact_and_resubscribed_after_a_drop(tmp_path: Path) -> None:
    async with fakes.FakeAlpaca() as fake:
        config = config_for(fake, tmp_path)
        out: list[ServerMessage] = []
        data = DataStream(
            config, config.stock_stream_url(), ["AAPL"], lambda b: out.extend(b.messages), policy=QUICK
        )
        data.start()

        def quotes() -> list[tuple[str, str]]:
            return [
                (m.quote.quote.bid, m.quote.quote.ask) for m in out if m.quote is not None and m.quote.quote
            ]

        async with asyncio.timeout(10):
            while not data.connected.is_set():
                await asyncio.sleep(0.02)
            assert data.stale() == []
            fake.set_price("AAPL", "187.00")
            while not quotes():
                await asyncio.sleep(0.02)
            for conn in list(fake.data_hub.connections):
                await conn.ws.close()
            while len(quotes()) < 2:  # a quote reaches us again once a new socket is subscribed
                fake.set_price("AAPL", "188.00")
                await asyncio.sleep(0.05)
        assert [Decimal(b) + Decimal(a) for b, a in quotes()[:2]] == [Decimal("374.00"), Decimal("376.00")]
        await data.close()
