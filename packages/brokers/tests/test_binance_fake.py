"""The Binance venue against the testkit's wire-level fake Binance (an independent oracle of its shapes):
every order type and list, modify, cancel, positions, the account, the event stream, and each injected
fault survived with no lost or duplicated order or fill."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tradewire.brokers.binance.config import BinanceConfig
from tradewire.brokers.binance.venue import BinanceVenue
from tradewire.protocol.errors import (
    OrderRejected,
    ProviderError,
    RateLimited,
    UnsupportedOperation,
    ValidationError,
)
from tradewire.protocol.messages import (
    ClosePositionRequest,
    GetBarsRequest,
    ListOrdersRequest,
    ListTradesRequest,
    ModifyOrderRequest,
    OrderStatus,
    OrderType,
    Side,
    SubmitOrderRequest,
    Timeframe,
    TimeInForce,
    TradingPlatform,
    TrailingType,
)

fakes = pytest.importorskip("tradewire.testkit.fakes.binance")
from binance_live import Live, venue_for  # noqa: E402


def order(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "BTCUSDT",
        "side": Side.BUY,
        "quantity": "0.01",
        "order_type": OrderType.MARKET,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


def limit(price: str = "50000", **kw: object) -> SubmitOrderRequest:
    return order(
        **{"order_type": OrderType.LIMIT, "limit_price": price, "time_in_force": TimeInForce.GTC, **kw}
    )


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async with fakes.FakeBinance() as fake:
        venue = venue_for(fake, tmp_path / "s")
        await venue.connect()
        harness = Live(fake, venue)
        yield harness
        await venue.close()
        await harness._task


async def test_market_order_events_position_and_account(live: Live) -> None:
    v = live.venue
    before = await v.get_account()
    handle = await v.submit_order(order(symbol="BTC/USDT"))  # the pair form is accepted on input
    assert handle.id.startswith("BTCUSDT-") and handle.status == OrderStatus.FILLED
    labels = await live.until("BALANCE_UPDATED")
    # events.md: for one fill, the order, the trade, the position, the balance (the fake seeds 1 BTC).
    assert labels[:5] == [
        "ORDER_CREATED",
        "ORDER_FILLED",
        "TRADE_FILLED",
        "POSITION_MODIFIED",
        "BALANCE_UPDATED",
    ]
    [(trade_id, order_id)] = live.trades()
    assert order_id == handle.id and trade_id.startswith("BTCUSDT-t")
    position = (await v.list_positions("BTC/USDT"))[0]
    assert (position.symbol, position.side.name) == ("BTCUSDT", "LONG")
    assert Decimal(position.quantity) > Decimal("1")
    filled = await v.get_order(handle.id)
    assert filled.average_fill_price is not None
    # binance.md §11: our own fills' cost over what arrived (the fake takes its fee in BTC on a buy).
    [trade] = await v.list_trades(ListTradesRequest(order_id=handle.id))
    received = Decimal(trade.quantity) - Decimal(trade.commission)
    cost = Decimal(trade.quantity) * Decimal(trade.price)
    assert Decimal(position.average_entry_price) == cost / received
    after = await v.get_account()
    assert Decimal(after.balance) < Decimal(before.balance) and after.currency == "USDT"
    assert trade.id == trade_id and trade.commission_currency == "BTC"


async def test_each_fill_has_its_order_trade_position_and_balance_in_that_order(live: Live) -> None:
    v = live.venue
    await v.submit_order(order(symbol="ETHUSDT", side=Side.SELL, quantity="10"))  # flat in ETH
    await live.until("POSITION_CLOSED")
    live.out.clear()
    await v.submit_order(order(symbol="ETHUSDT", quantity="6"))  # two levels of 5: two fills
    await live.until("TRADE_FILLED", 2)
    await live.until("BALANCE_UPDATED", 2)
    assert live.labels()[:9] == [
        "ORDER_CREATED",
        "ORDER_PARTIALLY_FILLED", "TRADE_FILLED", "POSITION_OPENED", "BALANCE_UPDATED",
        "ORDER_FILLED", "TRADE_FILLED", "POSITION_MODIFIED", "BALANCE_UPDATED",
    ]  # fmt: skip
    await asyncio.sleep(0.3)  # Binance's own balance report agrees: no correction follows
    assert live.labels().count("BALANCE_UPDATED") == 2


async def test_a_deposit_and_a_withdrawal_are_balance_updates(live: Live) -> None:
    before = Decimal((await live.venue.get_account()).balance)
    live.fake.deposit("USDT", "1000")  # balanceUpdate, then outboundAccountPosition
    await live.until("BALANCE_UPDATED")
    live.fake.deposit("ETH", "-10")  # all of it withdrawn: the position goes
    await live.until("POSITION_CLOSED")
    accounts = [m.account.account for m in live.out if m.account is not None and m.account.account]
    assert Decimal(accounts[0].balance) == before + 1000
    assert await live.venue.list_positions("ETHUSDT") == []


async def test_limit_modify_amend_cancel_and_cancel_all(live: Live) -> None:
    v = live.venue
    handle = await v.submit_order(limit("50000.004"))
    assert (await v.get_order(handle.id)).limit_price == "50000"  # on the tick, never more aggressive
    modified = await v.modify_order(handle.id, ModifyOrderRequest(limit_price="50001"))
    assert modified.previous_order_id == handle.id and modified.order is not None
    assert modified.order.id != handle.id and modified.order.limit_price == "50001"
    assert (await v.get_order(handle.id)).status == OrderStatus.CANCELLED
    await live.until("ORDER_MODIFIED")
    # The cancelReplace pair is one ORDER_MODIFIED of the new order; the old one's cancel is not news.
    assert [o.id for o in live.orders("ORDER_MODIFIED")] == [modified.order.id]
    assert live.orders("ORDER_CANCELLED") == []
    cut = await v.modify_order(modified.order.id, ModifyOrderRequest(quantity="0.005"))
    assert cut.previous_order_id is None and cut.order is not None
    assert (cut.order.id, cut.order.quantity) == (modified.order.id, "0.005")  # keepPriority: same id
    result = await v.cancel_order(modified.order.id)
    assert result.success and result.order is not None and result.order.status == OrderStatus.CANCELLED
    assert (await v.cancel_order(modified.order.id)).success  # idempotent
    await v.submit_order(limit("49000"))
    await v.submit_order(limit("3000", symbol="ETHUSDT", quantity="0.1"))
    cancelled = await v.cancel_all_orders()
    assert (cancelled.cancelled_count, cancelled.failed_count) == (2, 0)
    assert await v.list_orders(ListOrdersRequest()) == []
    history = await v.list_order_history(ListOrdersRequest(symbol="BTCUSDT"))
    assert {o.status for o in history} == {OrderStatus.CANCELLED}


async def test_client_order_ids_are_echoed_only_as_the_client_gave_them(live: Live) -> None:
    v = live.venue
    made_up = await v.submit_order(limit("50000"))
    assert made_up.client_order_id is None and (await v.get_order(made_up.id)).client_order_id is None
    given = await v.submit_order(limit("49000", client_order_id="my-1"))
    assert given.client_order_id == "my-1"
    again = await v.submit_order(limit("49000", client_order_id="my-1"))  # the same order, not another
    assert again.id == given.id
    with pytest.raises(ValidationError):  # the same id for another request: refused, nothing sent
        await v.submit_order(limit("48000", client_order_id="my-1"))
    modified = await v.modify_order(given.id, ModifyOrderRequest(limit_price="49001"))
    assert modified.order is not None and modified.order.client_order_id == "my-1"  # as given at submission
    [found] = await v.list_orders(ListOrdersRequest(client_order_id="my-1"))
    assert found.id == modified.order.id
    await live.until("ORDER_MODIFIED")
    shown = {o.id: o.client_order_id for o in live.orders("ORDER_CREATED") + live.orders("ORDER_MODIFIED")}
    assert shown == {made_up.id: None, given.id: "my-1", modified.order.id: "my-1"}


async def test_a_partly_filled_order_is_modified_by_its_new_total(live: Live) -> None:
    v = live.venue
    handle = await v.submit_order(limit("50000", quantity="1"))
    live.fake.fill("BTCUSDT", int(handle.id.rsplit("-", 1)[1]), "0.4")
    await live.until("ORDER_PARTIALLY_FILLED")
    with pytest.raises(ValidationError):  # rest.md: the new total is at least the filled quantity
        await v.modify_order(handle.id, ModifyOrderRequest(quantity="0.3"))
    modified = await v.modify_order(handle.id, ModifyOrderRequest(quantity="0.8", limit_price="50001"))
    assert modified.previous_order_id == handle.id and modified.order is not None
    assert modified.order.quantity == "0.4"  # what is left of the new total: the old order keeps its 0.4
    live.fake.fill("BTCUSDT", int(modified.order.id.rsplit("-", 1)[1]), "0.1")
    await live.until("ORDER_PARTIALLY_FILLED", 2)
    done = await v.modify_order(modified.order.id, ModifyOrderRequest(quantity="0.1"))  # all filled
    assert done.order is not None and done.order.status == OrderStatus.CANCELLED


@pytest.mark.parametrize(
    "request_",
    [
        limit("50000", post_only=True),
        limit("50000", time_in_force=TimeInForce.IOC),
        limit("50000", time_in_force=TimeInForce.FOK),
        limit("50000", quantity="0.01", display_quantity="0.002"),
        order(side=Side.SELL, order_type=OrderType.STOP, stop_price="55000"),
        order(side=Side.SELL, order_type=OrderType.STOP_LIMIT, stop_price="55000", limit_price="54900"),
        order(side=Side.SELL, order_type=OrderType.TRAILING_STOP, trailing_distance="1.5",
              trailing_type=TrailingType.PERCENT),
    ],
    ids=["post_only", "ioc", "fok", "iceberg", "stop", "stop_limit", "trailing"],
)  # fmt: skip
async def test_each_order_type_is_accepted_and_read_back(live: Live, request_: SubmitOrderRequest) -> None:
    handle = await live.venue.submit_order(request_)
    got = await live.venue.get_order(handle.id)
    assert got.order_type == request_.order_type
    if request_.post_only:
        assert got.post_only
    if request_.display_quantity is not None:
        assert got.display_quantity == "0.002"
    if request_.trailing_distance is not None:
        assert (got.trailing_distance, got.trailing_type) == ("1.5", TrailingType.PERCENT)
    if request_.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
        assert got.status == OrderStatus.EXPIRED  # nothing to match at 50000
    else:
        assert got.status in (OrderStatus.OPEN, OrderStatus.PENDING)


async def test_a_limit_bracket_is_a_native_otoco_and_a_market_bracket_is_managed(live: Live) -> None:
    v = live.venue
    handle = await v.submit_order(limit("50000", stop_loss="45000", take_profit="70000"))
    working = await v.list_orders(ListOrdersRequest())
    legs = [o for o in working if o.parent_order_id == handle.id]
    assert sorted(o.order_type.name for o in legs) == ["LIMIT", "STOP"]
    assert {o.status for o in legs} == {OrderStatus.PENDING}
    await live.until("BRACKET_ORDER_CREATED")
    # The native entry shows the exits it was sent with, as rest.md's Order does.
    entry = await v.get_order(handle.id)
    assert (entry.stop_loss, entry.take_profit) == ("45000", "70000")
    # A MARKET entry: no order list takes it; the gateway holds its stop (test_binance_managed.py).
    market = await v.submit_order(order(stop_loss="45000"))
    await live.until("BRACKET_ORDER_CREATED", 2)
    stops = [o for o in await v.list_orders(ListOrdersRequest()) if o.order_type == OrderType.STOP]
    assert {o.parent_order_id for o in stops} == {handle.id, market.id}


async def test_a_limit_entry_with_one_exit_is_a_native_oto(live: Live) -> None:
    v = live.venue
    handle = await v.submit_order(limit("50000", stop_loss="45000"))
    [leg] = [o for o in await v.list_orders(ListOrdersRequest()) if o.parent_order_id == handle.id]
    assert (leg.order_type, leg.stop_price, leg.status) == (OrderType.STOP, "45000", OrderStatus.PENDING)
    [listed] = live.fake.exchange.lists.values()
    assert listed.contingency == "OTO" and len(listed.order_ids) == 2
    live.fake.fill("BTCUSDT", int(handle.id.rsplit("-", 1)[1]))  # the entry fills: its stop starts working
    await live.until("ORDER_FILLED")
    async with asyncio.timeout(10):
        while (await v.get_order(leg.id)).status != OrderStatus.OPEN:
            await asyncio.sleep(0.05)


async def test_cancel_all_of_one_symbol_leaves_the_others(live: Live) -> None:
    v = live.venue
    btc = [await v.submit_order(limit(p)) for p in ("49000", "49001")]
    eth = await v.submit_order(limit("3000", symbol="ETHUSDT", quantity="0.1"))
    cancelled = await v.cancel_all_orders("BTC/USDT")
    assert (cancelled.cancelled_count, cancelled.failed_count) == (2, 0)
    assert [o.id for o in await v.list_orders(ListOrdersRequest())] == [eth.id]
    assert {(await v.get_order(h.id)).status for h in btc} == {OrderStatus.CANCELLED}


async def test_exchange_info_is_read_again_on_a_schedule(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake:
        config = BinanceConfig.from_env(
            testnet=True, env={**fake.env(), "TRADEWIRE_BINANCE_STORE": str(tmp_path / "s")}
        )
        venue = BinanceVenue(config, TradingPlatform.BINANCE_TESTNET, timeout=1.0, rules_refresh=0.2)
        await venue.connect()
        try:
            fake.set_symbol_status("BTCUSDT", "HALT")  # Binance halts the symbol; nothing tells us
            async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
                while venue._rules["BTCUSDT"].status != "HALT":
                    await asyncio.sleep(0.05)
            with pytest.raises(OrderRejected) as caught:  # refused here from the fresh rules, not sent
                await venue.submit_order(limit("50000"))
            assert caught.value.details["reject_code"] == "MARKET_CLOSED"
            assert "broker" not in caught.value.details and fake.exchange.orders == {}
        finally:
            await venue.close()


async def test_a_refreshed_lot_size_minimum_decides_what_is_dust(tmp_path: Path) -> None:
    """The position book's minimum follows exchangeInfo's LOT_SIZE on each read, not only the first."""
    async with fakes.FakeBinance(balances={"USDT": Decimal("1000"), "BTC": Decimal("0.005")}) as fake:
        config = BinanceConfig.from_env(
            testnet=True, env={**fake.env(), "TRADEWIRE_BINANCE_STORE": str(tmp_path / "s")}
        )
        venue = BinanceVenue(config, TradingPlatform.BINANCE_TESTNET, timeout=1.0, rules_refresh=0.2)
        await venue.connect()
        try:
            assert [p.quantity for p in await venue.list_positions("BTCUSDT")] == ["0.005"]
            spec = fake.exchange.specs["BTCUSDT"]
            fake.exchange.specs["BTCUSDT"] = replace(spec, min_qty=Decimal("0.01"))
            async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
                while await venue.list_positions("BTCUSDT"):
                    await asyncio.sleep(0.05)
        finally:
            await venue.close()


async def test_filters_refuse_before_sending_naming_the_filter(live: Live) -> None:
    with pytest.raises(OrderRejected) as caught:
        await live.venue.submit_order(limit("50000", quantity="0.00005"))  # 2.5 USDT < 5
    assert caught.value.details["filter"] == "NOTIONAL"
    with pytest.raises(UnsupportedOperation):
        await live.venue.submit_order(limit("50000", time_in_force=TimeInForce.DAY))
    assert await live.venue.list_order_history(ListOrdersRequest(symbol="BTCUSDT")) == []


async def test_a_filter_binance_had_but_we_did_not_reloads_the_rules(live: Live) -> None:
    v = live.venue
    known = v._rules["BTCUSDT"]
    v._rules["BTCUSDT"] = replace(known, filters={k: f for k, f in known.filters.items() if k != "NOTIONAL"})
    with pytest.raises(OrderRejected) as caught:
        await v.submit_order(limit("50000", quantity="0.00005"))  # Binance's own -1013
    assert caught.value.details["broker"]["code"] == -1013
    assert "NOTIONAL" in v._rules["BTCUSDT"].filters  # read again after the refusal


@pytest.mark.parametrize("fault", ["server_error_after", "timeout_after"])
async def test_an_unknown_outcome_of_an_order_list_makes_exactly_one_list(live: Live, fault: str) -> None:
    getattr(live.fake.faults, fault)("POST", "/api/v3/orderList/otoco")
    handle = await live.venue.submit_order(limit("50000", stop_loss="45000", take_profit="70000"))
    orders = await live.venue.list_orders(ListOrdersRequest())
    assert sorted(o.id for o in orders if o.parent_order_id is None) == [handle.id]
    assert len(orders) == 3
    # Its creation was reported before the venue learnt the entry's id: the event still shows the exits.
    await live.until("BRACKET_ORDER_CREATED")
    [entry] = live.orders("BRACKET_ORDER_CREATED")
    assert (entry.id, entry.stop_loss, entry.take_profit) == (handle.id, "45000", "70000")


async def test_close_position_sells_the_free_balance_floored_to_the_step(live: Live) -> None:
    v = live.venue
    handle = await v.close_position("ETH/USDT", ClosePositionRequest(quantity="2.00005"))
    closed = await v.get_order(handle.id)
    assert (closed.side, closed.order_type, closed.quantity) == (Side.SELL, OrderType.MARKET, "2")
    [eth] = await v.list_positions("ETHUSDT")
    assert eth.quantity == "8"
    assert len(await v.close_all_positions()) == 2
    await live.until("POSITION_CLOSED", 2)
    assert await v.list_positions() == []


async def test_quotes_and_bars(live: Live) -> None:
    quote = await live.venue.get_quote("BTC/USDT")
    assert quote.symbol == "BTCUSDT" and Decimal(quote.bid) < Decimal(quote.ask)
    bars = await live.venue.get_bars(GetBarsRequest(symbol="BTCUSDT", timeframe=Timeframe.M1, limit=5))
    assert all(b.symbol == "BTCUSDT" for b in bars)


@pytest.mark.parametrize("fault", ["server_error_after", "timeout_after", "drop_connection_after"])
async def test_an_unknown_outcome_makes_exactly_one_order(live: Live, fault: str) -> None:
    getattr(live.fake.faults, fault)()
    handle = await live.venue.submit_order(limit("50000"))
    orders = await live.venue.list_orders(ListOrdersRequest())
    assert [o.id for o in orders] == [handle.id]


async def test_an_unknown_outcome_of_a_market_order_fills_once(live: Live) -> None:
    live.fake.faults.server_error_after()
    handle = await live.venue.submit_order(order())
    await live.until("ORDER_FILLED")
    await asyncio.sleep(0.3)  # anything late would show now
    assert [oid for _, oid in live.trades()] == [handle.id]


async def test_a_skewed_clock_is_resynced_and_the_request_retried_once(live: Live) -> None:
    live.fake.skew_clock(-30_000)  # Binance's clock 30 s behind ours: -1021 until we resync
    handle = await live.venue.submit_order(limit("50000"))
    assert [o.id for o in await live.venue.list_orders(ListOrdersRequest())] == [handle.id]
    assert live.venue.http.offset_ms < -20_000


async def test_a_clock_that_keeps_running_away_is_retried_once_then_a_provider_error(live: Live) -> None:
    sent: list[tuple[str, str]] = []

    async def note(request: httpx.Request) -> None:  # watches what goes on the wire, changes nothing
        sent.append((request.method, request.url.path))

    live.venue.http._client.event_hooks["request"].append(note)

    async def leap() -> None:
        while True:  # Binance's clock leaps a minute at every turn of the loop: no offset keeps up
            live.fake.clock.advance(60)
            await asyncio.sleep(0)

    leaping = asyncio.create_task(leap())
    try:
        with pytest.raises(ProviderError) as caught:
            await live.venue.submit_order(limit("50000"))
    finally:
        leaping.cancel()
    assert caught.value.details["broker"]["code"] == -1021
    posts = [path for method, path in sent if method == "POST"]
    assert posts == ["/api/v3/order", "/api/v3/order"]  # the first send and one retry, after one resync
    assert sent.count(("GET", "/api/v3/time")) == 1
    assert live.fake.exchange.orders == {}  # -1021: nothing was executed


async def test_429_is_rate_limited_and_then_shed_locally_never_418(live: Live) -> None:
    live.fake.faults.rate_limit(retry_after=30)
    with pytest.raises(RateLimited):
        await live.venue.submit_order(limit("50000"))
    with pytest.raises(RateLimited) as caught:
        await live.venue.get_account()  # not sent: the limiter holds until Retry-After
    assert caught.value.details["retry_after_seconds"] > 2


async def test_the_order_count_budget_from_exchange_info_is_kept_before_binance_refuses(
    tmp_path: Path,
) -> None:
    async with fakes.FakeBinance(orders_10s=3) as fake:
        venue = venue_for(fake, tmp_path / "s")
        await venue.connect()
        try:
            for price in ("50000", "50001", "50002"):
                await venue.submit_order(limit(price))
            with pytest.raises(RateLimited) as caught:  # ours: Binance would answer -1015
                await venue.submit_order(limit("50003"))
            assert caught.value.details["retry_after_seconds"] > 2 and "broker" not in caught.value.details
            assert len(await venue.list_orders(ListOrdersRequest())) == 3
        finally:
            await venue.close()


@pytest.mark.parametrize("when", ["before_fill", "after_fill"])
async def test_user_stream_dropped_at_a_fill_loses_and_repeats_nothing(live: Live, when: str) -> None:
    live.fake.faults.drop_user_stream(when)
    handle = await live.venue.submit_order(order(quantity="0.6"))  # two levels: two trades
    labels = await live.until("BROKER_RECONNECTED")
    await live.until("ORDER_FILLED")
    await asyncio.sleep(0.3)
    trades = live.trades()
    assert len(trades) == len(set(trades)) == 2 and {oid for _, oid in trades} == {handle.id}
    labels = live.labels()
    assert labels.count("ORDER_FILLED") == 1 and labels.count("ORDER_CREATED") <= 1
    assert (
        labels.index("BROKER_DISCONNECTED")
        < labels.index("RECONNECTING")
        < labels.index("BROKER_RECONNECTED")
    )


async def test_an_order_placed_while_the_socket_was_down_is_reported_once(live: Live) -> None:
    live.fake.drop_sockets()
    # Placed directly (as another client of the account would): only Binance knows it.
    params = [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
              ("quantity", "0.01"), ("price", "50000"), ("newClientOrderId", "elsewhere-1")]  # fmt: skip
    body = await live.venue.http.new_order(params)
    await live.until("BROKER_RECONNECTED")
    await asyncio.sleep(0.5)
    created = [o.id for o in live.orders("ORDER_CREATED")]
    assert created == [f"BTCUSDT-{body['orderId']}"]
    assert live.orders("ORDER_CREATED")[0].client_order_id == "elsewhere-1"  # not ours: shown as it is


async def test_an_order_list_placed_while_the_socket_was_down_reports_each_member_once(live: Live) -> None:
    """binance.md §12: the resync reads open orders and open order lists; an OTO placed by another
    client of the account during the gap shows both its working and its pending order, once each."""
    live.fake.drop_sockets()
    params = [("symbol", "BTCUSDT"), ("workingType", "LIMIT"), ("workingSide", "BUY"),
              ("workingPrice", "50000"), ("workingQuantity", "0.01"), ("workingTimeInForce", "GTC"),
              ("pendingType", "LIMIT_MAKER"), ("pendingSide", "SELL"), ("pendingPrice", "70000"),
              ("pendingQuantity", "0.01")]  # fmt: skip
    body = await live.venue.http.new_order_list("/api/v3/orderList/oto", params)
    await live.until("BROKER_RECONNECTED")
    await asyncio.sleep(0.5)
    members = sorted(f"BTCUSDT-{o['orderId']}" for o in body["orders"])
    assert sorted(o.id for o in live.orders("ORDER_CREATED")) == members
    assert sorted(o.id for o in await live.venue.list_orders(ListOrdersRequest())) == members


async def test_an_order_placed_and_filled_while_the_socket_was_down_is_reported_once(live: Live) -> None:
    await live.venue.submit_order(order())  # a fill of ours first: Binance's last trade id is known
    await live.until("TRADE_FILLED")
    live.fake.drop_sockets()
    # Placed and filled directly (as another client of the account would) while no socket listens.
    params = [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "0.01"),
              ("newClientOrderId", "elsewhere-2")]  # fmt: skip
    body = await live.venue.http.new_order(params)
    await live.until("BROKER_RECONNECTED")
    await asyncio.sleep(0.5)
    theirs = f"BTCUSDT-{body['orderId']}"
    assert [oid for _, oid in live.trades()].count(theirs) == 1  # binance.md §12: myTrades from the last id
    assert [o.id for o in live.orders("ORDER_FILLED")].count(theirs) == 1


async def test_server_shutdown_rotates_the_socket_without_a_gap(live: Live) -> None:
    live.fake.server_shutdown(close_after=0.5)
    await asyncio.sleep(1.5)  # the new socket subscribed before the old one closed
    handle = await live.venue.submit_order(order())
    await live.until("ORDER_FILLED")
    await asyncio.sleep(0.3)
    assert [oid for _, oid in live.trades()] == [handle.id]
    assert "BROKER_DISCONNECTED" not in live.labels()


async def test_the_socket_is_rotated_before_its_lifetime_and_events_are_deduped(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake:
        venue = venue_for(fake, tmp_path / "s")
        venue._lifetime = 0.5
        await venue.connect()
        harness = Live(fake, venue)
        try:
            for _ in range(3):
                await venue.submit_order(order())
                await asyncio.sleep(0.4)
            await harness.until("ORDER_FILLED", 3)
            await asyncio.sleep(1.2)  # several rotations, each with an overlap
            trades = harness.trades()
            assert len(trades) == len(set(trades)) == 3
            assert harness.labels().count("ORDER_FILLED") == 3
            assert "BROKER_DISCONNECTED" not in harness.labels()
        finally:
            await venue.close()
            await harness._task


async def test_market_data_quotes_stream_and_mark_positions(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake:
        venue = venue_for(fake, tmp_path / "s", TRADEWIRE_BINANCE_SYMBOLS="BTC/USDT")
        await venue.connect()
        harness = Live(fake, venue)
        try:
            async with asyncio.timeout(10):
                price = 60000
                while not any(m.quote is not None for m in harness.out):
                    price += 1
                    fake.set_price("BTCUSDT", str(price))  # a trade prints, the book moves
                    await asyncio.sleep(0.05)
            quote = next(m.quote.quote for m in harness.out if m.quote is not None and m.quote.quote)
            assert quote.symbol == "BTCUSDT"
            assert venue.stale_symbols() == []
            [btc] = await venue.list_positions("BTCUSDT")
            assert Decimal(btc.current_price) > Decimal("60000")  # marked at the streamed mid
        finally:
            await venue.close()
            await harness._task


async def test_pings_are_answered_so_neither_socket_is_dropped(tmp_path: Path) -> None:
    async with fakes.FakeBinance(ping_interval=0.1, pong_timeout=0.4) as fake:
        venue = venue_for(fake, tmp_path / "s", TRADEWIRE_BINANCE_SYMBOLS="BTCUSDT")
        await venue.connect()
        harness = Live(fake, venue)
        try:
            await asyncio.sleep(1.5)  # many pings; a socket that did not pong would be dropped by now
            fake.set_price("BTCUSDT", "60010")
            handle = await venue.submit_order(order())
            await harness.until("ORDER_FILLED")
            assert [oid for _, oid in harness.trades()] == [handle.id]
            assert "BROKER_DISCONNECTED" not in harness.labels() and venue.stale_symbols() == []
            assert any(m.quote is not None for m in harness.out)
        finally:
            await venue.close()
            await harness._task


async def test_closed_bars_stream_and_a_gap_is_filled_from_rest_klines_once(tmp_path: Path) -> None:
    start = (int(time.time()) // 60 - 60) * 60_000  # an hour ago, on a minute: every bar can close
    async with fakes.FakeBinance(frozen_ms=start) as fake:
        venue = venue_for(fake, tmp_path / "s", TRADEWIRE_BINANCE_SYMBOLS="BTCUSDT")
        await venue.connect()
        harness = Live(fake, venue)

        def bars() -> list[tuple[int, str]]:
            return [(int(b.timestamp.timestamp()), b.close) for m in harness.out
                    if m.candle is not None and (b := m.candle.bar) is not None]  # fmt: skip

        async def minute(price: str) -> None:
            fake.set_price("BTCUSDT", price)
            fake.clock.advance(60)

        try:
            async with asyncio.timeout(10):
                while venue.stale_symbols():
                    await asyncio.sleep(0.02)
            await minute("60001")
            await minute("60002")
            fake.set_price("BTCUSDT", "60003")  # opens minute 2: minutes 0 and 1 are final
            async with asyncio.timeout(10):
                while len(bars()) < 2:
                    await asyncio.sleep(0.02)
            fake.drop_sockets()
            await minute("60004")  # the market moves while the socket is down
            await minute("60005")
            fake.set_price("BTCUSDT", "60006")
            async with asyncio.timeout(10):
                while len(bars()) < 4:
                    await asyncio.sleep(0.02)
            await asyncio.sleep(0.5)  # anything twice would show now
            got = bars()
            assert [close for _, close in got] == ["60001", "60002", "60004", "60005"]
            assert [t - got[0][0] for t, _ in got] == [0, 60, 120, 180]
        finally:
            await venue.close()
            await harness._task


async def test_an_ed25519_key_signs_rest_and_the_user_data_subscription(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    private = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    async with fakes.FakeBinance(ed25519_public_pem=public) as fake:
        venue = venue_for(
            fake, tmp_path / "s", BINANCE_API_KEY=fake.config.ed25519_api_key, BINANCE_API_SECRET=private
        )
        assert venue.config.credentials.secret.reveal().startswith("-----BEGIN")
        await venue.connect()
        harness = Live(fake, venue)
        try:
            assert venue.http.signer.kind == "ed25519"
            handle = await venue.submit_order(order())
            await harness.until("ORDER_FILLED")  # the subscription, signed with the same key
            assert [oid for _, oid in harness.trades()] == [handle.id]
        finally:
            await venue.close()
            await harness._task


async def test_a_restart_reports_what_happened_while_no_venue_ran_once(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake:
        first = venue_for(fake, tmp_path / "s")
        await first.connect()
        harness = Live(fake, first)
        handle = await first.submit_order(limit("59000", quantity="0.02"))
        await harness.until("ORDER_CREATED")
        await first.close()
        await harness._task
        _, number = handle.id.rsplit("-", 1)
        fake.fill("BTCUSDT", int(number))  # filled while no venue ran
        for run in range(2):  # a second restart has nothing new to say
            again = venue_for(fake, tmp_path / "s")
            await again.connect()
            later = Live(fake, again)
            await asyncio.sleep(0.5)
            await again.close()
            await later._task
            if run == 0:
                assert later.labels()[:2] == ["ORDER_FILLED", "TRADE_FILLED"]
                assert [oid for _, oid in later.trades()] == [handle.id]
            else:
                assert later.trades() == [] and "ORDER_FILLED" not in later.labels()
            assert "ORDER_CREATED" not in later.labels()


async def test_the_run_is_the_stores_across_restarts(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake:
        runs = []
        for _ in range(2):
            venue = venue_for(fake, tmp_path / "s")
            await venue.connect()
            runs.append(venue.run_id)
            await venue.close()
    assert runs[0] and runs == [runs[0]] * 2


async def test_a_restart_keeps_the_average_entry_and_reports_no_fill_twice(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake:
        venue = venue_for(fake, tmp_path / "s")
        await venue.connect()
        harness = Live(fake, venue)
        await venue.submit_order(order(symbol="ETHUSDT", quantity="1"))
        await harness.until("ORDER_FILLED")
        [eth] = await venue.list_positions("ETHUSDT")
        await venue.close()
        await harness._task
        again = venue_for(fake, tmp_path / "s")
        await again.connect()
        try:
            [eth_again] = await again.list_positions("ETHUSDT")
            assert eth_again.average_entry_price == eth.average_entry_price != "0"
        finally:
            await again.close()


async def test_a_first_start_rebuilds_the_average_entry_from_my_trades(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake:
        venue = venue_for(fake, tmp_path / "s")
        await venue.connect()
        harness = Live(fake, venue)
        await venue.submit_order(order(symbol="ETHUSDT", side=Side.SELL, quantity="10"))  # flat: no seed
        await harness.until("POSITION_CLOSED")
        await venue.submit_order(order(symbol="ETHUSDT", quantity="6"))  # two levels: two prices
        await harness.until("ORDER_FILLED", 2)
        [eth] = await venue.list_positions("ETHUSDT")
        await venue.close()
        await harness._task
        fresh = venue_for(fake, tmp_path / "elsewhere")  # another store: nothing persisted there
        await fresh.connect()
        try:
            [rebuilt] = await fresh.list_positions("ETHUSDT")
            assert Decimal(eth.average_entry_price) > 0
            assert (rebuilt.quantity, rebuilt.average_entry_price) == (eth.quantity, eth.average_entry_price)
        finally:
            await fresh.close()


# -- the gateway and the SDK ---------------------------------------------------------------------
@contextlib.asynccontextmanager
async def gateway(fake: Any, tmp_path: Path, **env: str) -> AsyncIterator[str]:
    """`tradewire-gateway serve --platform binance-testnet` in a child process, pointed at the fake."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    prefixes = ("TRADEWIRE_", "BINANCE_", "GATEWAY_")
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    child_env |= {**fake.env(), "TRADEWIRE_BINANCE_STORE": str(tmp_path / "gw.sqlite3"), **env}
    log_path = tmp_path / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--platform", "binance-testnet",
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


async def test_gateway_serves_binance_testnet_against_the_fake(tmp_path: Path) -> None:
    async with fakes.FakeBinance() as fake, gateway(fake, tmp_path) as url:
        port = url.rsplit(":", 1)[1]
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            rest = {"symbol": "BTC/USDT", "side": "BUY", "quantity": "0.01", "order_type": "LIMIT",
                    "limit_price": "50000", "time_in_force": "GTC"}  # fmt: skip
            created = await client.post("/v1/orders", json=rest)
            assert created.status_code == 201, created.text
            order_id = created.json()["id"]
            got = (await client.get(f"/v1/orders/{order_id}")).json()
            assert (got["symbol"], got["limit_price"]) == ("BTCUSDT", "50000")  # the venue spelling
            assert (await client.delete(f"/v1/orders/{order_id}")).status_code == 200
            day = await client.post("/v1/orders", json={**rest, "time_in_force": "DAY"})
            assert day.status_code == 501 and day.json()["code"] == "UNSUPPORTED_OPERATION"
            small = await client.post("/v1/orders", json={**rest, "quantity": "0.00005"})
            assert small.status_code == 422 and small.json()["details"]["filter"] == "NOTIONAL"
            market = {"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.01", "order_type": "MARKET"}
            async with websockets.connect(f"ws://127.0.0.1:{port}/v1/ws") as ws:
                assert (await client.post("/v1/orders", json=market)).status_code == 201
                seen: list[str] = []
                async with asyncio.timeout(10):
                    while "TRADE_FILLED" not in seen:
                        message = json.loads(await ws.recv())
                        seen.append(str(message.get("event")))
                order_events = [e for e in seen if e.startswith(("ORDER_", "TRADE_"))]
                assert order_events[-3:] == ["ORDER_CREATED", "ORDER_FILLED", "TRADE_FILLED"]
            positions = (await client.get("/v1/positions")).json()
            assert {p["symbol"] for p in positions} == {"BTCUSDT", "ETHUSDT"}
            closed = await client.delete("/v1/positions/ETHUSDT")
            assert closed.status_code == 200, closed.text
            caps = (await client.get("/v1/capabilities")).json()
            assert "crypto:bracket_orders_limit_entry" in caps["features"]


async def test_the_sdk_trades_binance_testnet_through_the_gateway(tmp_path: Path) -> None:
    from tradewire.sdk import AsyncClient

    async with fakes.FakeBinance() as fake, gateway(fake, tmp_path) as url:
        client = AsyncClient(url)
        try:
            handle = await client.submit_order(symbol="BTC/USDT", side="BUY", quantity="0.01",
                                               order_type="LIMIT", limit_price="50000",
                                               time_in_force="GTC")  # fmt: skip
            assert [o.id for o in await client.list_orders()] == [handle.id]
            modified = await client.modify_order(handle.id, limit_price="50001")
            assert modified.previous_order_id == handle.id and modified.order is not None
            assert (await client.cancel_all_orders()).cancelled_count == 1
            bracket = await client.submit_order(symbol="ETHUSDT", side="BUY", quantity="0.1",
                                                order_type="LIMIT", limit_price="2900", time_in_force="GTC",
                                                stop_loss="2800", take_profit="3200")  # fmt: skip
            legs = [o for o in await client.list_orders() if o.parent_order_id == bracket.id]
            assert len(legs) == 2
            await client.submit_order(symbol="BTCUSDT", side="BUY", quantity="0.02")
            with pytest.raises(UnsupportedOperation):  # the protocol's error, as in process
                await client.submit_order(symbol="BTCUSDT", side="BUY", quantity="0.01",
                                          order_type="TRAILING_STOP", trailing_distance="50",
                                          trailing_type="ABSOLUTE")  # fmt: skip
            positions = await client.list_positions()
            assert {p.symbol for p in positions} == {"BTCUSDT", "ETHUSDT"}
            assert len(await client.close_all_positions()) == 2
            assert await client.list_orders() == []
        finally:
            await client.aclose()


async def test_no_key_reaches_a_log_line_even_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The user-data subscription's frame carries the API key, and websockets logs frames at debug
    (shortened to their ends today: a longer excerpt would show the key)."""
    import logging

    from tradewire.brokers.binance.config import WIRE_LOGGER

    caplog.set_level(logging.DEBUG)
    async with fakes.FakeBinance() as fake:
        venue = venue_for(fake, tmp_path / "s")
        await venue.connect()
        try:
            await venue.submit_order(order())
        finally:
            await venue.close()
    frames = [r for r in caplog.records if r.name == WIRE_LOGGER and "TEXT" in r.getMessage()]
    assert any("userDataStream.subscr" in r.getMessage() for r in frames)  # through the scrubbing logger
    venue.config.wire_logger().debug("> TEXT %s", {"apiKey": fake.config.api_key})  # a whole frame
    for secret in (fake.config.api_key, fake.config.api_secret):
        assert secret not in caplog.text
