"""The trade_updates stream over a real WebSocket: events in order, and after a dropped socket every missed
fill and order state exactly once, before BROKER_RECONNECTED (mapping.md §8)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from alpaca_wire import MiniAlpaca, env, serve

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers._live.store import Store
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.data_stream import DataStream
from tradewire.brokers.alpaca.http import AlpacaHttp
from tradewire.brokers.alpaca.stream import TradeStream
from tradewire.protocol.errors import AuthenticationError
from tradewire.protocol.messages import ServerMessage
from tradewire.protocol.venue import StreamBatch

ORDER = {"symbol": "AAPL", "qty": "10", "side": "buy", "time_in_force": "day"}


def label(m: ServerMessage) -> str:
    if m.order is not None:
        return m.order.event.name
    if m.trade is not None:
        assert m.trade.trade is not None
        return f"TRADE_FILLED {m.trade.trade.quantity}"
    if m.position is not None:
        return m.position.event.name
    if m.account is not None:
        return m.account.event.name
    assert m.connection is not None
    return m.connection.event.name


class Harness:
    def __init__(self, alpaca: MiniAlpaca, stream: TradeStream, http: AlpacaHttp, out: list[ServerMessage]):
        self.alpaca, self.stream, self.http, self.out = alpaca, stream, http, out

    def labels(self) -> list[str]:
        return [label(m) for m in self.out]

    async def until(self, done: Callable[[list[str]], bool], limit: float = 10.0) -> list[str]:
        async with asyncio.timeout(limit):  # a bound against hanging, not a speed assertion
            while not done(self.labels()):
                await asyncio.sleep(0.02)
        return self.labels()


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    alpaca = MiniAlpaca(price=Decimal("100"))
    async with serve(alpaca) as base:
        config = AlpacaConfig.from_env(paper=True, env=env(base, str(tmp_path / "s.sqlite3")))
        http = AlpacaHttp(config)
        store = Store.open(config.store_path)
        out: list[ServerMessage] = []

        def emit(batch: StreamBatch) -> None:
            out.extend(batch.messages)

        stream = TradeStream(config, http, store, "alpaca-paper", emit, policy=Backoff(initial=0.2, cap=0.5))
        await stream.start()
        yield Harness(alpaca, stream, http, out)
        await stream.close()
        await http.aclose()
        store.close()


async def test_a_market_order_reports_created_fill_position_and_balance(harness: Harness) -> None:
    await harness.http.submit({**ORDER, "type": "market", "client_order_id": "m1"})
    labels = await harness.until(lambda ls: "BALANCE_UPDATED" in ls)
    assert labels == [
        "ORDER_CREATED",
        "TRADE_FILLED 10",
        "ORDER_FILLED",
        "POSITION_OPENED",
        "BALANCE_UPDATED",
    ]
    trade = harness.out[1].trade
    assert trade is not None and trade.trade is not None and trade.trade.price == "100"


async def test_fills_missed_in_a_gap_come_once_in_broker_order_before_reconnected(harness: Harness) -> None:
    alpaca = harness.alpaca
    order = await harness.http.submit(
        {**ORDER, "type": "limit", "limit_price": "99", "client_order_id": "l1"}
    )
    harness.stream.track(order)
    await harness.until(lambda ls: ls == ["ORDER_CREATED"])
    alpaca.drop_streams()
    # While the socket is down: two fills Alpaca will never replay.
    await alpaca.fill(alpaca.orders[order["id"]], Decimal("4"))
    await alpaca.fill(alpaca.orders[order["id"]])
    labels = await harness.until(lambda ls: "BROKER_RECONNECTED" in ls)
    assert labels == [
        "ORDER_CREATED",
        "BROKER_DISCONNECTED",
        "RECONNECTING",
        "TRADE_FILLED 4",
        "TRADE_FILLED 6",
        "ORDER_FILLED",
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
    # The fills are remembered: a second gap's resync reports nothing again.
    alpaca.drop_streams()
    labels = await harness.until(lambda ls: ls.count("BROKER_RECONNECTED") == 2)
    assert labels[9:] == ["BROKER_DISCONNECTED", "RECONNECTING", "BALANCE_UPDATED", "BROKER_RECONNECTED"]


async def test_wrong_keys_fail_the_start(tmp_path: Path) -> None:
    async with serve(MiniAlpaca()) as base:
        config = AlpacaConfig.from_env(
            paper=True, env={**env(base, str(tmp_path / "s")), "APCA_API_SECRET_KEY": "not-the-secret"}
        )
        http = AlpacaHttp(config)
        store = Store.open(config.store_path)
        stream = TradeStream(config, http, store, "alpaca-paper", lambda b: None)
        with pytest.raises(AuthenticationError):
            await stream.start()
        await http.aclose()
        store.close()


async def test_market_data_stream_quotes_exact_and_resubscribes_after_a_drop(tmp_path: Path) -> None:
    alpaca = MiniAlpaca()
    async with serve(alpaca) as base:
        config = AlpacaConfig.from_env(paper=True, env=env(base, str(tmp_path / "s")))
        out: list[ServerMessage] = []
        data = DataStream(config, config.stock_stream_url(), ["AAPL"], lambda b: out.extend(b.messages),
                          policy=Backoff(initial=0.1, cap=0.2))  # fmt: skip
        data.start()
        async with asyncio.timeout(10):
            while not alpaca.data_sockets:
                await asyncio.sleep(0.02)
            assert data.stale() == []
            await alpaca.push_quote("AAPL", "187.48", "187.52")
            while not out:
                await asyncio.sleep(0.02)
            alpaca.drop_streams()
            while not alpaca.data_sockets:  # resubscribed on a new socket
                await asyncio.sleep(0.02)
            await alpaca.push_quote("AAPL", "187.49", "187.51")
            while len(out) < 2:
                await asyncio.sleep(0.02)
        quotes = [m.quote.quote for m in out if m.quote is not None and m.quote.quote is not None]
        assert [(q.bid, q.ask, q.last) for q in quotes] == [
            ("187.48", "187.52", "187.50"),
            ("187.49", "187.51", "187.50"),
        ]
        await data.close()


async def test_a_cancel_missed_in_a_gap_is_reported_once(harness: Harness) -> None:
    alpaca = harness.alpaca
    order = await harness.http.submit(
        {**ORDER, "type": "limit", "limit_price": "99", "client_order_id": "c1"}
    )
    harness.stream.track(order)
    await harness.until(lambda ls: ls == ["ORDER_CREATED"])
    alpaca.drop_streams()
    await alpaca.cancel(alpaca.orders[order["id"]])
    labels = await harness.until(lambda ls: "BROKER_RECONNECTED" in ls)
    assert labels == ["ORDER_CREATED", "BROKER_DISCONNECTED", "RECONNECTING", "ORDER_CANCELLED",
                      "BALANCE_UPDATED", "BROKER_RECONNECTED"]  # fmt: skip
    assert order["id"] not in harness.stream.open_orders  # terminal: no longer read back


async def test_fills_reported_before_a_restart_are_not_reported_again(tmp_path: Path) -> None:
    alpaca = MiniAlpaca()
    async with serve(alpaca) as base:
        config = AlpacaConfig.from_env(paper=True, env=env(base, str(tmp_path / "s.sqlite3")))
        http = AlpacaHttp(config)
        order = await http.submit({**ORDER, "type": "limit", "limit_price": "99", "client_order_id": "r1"})

        async def run(act: Callable[[TradeStream], object]) -> list[str]:
            store = Store.open(config.store_path)
            out: list[ServerMessage] = []
            stream = TradeStream(config, http, store, "alpaca-paper", lambda b: out.extend(b.messages),
                                 policy=Backoff(initial=0.2, cap=0.5))  # fmt: skip
            await stream.start()
            stream.track(order)
            await act(stream)  # type: ignore[misc]
            async with asyncio.timeout(10):
                while "BROKER_RECONNECTED" not in [label(m) for m in out]:
                    await asyncio.sleep(0.02)
            await stream.close()
            store.close()
            return [label(m) for m in out]

        async def fill_in_gap(stream: TradeStream) -> None:
            alpaca.drop_streams()
            await alpaca.fill(alpaca.orders[order["id"]], Decimal("4"))

        async def gap_only(stream: TradeStream) -> None:
            alpaca.drop_streams()

        first = await run(fill_in_gap)
        assert "TRADE_FILLED 4" in first
        # A new process on the same store: the resync finds the same fill and stays silent about it.
        second = await run(gap_only)
        assert not any(x.startswith("TRADE_FILLED") for x in second)
        await http.aclose()
