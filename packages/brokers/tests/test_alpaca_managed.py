"""Gateway-managed exits on alpaca-paper against the testkit's fake Alpaca: crypto brackets, OCO pairs and
a restart mid-bracket, each exit placed once (orders counted at the fake)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.venue import AlpacaVenue
from tradewire.protocol.errors import UnsupportedOperation
from tradewire.protocol.messages import (
    ListOrdersRequest,
    ModifyOrderRequest,
    Order,
    OrderStatus,
    OrderType,
    ServerMessage,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    TradingPlatform,
)

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")
FakeAlpaca = fakes.FakeAlpaca
T = TypeVar("T")


def btc(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "BTC/USD",
        "side": Side.BUY,
        "quantity": "0.5",
        "order_type": OrderType.MARKET,
        "time_in_force": TimeInForce.GTC,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


class Live:
    """A connected venue and everything its stream emitted."""

    def __init__(self, fake: object, venue: AlpacaVenue) -> None:
        self.fake, self.venue = fake, venue
        self.out: list[ServerMessage] = []
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for batch in self.venue.stream():
            self.out.extend(batch.messages)

    def orders(self, event: str | None = None) -> list[tuple[str, Order]]:
        """(event, order) of every order event (of one kind)."""
        return [
            (e.event.name, e.order)
            for m in self.out
            if (e := m.order) is not None and e.order is not None and event in (None, e.event.name)
        ]

    def events_of(self, order_id: str) -> list[str]:
        return [name for name, o in self.orders() if o.id == order_id]

    def trades(self) -> list[tuple[str, str]]:
        return [(t.trade.order_id, t.trade.quantity) for m in self.out
                if (t := m.trade) is not None and t.trade is not None]  # fmt: skip

    async def until(self, check: Callable[[], object]) -> None:
        async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
            while not check():
                await asyncio.sleep(0.02)

    async def close(self) -> None:
        await self.venue.close()
        await self._task


def at_fake(fake: object) -> list[tuple[str, str, str, str]]:
    """Every order the fake holds: (client order id, side, type, qty), oldest first."""
    return [(o.client_order_id, o.side, o.type, str(o.qty)) for o in fake.broker.orders.values()]  # type: ignore[attr-defined]


async def connect(fake: object, store: Path) -> Live:
    env = {**fake.env(), "TRADEWIRE_ALPACA_STORE": str(store)}  # type: ignore[attr-defined]
    config = AlpacaConfig.from_env(paper=True, env=env)
    venue = AlpacaVenue(
        config,
        TradingPlatform.ALPACA_PAPER,
        timeout=2.0,
        backoff=Backoff(initial=0.1, cap=0.3),
        exit_poll=0.05,
    )
    await venue.connect()
    return Live(fake, venue)


@pytest.fixture
async def fake() -> AsyncIterator[object]:
    async with FakeAlpaca() as server:
        yield server


@pytest.fixture
async def live(fake: object, tmp_path: Path) -> AsyncIterator[Live]:
    harness = await connect(fake, tmp_path / "store.sqlite3")
    yield harness
    await harness.close()


def position(fake: object, symbol: str = "BTC/USD") -> Decimal:
    held = fake.broker.positions.get(symbol)  # type: ignore[attr-defined]
    return Decimal(0) if held is None else Decimal(held.qty)


async def bracket(live: Live) -> tuple[str, str, str]:
    """A filled crypto bracket entry; (entry id, take-profit id, stop-loss id) once both exits exist."""
    handle = await live.venue.submit_order(btc(stop_loss="60000", take_profit="70000"))
    await live.until(lambda: len(live.orders("ORDER_CREATED")) >= 2)
    tp = next(o for _, o in live.orders("ORDER_CREATED") if o.order_type == OrderType.LIMIT)
    sl = next(o for _, o in live.orders("ORDER_CREATED") if o.order_type == OrderType.STOP)
    return handle.id, tp.id, sl.id


async def test_crypto_bracket_take_profit_fills_and_cancels_the_stop_once(live: Live) -> None:
    entry, tp, sl = await bracket(live)
    assert live.events_of(entry)[0] == "BRACKET_ORDER_CREATED"
    parent = await live.venue.get_order(entry)
    assert (parent.stop_loss, parent.take_profit) == ("60000", "70000")
    # The take-profit rests at Alpaca; the stop is the gateway's trigger, both linked to the entry.
    created = {o.id: o for _, o in live.orders("ORDER_CREATED")}
    assert created[tp].parent_order_id == entry and created[sl].parent_order_id == entry
    assert (created[tp].quantity, created[tp].limit_price) == ("0.5", "70000")
    assert (created[sl].quantity, created[sl].stop_price, created[sl].status) == (
        "0.5",
        "60000",
        OrderStatus.OPEN,
    )
    working = {o.id for o in await live.venue.list_orders(ListOrdersRequest())}
    assert working == {tp, sl}
    live.fake.set_price("BTC/USD", "70002")  # type: ignore[attr-defined]
    await live.until(lambda: "ORDER_CANCELLED" in live.events_of(sl))
    await asyncio.sleep(0.3)  # anything late or repeated would show now
    assert live.events_of(tp).count("ORDER_FILLED") == 1
    assert live.events_of(sl) == ["ORDER_CREATED", "ORDER_CANCELLED"]
    sides = [(side, kind) for _, side, kind, _ in at_fake(live.fake)]
    assert sides == [("buy", "market"), ("sell", "limit")]  # each once; the stop never reached Alpaca
    assert position(live.fake) == 0
    assert await live.venue.list_orders(ListOrdersRequest()) == []


async def test_crypto_bracket_stop_fires_once_as_a_market_exit(live: Live) -> None:
    entry, tp, sl = await bracket(live)
    live.fake.set_price("BTC/USD", "59000")  # type: ignore[attr-defined]
    await live.until(lambda: "ORDER_FILLED" in live.events_of(sl))
    await asyncio.sleep(0.3)
    assert live.events_of(tp)[-1] == "ORDER_CANCELLED"
    # The stop keeps its id and type through the fill; its trade names it.
    assert live.events_of(sl) == ["ORDER_CREATED", "ORDER_MODIFIED", "ORDER_FILLED"]
    filled = live.orders("ORDER_FILLED")[-1][1]
    assert (filled.id, filled.order_type, filled.parent_order_id) == (sl, OrderType.STOP, entry)
    assert live.trades()[-1] == (sl, "0.5")
    kinds = [(cid.rsplit("-", 1)[-1], side, kind) for cid, side, kind, _ in at_fake(live.fake)]
    assert [k[1:] for k in kinds] == [("buy", "market"), ("sell", "limit"), ("sell", "market")]
    assert kinds[2][0] == "sl"
    assert position(live.fake) == 0
    assert (await live.venue.get_order(sl)).status == OrderStatus.FILLED


async def test_partial_entry_fill_sizes_the_exits(live: Live) -> None:
    live.fake.set_liquidity("BTC/USD", "0.2")  # type: ignore[attr-defined]
    entry = await live.venue.submit_order(
        btc(order_type=OrderType.LIMIT, limit_price="65010", time_in_force=TimeInForce.IOC,
            stop_loss="60000", take_profit="70000")
    )  # fmt: skip
    await live.until(lambda: len(live.orders("ORDER_CREATED")) >= 2)
    exits = [o for _, o in live.orders("ORDER_CREATED") if o.parent_order_id == entry.id]
    assert sorted((o.order_type.name, o.quantity) for o in exits) == [("LIMIT", "0.2"), ("STOP", "0.2")]
    assert (await live.venue.get_order(entry.id)).filled_quantity == "0.2"
    assert at_fake(live.fake)[1][1:] == ("sell", "limit", "0.2")


async def test_cancelling_the_entry_before_a_fill_drops_the_rule(live: Live) -> None:
    entry = await live.venue.submit_order(
        btc(order_type=OrderType.LIMIT, limit_price="60000", stop_loss="55000", take_profit="70000")
    )
    with pytest.raises(UnsupportedOperation):  # a replace would take the entry away from its rule
        await live.venue.modify_order(entry.id, ModifyOrderRequest(limit_price="59000"))
    await live.venue.cancel_order(entry.id)
    await live.until(lambda: "ORDER_CANCELLED" in live.events_of(entry.id))
    live.fake.set_price("BTC/USD", "54000")  # type: ignore[attr-defined]
    await asyncio.sleep(0.3)
    assert len(at_fake(live.fake)) == 1  # the entry only
    assert [name for name, _ in live.orders()] == ["BRACKET_ORDER_CREATED", "ORDER_CANCELLED"]
    assert live.venue.exits.manager.trigger_symbols() == []


async def test_oco_pair_partial_fill_reduces_the_stop_then_it_fires_for_the_rest(live: Live) -> None:
    await live.venue.submit_order(btc())
    await live.until(lambda: position(live.fake) == Decimal("0.5"))
    limit = await live.venue.submit_order(
        btc(side=Side.SELL, order_type=OrderType.LIMIT, limit_price="70000", oco_group_id="exit-1")
    )
    stop = await live.venue.submit_order(
        btc(side=Side.SELL, order_type=OrderType.STOP, stop_price="60000", oco_group_id="exit-1")
    )
    await live.until(lambda: live.events_of(stop.id) == ["ORDER_CREATED"])
    assert (await live.venue.get_order(stop.id)).oco_group_id == "exit-1"
    assert (await live.venue.get_order(limit.id)).oco_group_id == "exit-1"
    live.fake.fill(limit.id, "0.2", "70000")  # type: ignore[attr-defined]
    await live.until(lambda: "ORDER_MODIFIED" in live.events_of(stop.id))
    assert (await live.venue.get_order(stop.id)).quantity == "0.3"
    live.fake.set_price("BTC/USD", "59000")  # type: ignore[attr-defined]
    await live.until(lambda: "ORDER_FILLED" in live.events_of(stop.id))
    await asyncio.sleep(0.3)
    assert live.events_of(limit.id)[-1] == "ORDER_CANCELLED"
    assert [(side, kind, qty) for _, side, kind, qty in at_fake(live.fake)] == [
        ("buy", "market", "0.5"),
        ("sell", "limit", "0.5"),
        ("sell", "market", "0.3"),
    ]
    assert position(live.fake) == 0
    assert sorted(q for oid, q in live.trades() if oid in (limit.id, stop.id)) == ["0.2", "0.3"]


async def test_stock_oco_pair_take_profit_fill_cancels_the_stop(live: Live) -> None:
    aapl = {"symbol": "AAPL", "quantity": "10", "time_in_force": TimeInForce.DAY}
    await live.venue.submit_order(btc(**aapl))
    await live.until(lambda: position(live.fake, "AAPL") == 10)
    sell = {**aapl, "side": Side.SELL, "oco_group_id": "g"}
    limit = await live.venue.submit_order(btc(**sell, order_type=OrderType.LIMIT, limit_price="190"))
    stop = await live.venue.submit_order(btc(**sell, order_type=OrderType.STOP, stop_price="180"))
    live.fake.set_price("AAPL", "191")  # type: ignore[attr-defined]
    await live.until(lambda: "ORDER_CANCELLED" in live.events_of(stop.id))
    assert "ORDER_FILLED" in live.events_of(limit.id)
    assert len(at_fake(live.fake)) == 2 and position(live.fake, "AAPL") == 0


# -- a restart mid-bracket -----------------------------------------------------------------------
async def test_restart_after_the_exits_were_placed_still_fires_the_stop_once(
    fake: object, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite3"
    first = await connect(fake, store)
    _, tp, sl = await bracket(first)
    await first.close()
    second = await connect(fake, store)
    try:
        assert {o.id for o in await second.venue.list_orders(ListOrdersRequest())} == {tp, sl}
        fake.set_price("BTC/USD", "59000")  # type: ignore[attr-defined]
        await second.until(lambda: "ORDER_FILLED" in second.events_of(sl))
        await asyncio.sleep(0.3)
    finally:
        await second.close()
    assert [(side, kind) for _, side, kind, _ in at_fake(fake)] == [
        ("buy", "market"), ("sell", "limit"), ("sell", "market"),
    ]  # fmt: skip
    assert position(fake) == 0


async def test_entry_filled_while_stopped_gets_its_exits_once_after_restarts(
    fake: object, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite3"
    first = await connect(fake, store)
    entry = await first.venue.submit_order(
        btc(order_type=OrderType.LIMIT, limit_price="64000", stop_loss="60000", take_profit="70000")
    )
    await first.close()
    fake.set_price("BTC/USD", "63000")  # type: ignore[attr-defined]  # the entry fills while we are away
    assert position(fake) == Decimal("0.5")
    for _ in range(2):  # a second restart finds everything placed and places nothing again
        again = await connect(fake, store)
        await again.until(lambda: len(at_fake(fake)) == 2)
        await asyncio.sleep(0.3)
        working = await again.venue.list_orders(ListOrdersRequest())
        await again.close()
        assert sorted(o.order_type.name for o in working) == ["LIMIT", "STOP"]
        assert all(o.parent_order_id == entry.id for o in working)
    assert [(side, kind) for _, side, kind, _ in at_fake(fake)] == [("buy", "limit"), ("sell", "limit")]


# -- through the gateway -------------------------------------------------------------------------
def test_gateway_killed_mid_bracket_restarts_and_the_stop_fires_once(
    tmp_path: Path, serve_alpaca: Callable[..., AbstractContextManager[str]]
) -> None:
    """The issue's restart test: the gateway stops with a crypto bracket's exits working; a new one on
    the same store still fires the stop, and the fake holds each order once."""
    with fakes.running_fake() as fake:
        env = {**fake.fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "gw.sqlite3")}
        log = tmp_path / "gateway.log"
        body = {"symbol": "BTC/USD", "side": "BUY", "quantity": "0.5", "order_type": "MARKET",
                "stop_loss": "60000", "take_profit": "70000"}  # fmt: skip
        with serve_alpaca(env, log, kill=True) as url:  # SIGKILL: no shutdown runs at all
            created = httpx.post(f"{url}/v1/orders", json=body, timeout=10)
            assert created.status_code == 201, created.text
            entry = created.json()["id"]
            sl = wait_for(lambda: [o for o in working(url) if o["order_type"] == "STOP"])[0]
            assert sl["parent_order_id"] == entry
        # Stopped with the take-profit resting at the fake and the stop held by the gateway only.
        assert [(side, kind) for _, side, kind, _ in fake.call(at_fake, fake.fake)] == [
            ("buy", "market"), ("sell", "limit"),
        ]  # fmt: skip
        with serve_alpaca(env, log) as url:
            assert {o["id"] for o in working(url)} >= {sl["id"]}
            fake.call(fake.fake.set_price, "BTC/USD", "59000")
            wait_for(lambda: fake.call(position, fake.fake) == 0)
            wait_for(lambda: not working(url))
            history = httpx.get(f"{url}/v1/orders/history", timeout=10).json()
            stop = next(o for o in history if o["id"] == sl["id"])
            assert (stop["status"], stop["order_type"], stop["filled_quantity"]) == ("FILLED", "STOP", "0.5")
        assert [(side, kind) for _, side, kind, _ in fake.call(at_fake, fake.fake)] == [
            ("buy", "market"), ("sell", "limit"), ("sell", "market"),
        ]  # fmt: skip


def working(url: str) -> list[dict[str, str]]:
    answer = httpx.get(f"{url}/v1/orders", timeout=10)
    assert answer.status_code == 200, answer.text
    orders: list[dict[str, str]] = answer.json()
    return orders


def wait_for(check: Callable[[], T]) -> T:
    deadline = time.monotonic() + 15  # a bound against hanging, not a speed assertion
    while not (value := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value
