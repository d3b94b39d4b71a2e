"""Gateway-managed exits on binance-testnet against the testkit's fake Binance: brackets on a MARKET entry,
OTO with one exit, OCO groups of two orders, and restarts mid-bracket, each exit placed once (orders counted
at the fake)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.venue import BinanceVenue
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

fakes = pytest.importorskip("tradewire.testkit.fakes.binance")

T = TypeVar("T")
#: No BTC to start with: what a fill brings is all there is (less the fee the fake takes in BTC).
BALANCES = {"USDT": Decimal("100000")}


def btc(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "BTCUSDT",
        "side": Side.BUY,
        "quantity": "0.5",
        "order_type": OrderType.MARKET,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


class Live:
    """A connected venue and everything its stream emitted."""

    def __init__(self, venue: BinanceVenue) -> None:
        self.venue = venue
        self.out: list[ServerMessage] = []
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for batch in self.venue.stream():
            self.out.extend(batch.messages)

    def orders(self, event: str | None = None) -> list[tuple[str, Order]]:
        return [
            (e.event.name, e.order)
            for m in self.out
            if (e := m.order) is not None and e.order is not None and event in (None, e.event.name)
        ]

    def events_of(self, order_id: str) -> list[str]:
        return [name for name, o in self.orders() if o.id == order_id]

    async def until(self, check: Callable[[], object]) -> None:
        async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
            while not check():
                await asyncio.sleep(0.02)

    async def close(self) -> None:
        await self.venue.close()
        await self._task


def at_fake(fake: Any) -> list[tuple[str, str, str, str]]:
    """Every order the fake holds: (client order id, side, type, qty), oldest first."""
    rows = sorted(fake.exchange.orders.values(), key=lambda o: o.order_id)
    return [(o.client_id, o.side, o.type, str(o.qty)) for o in rows]


def kinds(fake: Any) -> list[tuple[str, str]]:
    return [(side, kind) for _, side, kind, _ in at_fake(fake)]


def held(fake: Any, asset: str = "BTC") -> Decimal:
    balance = fake.exchange.balance(asset)
    return Decimal(balance.free + balance.locked)


async def connect(fake: Any, store: Path) -> Live:
    env = {**fake.env(), "TRADEWIRE_BINANCE_STORE": str(store)}
    config = BinanceConfig.from_env(testnet=True, env=env)
    venue = BinanceVenue(
        config,
        TradingPlatform.BINANCE_TESTNET,
        timeout=2.0,
        backoff=Backoff(initial=0.1, cap=0.3),
        exit_poll=0.05,
    )
    await venue.connect()
    return Live(venue)


@pytest.fixture
async def fake() -> AsyncIterator[Any]:
    async with fakes.FakeBinance(balances=dict(BALANCES)) as server:
        yield server


@pytest.fixture
async def live(fake: Any, tmp_path: Path) -> AsyncIterator[Live]:
    harness = await connect(fake, tmp_path / "store.sqlite3")
    yield harness
    await harness.close()


async def bracket(live: Live, **kw: object) -> tuple[str, str, str]:
    """A filled MARKET bracket entry; (entry id, take-profit id, stop-loss id) once both exits exist."""
    handle = await live.venue.submit_order(btc(stop_loss="55000", take_profit="70000", **kw))
    await live.until(lambda: len(live.orders("ORDER_CREATED")) >= 2)
    tp = next(o for _, o in live.orders("ORDER_CREATED") if o.order_type == OrderType.LIMIT)
    sl = next(o for _, o in live.orders("ORDER_CREATED") if o.order_type == OrderType.STOP)
    return handle.id, tp.id, sl.id


async def test_market_bracket_take_profit_rests_and_its_fill_cancels_the_stop(live: Live, fake: Any) -> None:
    """Formerly 501: a MARKET entry's take-profit rests at Binance (sized to the BTC that arrived, the
    fee taken), its stop-loss is a gateway trigger, and the take-profit's fill cancels the stop."""
    entry, tp, sl = await bracket(live)
    assert live.events_of(entry)[0] == "BRACKET_ORDER_CREATED"
    working = {o.id: o for o in await live.venue.list_orders(ListOrdersRequest())}
    assert set(working) == {tp, sl} and {o.parent_order_id for o in working.values()} == {entry}
    assert working[sl].stop_price == "55000" and working[tp].limit_price == "70000"
    # The fee (0.1 %, in BTC) left 0.4995 BTC: the resting exit sells that, not the 0.5 bought.
    assert at_fake(fake)[1][1:] == ("SELL", "LIMIT", "0.4995")
    fake.set_price("BTCUSDT", "71000")
    await live.until(lambda: "ORDER_CANCELLED" in live.events_of(sl))
    await live.until(lambda: "ORDER_FILLED" in live.events_of(tp))
    await asyncio.sleep(0.3)
    assert kinds(fake) == [("BUY", "MARKET"), ("SELL", "LIMIT")]
    assert held(fake) == 0
    assert await live.venue.list_orders(ListOrdersRequest()) == []


async def test_market_bracket_stop_fires_once_as_a_market_exit(live: Live, fake: Any) -> None:
    _, tp, sl = await bracket(live)
    with pytest.raises(UnsupportedOperation):  # a replace would give the leg an id the rule cannot follow
        await live.venue.modify_order(tp, ModifyOrderRequest(limit_price="71000"))
    fake.set_price("BTCUSDT", "54000")
    await live.until(lambda: "ORDER_FILLED" in live.events_of(sl))
    await asyncio.sleep(0.3)
    assert "ORDER_CANCELLED" in live.events_of(tp)
    assert kinds(fake) == [("BUY", "MARKET"), ("SELL", "LIMIT"), ("SELL", "MARKET")]
    assert held(fake) == 0
    stop = await live.venue.get_order(sl)
    assert (stop.id, stop.order_type, stop.status) == (sl, OrderType.STOP, OrderStatus.FILLED)


async def test_oto_with_a_stop_only_on_a_market_entry_is_a_trigger(live: Live, fake: Any) -> None:
    await live.venue.submit_order(btc(stop_loss="55000"))
    await live.until(lambda: live.orders("ORDER_CREATED"))
    [(_, sl)] = live.orders("ORDER_CREATED")
    assert sl.order_type == OrderType.STOP and kinds(fake) == [("BUY", "MARKET")]
    cancelled = await live.venue.cancel_order(sl.id)  # the gateway's own trigger: nothing at Binance
    assert cancelled.order is not None and cancelled.order.status == OrderStatus.CANCELLED
    fake.set_price("BTCUSDT", "54000")
    await asyncio.sleep(0.3)
    assert kinds(fake) == [("BUY", "MARKET")]


async def test_oco_group_of_a_limit_and_a_stop_fill_of_one_cancels_the_other(live: Live, fake: Any) -> None:
    """Formerly 501: two orders grouped by `oco_group_id`; the LIMIT rests, the STOP is a trigger."""
    await live.venue.submit_order(btc())
    await live.until(lambda: held(fake) > 0)
    size = str(held(fake))
    sell = {"side": Side.SELL, "quantity": size, "oco_group_id": "g1", "time_in_force": TimeInForce.GTC}
    take = await live.venue.submit_order(btc(order_type=OrderType.LIMIT, limit_price="70000", **sell))
    stop = await live.venue.submit_order(btc(order_type=OrderType.STOP, stop_price="55000", **sell))
    assert {o.oco_group_id for o in await live.venue.list_orders(ListOrdersRequest())} == {"g1"}
    fake.set_price("BTCUSDT", "71000")
    await live.until(lambda: "ORDER_FILLED" in live.events_of(take.id))
    await live.until(lambda: "ORDER_CANCELLED" in live.events_of(stop.id))
    fake.set_price("BTCUSDT", "54000")
    await asyncio.sleep(0.3)
    assert kinds(fake) == [("BUY", "MARKET"), ("SELL", "LIMIT")] and held(fake) == 0


# -- restarts mid-bracket -----------------------------------------------------------------------
async def test_restart_after_the_exits_were_placed_still_fires_the_stop_once(
    fake: Any, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite3"
    first = await connect(fake, store)
    _, tp, sl = await bracket(first)
    await first.close()
    second = await connect(fake, store)
    try:
        assert {o.id for o in await second.venue.list_orders(ListOrdersRequest())} == {tp, sl}
        fake.set_price("BTCUSDT", "54000")
        await second.until(lambda: "ORDER_FILLED" in second.events_of(sl))
        await asyncio.sleep(0.3)
    finally:
        await second.close()
    assert kinds(fake) == [("BUY", "MARKET"), ("SELL", "LIMIT"), ("SELL", "MARKET")]
    assert held(fake) == 0


def test_gateway_killed_mid_bracket_restarts_and_the_stop_fires_once(
    tmp_path: Path, serve_binance: Callable[..., AbstractContextManager[str]]
) -> None:
    """The issue's restart test: the gateway is killed (SIGKILL) with a MARKET bracket's exits working; a
    new one on the same store still fires the stop, and the fake holds each order once."""
    with fakes.running_fake(balances=dict(BALANCES)) as thread:
        fake = thread.fake
        env = {**fake.env(), "TRADEWIRE_BINANCE_STORE": str(tmp_path / "gw.sqlite3")}
        log = tmp_path / "gateway.log"
        body = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.5", "order_type": "MARKET",
                "stop_loss": "55000", "take_profit": "70000"}  # fmt: skip
        with serve_binance(env, log, kill=True) as url:
            created = httpx.post(f"{url}/v1/orders", json=body, timeout=10)
            assert created.status_code == 201, created.text
            entry = created.json()["id"]
            sl = wait_for(lambda: [o for o in working(url) if o["order_type"] == "STOP"])[0]
            assert sl["parent_order_id"] == entry
            wait_for(lambda: len(thread.call(at_fake, fake)) == 2)
        assert thread.call(kinds, fake) == [("BUY", "MARKET"), ("SELL", "LIMIT")]
        with serve_binance(env, log) as url:
            assert {o["id"] for o in working(url)} >= {sl["id"]}
            thread.call(fake.set_price, "BTCUSDT", "54000")
            wait_for(lambda: thread.call(held, fake) == 0)
            wait_for(lambda: not working(url))
            history = httpx.get(f"{url}/v1/orders/history", timeout=10).json()
            stop = next(o for o in history if o["id"] == sl["id"])
            assert (stop["status"], stop["order_type"]) == ("FILLED", "STOP")
        assert thread.call(kinds, fake) == [("BUY", "MARKET"), ("SELL", "LIMIT"), ("SELL", "MARKET")]


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
