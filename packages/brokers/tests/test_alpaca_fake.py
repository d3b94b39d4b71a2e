"""The Alpaca venue against the testkit's wire-level fake Alpaca (an independent oracle of Alpaca's shapes):
every order path, each injected fault survived with no lost or duplicated order or fill, and the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import websockets

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.venue import AlpacaVenue
from tradewire.protocol.errors import OrderRejected, RateLimited, UnsupportedOperation
from tradewire.protocol.messages import (
    ListOrdersRequest,
    ModifyOrderRequest,
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


def order(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "AAPL",
        "side": Side.BUY,
        "quantity": "10",
        "order_type": OrderType.MARKET,
        "time_in_force": TimeInForce.DAY,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


def label(m: ServerMessage) -> str:
    kind = m.order or m.trade or m.position or m.account or m.connection or m.quote or m.candle
    assert kind is not None
    return getattr(kind, "event", type(kind)).name


class Live:
    """A connected venue and everything its stream emitted."""

    def __init__(self, fake: object, venue: AlpacaVenue) -> None:
        self.fake, self.venue = fake, venue
        self.out: list[ServerMessage] = []
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for batch in self.venue.stream():
            self.out.extend(batch.messages)

    def labels(self) -> list[str]:
        return [label(m) for m in self.out]

    async def until(self, name: str, count: int = 1) -> list[str]:
        async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
            while self.labels().count(name) < count:
                await asyncio.sleep(0.02)
        return self.labels()

    def trades(self) -> list[tuple[str, str, str]]:
        return [(t.trade.order_id, t.trade.quantity, t.trade.price) for m in self.out
                if (t := m.trade) is not None and t.trade is not None]  # fmt: skip


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async with FakeAlpaca() as fake:
        config = AlpacaConfig.from_env(
            paper=True, env={**fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s")}
        )
        # Quick reconnects; a timeout the slow-answer fault exceeds.
        venue = AlpacaVenue(
            config, TradingPlatform.ALPACA_PAPER, timeout=0.5, backoff=Backoff(initial=0.1, cap=0.3)
        )
        await venue.connect()
        harness = Live(fake, venue)
        yield harness
        await venue.close()
        await harness._task


async def test_market_order_events_position_and_account(live: Live) -> None:
    handle = await live.venue.submit_order(order())
    labels = await live.until("BALANCE_UPDATED")
    # events.md: for one fill the order (fill), the trade, the position, then the balance.
    assert labels[:5] == [
        "ORDER_CREATED",
        "ORDER_FILLED",
        "TRADE_FILLED",
        "POSITION_OPENED",
        "BALANCE_UPDATED",
    ]
    assert live.trades() == [(handle.id, "10", "187.51")]
    [position] = await live.venue.list_positions()
    assert (position.symbol, position.quantity, position.average_entry_price) == ("AAPL", "10", "187.51")
    account = await live.venue.get_account()
    assert Decimal(account.balance) == Decimal("100000") - Decimal("1875.1")


async def test_limit_modify_cancel_and_cancel_all(live: Live) -> None:
    v = live.venue
    handle = await v.submit_order(order(order_type=OrderType.LIMIT, limit_price="150.004"))
    assert (await v.get_order(handle.id)).limit_price == "150"
    modified = await v.modify_order(handle.id, ModifyOrderRequest(limit_price="151"))
    assert modified.previous_order_id == handle.id and modified.order is not None
    assert (await v.get_order(handle.id)).status == OrderStatus.CANCELLED  # replaced
    await live.until("ORDER_MODIFIED")
    # pending_replace of the old order (status only), then the replacement itself (mapping.md §6).
    await live.until("ORDER_MODIFIED", 2)
    changes = [
        m.order.order for m in live.out if m.order is not None and m.order.event.name == "ORDER_MODIFIED"
    ]
    assert [(c.id, c.limit_price) for c in changes if c is not None] == [
        (handle.id, "150"),
        (modified.order.id, "151"),
    ]
    result = await v.cancel_order(modified.order.id)
    assert result.success
    await v.submit_order(order(order_type=OrderType.LIMIT, limit_price="150"))
    await v.submit_order(order(order_type=OrderType.LIMIT, limit_price="149"))
    cancelled = await v.cancel_all_orders()
    assert (cancelled.cancelled_count, cancelled.failed_count) == (2, 0)
    await live.until("ORDER_CANCELLED", 3)
    assert await v.list_orders(ListOrdersRequest()) == []


async def test_events_echo_the_client_order_id_only_when_given(live: Live) -> None:
    anon = await live.venue.submit_order(order(order_type=OrderType.LIMIT, limit_price="150"))
    mine = await live.venue.submit_order(
        order(order_type=OrderType.LIMIT, limit_price="150", client_order_id="mine-7")
    )
    modified = await live.venue.modify_order(mine.id, ModifyOrderRequest(limit_price="149"))
    assert modified.order is not None
    await live.until("ORDER_MODIFIED", 2)  # the old order's pending_replace, then the replacement
    ids = {m.order.order.id: m.order.order.client_order_id for m in live.out if m.order and m.order.order}
    assert ids == {anon.id: None, mine.id: "mine-7", modified.order.id: "mine-7"}


async def test_a_day_order_outside_the_session_is_queued_by_alpaca_and_expires_at_the_close(
    live: Live,
) -> None:
    live.fake.close_market()  # the clock: closed
    handle = await live.venue.submit_order(order(order_type=OrderType.LIMIT, limit_price="100"))
    # mapping.md: DAY is Alpaca's `day`, which Alpaca queues for the next open (`accepted`), not refused.
    assert handle.status == OrderStatus.OPEN and live.fake.broker.orders[handle.id].status == "accepted"
    live.fake.open_market()
    live.fake.close_market()
    labels = await live.until("ORDER_EXPIRED")
    assert [x for x in labels if x.startswith("ORDER_")] == [
        "ORDER_CREATED",
        "ORDER_MODIFIED",
        "ORDER_EXPIRED",
    ]


async def test_what_alpaca_refuses_while_the_market_is_closed_is_market_closed(live: Live) -> None:
    def refused_for(reply: pytest.ExceptionInfo[OrderRejected]) -> object:
        return reply.value.details["reject_code"]

    words = "order is not allowed at this time"  # Alpaca's words name no reason: the clock decides
    live.fake.close_market()
    live.fake.faults.refuse(words)
    with pytest.raises(OrderRejected) as closed:
        await live.venue.submit_order(order())
    assert refused_for(closed) == "MARKET_CLOSED" and "next_open" in closed.value.details
    live.fake.open_market()
    live.fake.faults.refuse(words)
    with pytest.raises(OrderRejected) as unknown:
        await live.venue.submit_order(order())
    assert refused_for(unknown) == "UNKNOWN"
    # A reason Alpaca gives stands, whatever the clock says; crypto trades around the clock.
    live.fake.close_market()
    with pytest.raises(OrderRejected) as funds:
        await live.venue.submit_order(order(quantity="100000"))
    assert refused_for(funds) == "INSUFFICIENT_FUNDS"
    live.fake.faults.refuse(words)
    with pytest.raises(OrderRejected) as crypto:
        await live.venue.submit_order(order(symbol="BTC/USD", quantity="1", time_in_force=TimeInForce.GTC))
    assert refused_for(crypto) == "UNKNOWN"


async def test_bracket_is_native_with_legs(live: Live) -> None:
    v = live.venue
    handle = await v.submit_order(
        order(order_type=OrderType.LIMIT, limit_price="180", stop_loss="170", take_profit="200")
    )
    parent = await v.get_order(handle.id)
    assert (parent.stop_loss, parent.take_profit) == ("170", "200")
    working = await v.list_orders(ListOrdersRequest())
    legs = [o for o in working if o.parent_order_id == handle.id]
    assert sorted(o.order_type.name for o in legs) == ["LIMIT", "STOP"]


async def test_crypto_symbols_and_refusals(live: Live) -> None:
    v = live.venue
    await v.submit_order(order(symbol="BTC/USD", quantity="0.5", time_in_force=TimeInForce.GTC))
    await live.until("POSITION_OPENED")
    [position] = await v.list_positions()
    assert (position.symbol, position.id) == ("BTC/USD", "BTCUSD")
    with pytest.raises(UnsupportedOperation):
        await v.submit_order(order(symbol="BTC/USD", time_in_force=TimeInForce.DAY))
    assert (await v.close_all_positions())[0].id
    await live.until("POSITION_CLOSED")


@pytest.mark.parametrize("fault", ["server_error_after", "drop_connection_after", "duplicate_after"])
async def test_submit_faults_make_exactly_one_order(live: Live, fault: str) -> None:
    getattr(live.fake.faults, fault)()
    handle = await live.venue.submit_order(order(order_type=OrderType.LIMIT, limit_price="150"))
    orders = await live.venue.list_orders(ListOrdersRequest())
    assert [o.id for o in orders] == [handle.id]


async def test_slow_submit_times_out_and_is_adopted(live: Live) -> None:
    live.fake.faults.delay(1.0, "POST", "/v2/orders")  # past the venue's 0.5 s timeout
    handle = await live.venue.submit_order(order(order_type=OrderType.LIMIT, limit_price="150"))
    await asyncio.sleep(1.0)  # let the slow first answer finish on the fake
    assert [o.id for o in await live.venue.list_orders(ListOrdersRequest())] == [handle.id]


async def test_429_is_rate_limited_and_then_shed_locally(live: Live) -> None:
    live.fake.faults.rate_limit(reset_in=30)
    with pytest.raises(RateLimited) as first:
        await live.venue.submit_order(order(order_type=OrderType.LIMIT, limit_price="150"))
    assert first.value.details["retry_after_seconds"] > 2  # Alpaca's X-Ratelimit-Reset
    assert not live.fake.broker.orders  # a 429 made no order
    with pytest.raises(RateLimited) as caught:
        await live.venue.get_account()  # not sent: the limiter holds until Alpaca's reset
    assert caught.value.details["retry_after_seconds"] > 2


@pytest.mark.parametrize("when", ["before_fill", "after_fill"])
async def test_stream_dropped_at_a_fill_loses_and_repeats_nothing(live: Live, when: str) -> None:
    live.fake.faults.drop_trade_stream(when)
    handle = await live.venue.submit_order(order())
    labels = await live.until("BROKER_RECONNECTED")
    await asyncio.sleep(0.3)  # anything late would show now
    assert live.trades() == [(handle.id, "10", "187.51")]
    labels = live.labels()
    assert labels.count("ORDER_FILLED") == 1 and labels.count("ORDER_CREATED") == 1
    assert labels.index("TRADE_FILLED") < labels.index("BROKER_RECONNECTED")
    assert (
        labels.index("BROKER_DISCONNECTED")
        < labels.index("RECONNECTING")
        < labels.index("BROKER_RECONNECTED")
    )


async def test_partial_fills_across_a_drop(live: Live) -> None:
    live.fake.set_liquidity("AAPL", "4")
    live.fake.faults.drop_trade_stream("before_fill")
    handle = await live.venue.submit_order(order())
    async with asyncio.timeout(10):
        while not live.trades():  # the first 4 arrive over the REST resync after the drop
            await asyncio.sleep(0.02)
    for price in ("187.50", "187.50"):  # each tick is a matching pass of at most 4
        live.fake.set_price("AAPL", price)
    async with asyncio.timeout(10):
        while sum(Decimal(q) for _, q, _ in live.trades()) < 10:
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    assert sorted(q for _, q, _ in live.trades()) == ["2", "4", "4"]
    assert {oid for oid, _, _ in live.trades()} == {handle.id}


# -- the gateway ---------------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def gateway(fake: object, tmp_path: Path) -> AsyncIterator[str]:
    """`tradewire-gateway serve --platform alpaca-paper` in a child process, pointed at the fake."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADEWIRE_", "APCA_", "GATEWAY_"))}
    store = {"TRADEWIRE_ALPACA_STORE": str(tmp_path / "gw.sqlite3")}
    child_env |= {**fake.env(), **store}  # type: ignore[attr-defined]
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--platform", "alpaca-paper",
             "--port", str(port)],
            env=child_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=url, timeout=10) as client, asyncio.timeout(30):
                while True:
                    assert process.poll() is None, log_path.read_text()
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get("/readyz")).status_code == 200:
                            break
                    await asyncio.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(15)


async def test_gateway_serve_alpaca_paper_against_the_fake(tmp_path: Path) -> None:
    async with FakeAlpaca() as fake, gateway(fake, tmp_path) as url:
        port = url.rsplit(":", 1)[1]
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            rest = {"symbol": "AAPL", "side": "BUY", "quantity": "5", "order_type": "LIMIT",
                    "limit_price": "150", "time_in_force": "DAY"}  # fmt: skip
            created = await client.post("/v1/orders", json=rest)
            assert created.status_code == 201, created.text
            order_id = created.json()["id"]
            assert (await client.delete(f"/v1/orders/{order_id}")).status_code == 200
            market = {"symbol": "AAPL", "side": "BUY", "quantity": "3", "order_type": "MARKET"}
            async with websockets.connect(f"ws://127.0.0.1:{port}/v1/ws") as ws:
                assert (await client.post("/v1/orders", json=market)).status_code == 201
                seen: list[str] = []
                async with asyncio.timeout(10):
                    while "TRADE_FILLED" not in seen:
                        message = json.loads(await ws.recv())
                        seen.append(str(message.get("event")))
                # The broker's events reach the gateway's clients, in order.
                order_events = [e for e in seen if e.startswith(("ORDER_", "TRADE_"))]
                assert order_events[-3:] == ["ORDER_CREATED", "ORDER_FILLED", "TRADE_FILLED"]
            positions = (await client.get("/v1/positions")).json()
            assert [(p["symbol"], p["quantity"]) for p in positions] == [("AAPL", "3")]
            closed = await client.delete("/v1/positions/AAPL")
            assert closed.status_code == 200, closed.text
            caps = (await client.get("/v1/capabilities")).json()
            assert "stock:bracket_orders" in caps["features"]


async def test_the_sdk_trades_alpaca_paper_through_the_gateway(tmp_path: Path) -> None:
    from tradewire.sdk import AsyncClient

    async with FakeAlpaca() as fake, gateway(fake, tmp_path) as url:
        client = AsyncClient(url)
        try:
            handle = await client.submit_order(symbol="AAPL", side="BUY", quantity="2", order_type="LIMIT",
                                               limit_price="150", time_in_force="GTC")  # fmt: skip
            assert [o.id for o in await client.list_orders()] == [handle.id]
            modified = await client.modify_order(handle.id, limit_price="151")
            assert modified.previous_order_id == handle.id and modified.order is not None
            assert (await client.cancel_all_orders()).cancelled_count == 1
            await client.submit_order(symbol="BTC/USD", side="BUY", quantity="0.25", time_in_force="GTC")
            async with asyncio.timeout(10):
                while not (positions := await client.list_positions()):
                    await asyncio.sleep(0.05)
            assert [(p.symbol, p.quantity) for p in positions] == [("BTC/USD", "0.25")]
            with pytest.raises(UnsupportedOperation):  # the protocol's error, as in process
                await client.submit_order(symbol="BTC/USD", side="BUY", quantity="1", order_type="STOP",
                                          stop_price="60000", time_in_force="GTC")  # fmt: skip
            assert len(await client.close_all_positions()) == 1
        finally:
            await client.aclose()


async def test_the_run_is_the_stores_across_restarts(tmp_path: Path) -> None:
    async with FakeAlpaca() as fake:
        config = AlpacaConfig.from_env(
            paper=True, env={**fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s")}
        )
        runs = []
        for _ in range(2):
            venue = AlpacaVenue(config, TradingPlatform.ALPACA_PAPER)
            await venue.connect()
            runs.append(venue.run_id)
            await venue.close()
    assert runs[0] and runs == [runs[0]] * 2


async def test_no_key_reaches_a_log_line_even_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Both streams authenticate with the keys in a frame, which websockets logs at debug level."""
    caplog.set_level(logging.DEBUG)
    async with FakeAlpaca() as fake:
        env = {**fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s"),
               "TRADEWIRE_ALPACA_SYMBOLS": "AAPL,BTC/USD"}  # fmt: skip
        venue = AlpacaVenue(AlpacaConfig.from_env(paper=True, env=env), TradingPlatform.ALPACA_PAPER)
        await venue.connect()
        try:
            await venue.submit_order(order())
            async with asyncio.timeout(10):  # both data streams' auth frames were logged, scrubbed
                while caplog.text.count('"action": "auth"') < 2:
                    await asyncio.sleep(0.02)
        finally:
            await venue.close()
    assert '"action": "authenticate"' in caplog.text  # the trading stream's frame too
    for secret in (fake.config.key_id, fake.config.secret_key):
        assert secret not in caplog.text


async def test_a_filled_brackets_exits_are_listed_and_cancelled_with_their_parent(live: Live) -> None:
    """Once the entry filled, Alpaca's `nested=true` list no longer shows the bracket (its parent is
    closed): the exits are still working orders, listed with their parent, and cancel-all reaches them."""
    v = live.venue
    entry = await v.submit_order(
        order(order_type=OrderType.LIMIT, limit_price="190", stop_loss="170", take_profit="200", quantity="2")
    )
    await live.until("POSITION_OPENED")
    legs = await v.list_orders(ListOrdersRequest())
    assert sorted((o.order_type.name, o.parent_order_id) for o in legs) == [
        ("LIMIT", entry.id), ("STOP", entry.id),
    ]  # fmt: skip
    assert {(await v.get_order(o.id)).parent_order_id for o in legs} == {entry.id}
    assert (await v.cancel_all_orders("AAPL")).failed_count == 0
    async with asyncio.timeout(10):
        while await v.list_orders(ListOrdersRequest()):
            await asyncio.sleep(0.05)
    assert {live.fake.broker.orders[o.id].status for o in legs} == {"canceled"}


async def test_a_brackets_exits_filled_and_cancelled_in_a_gap_are_reported_once(live: Live) -> None:
    v = live.venue
    entry = await v.submit_order(
        order(order_type=OrderType.LIMIT, limit_price="190", stop_loss="170", take_profit="200", quantity="2")
    )
    await live.until("POSITION_OPENED")
    legs = {o.order_type.name: o.id for o in await v.list_orders(ListOrdersRequest())}
    live.fake.faults.drop_trade_stream("before_fill")  # the take-profit's fill is lost to the socket
    live.fake.set_price("AAPL", "201")
    await live.until("BROKER_RECONNECTED")
    await live.until("POSITION_CLOSED")
    await asyncio.sleep(0.3)  # anything late or repeated would show now
    events = [(m.order.order.id, m.order.event.name) for m in live.out if m.order and m.order.order]
    assert events.count((legs["LIMIT"], "ORDER_FILLED")) == 1
    assert events.count((legs["STOP"], "ORDER_CANCELLED")) == 1, events
    assert [oid for oid, _, _ in live.trades()] == [entry.id, legs["LIMIT"]]


async def test_after_a_restart_a_filled_brackets_exits_are_resynced_after_a_gap(live: Live) -> None:
    """The exits of a bracket whose entry filled before the restart are known to the new venue: a gap
    that hides the take-profit's fill and the stop's cancel is resynced, each reported once."""
    entry = await live.venue.submit_order(
        order(order_type=OrderType.LIMIT, limit_price="190", stop_loss="170", take_profit="200", quantity="2")
    )
    await live.until("POSITION_OPENED")
    legs = {o.order_type.name: o.id for o in await live.venue.list_orders(ListOrdersRequest())}
    await live.venue.close()
    await live._task
    venue = AlpacaVenue(
        live.venue.config, TradingPlatform.ALPACA_PAPER, backoff=Backoff(initial=0.1, cap=0.3)
    )
    await venue.connect()
    again = Live(live.fake, venue)
    try:
        live.fake.faults.drop_trade_stream("before_fill")
        live.fake.set_price("AAPL", "201")
        await again.until("BROKER_RECONNECTED")
        await again.until("POSITION_CLOSED")
        await asyncio.sleep(0.3)
        events = [(m.order.order.id, m.order.event.name) for m in again.out if m.order and m.order.order]
    finally:
        await venue.close()
        await again._task
    assert events.count((legs["LIMIT"], "ORDER_FILLED")) == 1, (events, again.labels())
    assert events.count((legs["STOP"], "ORDER_CANCELLED")) == 1, events
    assert [oid for oid, _, _ in again.trades()] == [legs["LIMIT"]] and entry.id


async def test_a_brackets_leg_events_carry_its_parent(live: Live) -> None:
    """events.md: `parent_order_id` (top level and inside `order`) links a protective leg to its entry."""
    entry = await live.venue.submit_order(
        order(order_type=OrderType.LIMIT, limit_price="190", stop_loss="170", take_profit="200", quantity="2")
    )
    await live.until("POSITION_OPENED")
    live.fake.set_price("AAPL", "201")
    await live.until("POSITION_CLOSED")
    await live.until("ORDER_CANCELLED")  # the stop, once the take-profit filled
    legs = [m.order for m in live.out if m.order and m.order.order and m.order.order.id != entry.id]
    assert {e.event.name for e in legs} >= {"ORDER_FILLED", "ORDER_CANCELLED"}
    assert {(e.parent_order_id, e.order.parent_order_id) for e in legs if e.order} == {(entry.id, entry.id)}


async def test_minute_bars_missed_while_the_data_socket_was_down_come_from_rest_once(tmp_path: Path) -> None:
    import time

    start = (int(time.time()) // 60 - 60) * 60 * 10**9  # an hour ago, on a minute: every bar can close
    async with FakeAlpaca(frozen_ns=start) as fake:
        env = {
            **fake.env(),
            "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s"),
            "TRADEWIRE_ALPACA_SYMBOLS": "AAPL",
        }
        venue = AlpacaVenue(
            AlpacaConfig.from_env(paper=True, env=env),
            TradingPlatform.ALPACA_PAPER,
            backoff=Backoff(initial=0.1, cap=0.3),
        )
        await venue.connect()
        harness = Live(fake, venue)

        def bars() -> list[tuple[int, str]]:
            return [(int(b.timestamp.timestamp()), b.close) for m in harness.out
                    if m.candle is not None and (b := m.candle.bar) is not None]  # fmt: skip

        async def minute(price: str) -> None:
            fake.set_price("AAPL", price)
            fake.clock.advance(60)

        try:
            async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
                while venue.stale_symbols():
                    await asyncio.sleep(0.02)
            await minute("101")
            await minute("102")
            fake.set_price("AAPL", "103")  # opens minute 2: minutes 0 and 1 have closed
            async with asyncio.timeout(10):
                while len(bars()) < 2:
                    await asyncio.sleep(0.02)
            for conn in list(fake.data_hub.connections):
                await conn.ws.close()  # Alpaca replays nothing on the next socket
            await minute("104")  # the market moves while the socket is down
            await minute("105")
            async with asyncio.timeout(10):
                while len(bars()) < 4:
                    await asyncio.sleep(0.02)
            await minute("106")  # its trade closes minute 3 on the stream again: already filled
            fake.set_price("AAPL", "107")  # closes minute 4 on the stream
            async with asyncio.timeout(10):
                while len(bars()) < 5:
                    await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)  # anything twice would show now
            got = bars()
            assert [close for _, close in got] == ["101", "102", "104", "105", "106"][: len(got)]
            assert [t - got[0][0] for t, _ in got] == [0, 60, 120, 180, 240]
        finally:
            await venue.close()
            await harness._task


@pytest.mark.parametrize("fault", ["none", "server_error_after", "drop_connection_after"])
async def test_a_managed_brackets_entry_filled_before_its_answer_still_gets_its_exits(
    live: Live, fault: str
) -> None:
    """A crypto market entry fills at once: its fill can reach the stream before the submit's answer
    (or its lookup after a lost answer) names the order. The exits must follow all the same."""
    if fault != "none":
        getattr(live.fake.faults, fault)()
    bracket = order(symbol="BTC/USD", quantity="0.5", time_in_force=TimeInForce.GTC, stop_loss="60000",
                    take_profit="70000")  # fmt: skip
    handle = await live.venue.submit_order(bracket)
    async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
        while len(working := await live.venue.list_orders(ListOrdersRequest(symbol="BTC/USD"))) < 2:
            await asyncio.sleep(0.05)
    assert sorted(o.order_type.name for o in working) == ["LIMIT", "STOP"]
    assert {o.parent_order_id for o in working} == {handle.id}
