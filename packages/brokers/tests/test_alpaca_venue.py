"""The Alpaca Venue in process against the testkit's fake Alpaca: normalization, idempotent client ids,
refusals before any call, positions and trades, the live guard and the factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.factory import create_venue
from tradewire.brokers.alpaca.venue import AlpacaVenue
from tradewire.protocol.errors import (
    OrderNotFound,
    OrderNotModifiable,
    OrderRejected,
    PositionNotFound,
    SymbolNotFound,
    UnsupportedOperation,
    ValidationError,
)
from tradewire.protocol.messages import (
    ClosePositionRequest,
    ListOrdersRequest,
    ListTradesRequest,
    ModifyOrderRequest,
    OrderStatus,
    OrderType,
    Side,
    SubmitOrderRequest,
    TimeInForce,
    TradingPlatform,
)
from tradewire.protocol.platforms import LiveOptInMissing

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")


def env_of(fake: Any, tmp_path: Path) -> dict[str, str]:
    return {**fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s.sqlite3")}


@pytest.fixture
async def venue(tmp_path: Path) -> AsyncIterator[tuple[AlpacaVenue, Any]]:
    async with fakes.FakeAlpaca() as fake:
        v = AlpacaVenue(
            AlpacaConfig.from_env(paper=True, env=env_of(fake, tmp_path)), TradingPlatform.ALPACA_PAPER
        )
        await v.connect()
        yield v, fake
        await v.close()


def limit(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "AAPL",
        "side": Side.BUY,
        "quantity": "10",
        "order_type": OrderType.LIMIT,
        "limit_price": "150.004",
        "time_in_force": TimeInForce.DAY,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


def order_count(fake: Any) -> int:
    return len(fake.broker.orders)


async def test_submit_normalizes_and_a_repeated_client_id_is_the_same_order(
    venue: tuple[AlpacaVenue, Any],
) -> None:
    v, fake = venue
    handle = await v.submit_order(limit(client_order_id="mine-1"))
    assert handle.status == OrderStatus.OPEN and handle.client_order_id == "mine-1"
    assert (await v.get_order(handle.id)).limit_price == "150"  # a buy limit moved down to the cent grid
    again = await v.submit_order(limit(client_order_id="mine-1"))
    assert again.id == handle.id and order_count(fake) == 1  # the same order, not a second one
    with pytest.raises(ValidationError):  # the same client id for a different order
        await v.submit_order(limit(client_order_id="mine-1", quantity="11"))
    modified = await v.modify_order(handle.id, ModifyOrderRequest(limit_price="149"))
    assert modified.previous_order_id == handle.id and modified.order is not None
    result = await v.cancel_order(modified.order.id)
    assert result.success
    assert (await v.cancel_order(modified.order.id)).success  # idempotent


async def test_a_client_id_known_only_to_alpaca_is_adopted_only_for_the_same_order(
    venue: tuple[AlpacaVenue, Any],
) -> None:
    v, fake = venue
    # Orders Alpaca holds under client ids this venue's store never saw (another process, a lost store).
    body = {"symbol": "AAPL", "qty": "10", "side": "buy", "type": "limit", "time_in_force": "day"}
    same = await v.http.submit({**body, "limit_price": "150", "client_order_id": "elsewhere"})
    handle = await v.submit_order(limit(client_order_id="elsewhere"))
    assert handle.id == same["id"] and order_count(fake) == 1
    await v.http.submit({"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit", "limit_price": "100",
                         "time_in_force": "day", "client_order_id": "other"})  # fmt: skip
    with pytest.raises(ValidationError):
        await v.submit_order(limit(client_order_id="other"))
    assert order_count(fake) == 2


async def test_positions_account_trades_close(venue: tuple[AlpacaVenue, Any]) -> None:
    v, _ = venue
    handle = await v.submit_order(limit(order_type=OrderType.MARKET, limit_price=None))
    async with asyncio.timeout(10):
        while not await v.list_positions():
            await asyncio.sleep(0.02)
    [position] = await v.list_positions()
    assert (position.symbol, position.quantity, position.average_entry_price) == ("AAPL", "10", "187.51")
    assert position.opened_at is not None and position.updated_at is not None
    assert (await v.get_position("AAPL")).quantity == "10"
    account = await v.get_account()
    assert Decimal(account.balance) == Decimal("100000") - Decimal("1875.1")
    [trade] = await v.list_trades(ListTradesRequest())
    assert (trade.order_id, trade.quantity, trade.price) == (handle.id, "10", "187.51")
    closing = await v.close_position("AAPL", ClosePositionRequest(quantity="4"))
    assert (await v.get_order(closing.id)).side == Side.SELL
    limit_close = await v.close_position(
        "AAPL", ClosePositionRequest(quantity="1", order_type=OrderType.LIMIT, limit_price="300")
    )
    assert (await v.get_order(limit_close.id)).order_type == OrderType.LIMIT
    history = await v.list_order_history(ListOrdersRequest())
    assert handle.id in {o.id for o in history}


async def test_a_close_larger_than_the_position_closes_all_of_it(venue: tuple[AlpacaVenue, Any]) -> None:
    v, fake = venue
    await v.submit_order(limit(order_type=OrderType.MARKET, limit_price=None))
    async with asyncio.timeout(10):
        while not await v.list_positions():
            await asyncio.sleep(0.02)
    closing = await v.close_position("AAPL", ClosePositionRequest(quantity="100"))  # rest.md: all 10
    assert fake.broker.orders[closing.id].qty == Decimal(10)
    async with asyncio.timeout(10):
        while await v.list_positions():
            await asyncio.sleep(0.02)


async def test_refusals_before_any_call(venue: tuple[AlpacaVenue, Any]) -> None:
    v, fake = venue
    with pytest.raises(UnsupportedOperation):
        await v.submit_order(limit(post_only=True))
    with pytest.raises(UnsupportedOperation):
        await v.submit_order(
            limit(symbol="BTC/USD", order_type=OrderType.STOP, limit_price=None, stop_price="1")
        )
    with pytest.raises(SymbolNotFound):
        await v.submit_order(limit(symbol="NOPE"))
    with pytest.raises(OrderRejected) as caught:
        await v.submit_order(limit(side=Side.SELL, reduce_only=True))
    assert caught.value.details["reject_code"] == "REDUCE_ONLY_VIOLATED"
    with pytest.raises(ValidationError):
        await v.submit_order(limit(client_order_id="x" * 49))
    assert order_count(fake) == 0


async def test_live_needs_both_opt_ins(tmp_path: Path) -> None:
    async with fakes.FakeAlpaca() as fake:
        config = AlpacaConfig.from_env(paper=False, env=env_of(fake, tmp_path))
        v = AlpacaVenue(config, TradingPlatform.ALPACA_LIVE, allow_live_orders=True, env={})
        assert v.live
        with pytest.raises(LiveOptInMissing):
            await v.connect()
        assert not config.store_path.exists()  # refused before anything was opened


class _Settings:
    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.live_orders_flag = False


def test_factory_builds_paper_and_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APCA_API_KEY_ID", "PKTESTKEY12345678")
    monkeypatch.setenv("APCA_API_SECRET_KEY", "test-secret-abcdefgh")
    paper = create_venue(_Settings("alpaca-paper"))
    live = create_venue(_Settings("alpaca-live"))
    assert paper.platform == TradingPlatform.ALPACA_PAPER and not paper.live
    assert live.platform == TradingPlatform.ALPACA_LIVE and live.live
    with pytest.raises(ValueError, match="alpaca-paper"):
        create_venue(_Settings("mock"))
    monkeypatch.delenv("APCA_API_SECRET_KEY")
    with pytest.raises(ValueError, match="APCA_API_SECRET_KEY"):  # the gateway prints it and exits 2
        create_venue(_Settings("alpaca-paper"))


async def test_rest_md_error_shapes(venue: tuple[AlpacaVenue, Any]) -> None:
    v, fake = venue
    for call in (
        v.get_order("ord-nope"),
        v.cancel_order("ord-nope"),
        v.modify_order("ord-nope", ModifyOrderRequest()),
    ):
        with pytest.raises(OrderNotFound) as caught:
            await call
        assert caught.value.details == {"resource": "order", "id": "ord-nope"}
    with pytest.raises(OrderNotFound):  # an id that is no path segment is still just unknown, never a 500
        await v.get_order("\x00/../x")
    with pytest.raises(PositionNotFound) as missing:
        await v.get_position("pos-NOPE")
    assert missing.value.details == {"resource": "position", "id": "pos-NOPE"}
    assert await v.list_orders(ListOrdersRequest(symbol="AAPLX")) == []  # a filter, not a lookup
    with pytest.raises(SymbolNotFound) as unknown:
        await v.get_quote("NOPE123")
    assert unknown.value.details == {"symbol": "NOPE123"}
    stop = await v.submit_order(limit(order_type=OrderType.STOP, limit_price=None, stop_price="500"))
    with pytest.raises(OrderNotModifiable) as refused:  # a STOP has no limit_price
        await v.modify_order(stop.id, ModifyOrderRequest(limit_price="1"))
    assert refused.value.details == {"order_id": stop.id}
    same = await v.modify_order(stop.id, ModifyOrderRequest())  # an empty PATCH changes nothing
    assert same.previous_order_id is None and same.order is not None and same.order.id == stop.id
    filled = await v.submit_order(limit(limit_price="300"))
    fake.fill(filled.id)
    for call in (v.cancel_order(filled.id), v.modify_order(filled.id, ModifyOrderRequest(limit_price="2"))):
        with pytest.raises(OrderNotModifiable) as finished:
            await call
        assert finished.value.details == {"order_id": filled.id}


async def test_client_order_id_is_echoed_only_when_given(venue: tuple[AlpacaVenue, Any]) -> None:
    v, fake = venue
    mine = await v.submit_order(limit(client_order_id="mine-9"))
    anon = await v.submit_order(limit())
    assert mine.client_order_id == "mine-9" and anon.client_order_id is None
    # Alpaca needs an id on every order: the adapter's own, which rest.md never echoes.
    assert fake.broker.orders[anon.id].client_order_id.startswith("tw-")
    assert (await v.get_order(anon.id)).client_order_id is None
    listed = {o.id: o.client_order_id for o in await v.list_orders(ListOrdersRequest())}
    assert listed == {mine.id: "mine-9", anon.id: None}
    # A modify is a new Alpaca order (new id): the client's id carries over to it; none stays none.
    kept = await v.modify_order(mine.id, ModifyOrderRequest(limit_price="149"))
    still_none = await v.modify_order(anon.id, ModifyOrderRequest(limit_price="149"))
    assert kept.order is not None and still_none.order is not None
    assert kept.order.client_order_id == "mine-9" and still_none.order.client_order_id is None
    assert (await v.get_order(kept.order.id)).client_order_id == "mine-9"
    found = await v.list_orders(ListOrdersRequest(client_order_id="mine-9"))
    assert [o.id for o in found] == [kept.order.id]
