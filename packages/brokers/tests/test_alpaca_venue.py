"""The Alpaca Venue in process against a real HTTP/WebSocket server on 127.0.0.1, and through the gateway:
`tradewire-gateway serve --platform alpaca-paper` with Alpaca's environment pointing at that server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from alpaca_wire import MiniAlpaca, env, serve

from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.factory import create_venue
from tradewire.brokers.alpaca.venue import AlpacaVenue
from tradewire.protocol.errors import OrderRejected, SymbolNotFound, UnsupportedOperation, ValidationError
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


@pytest.fixture
async def venue(tmp_path: Path) -> AsyncIterator[tuple[AlpacaVenue, MiniAlpaca]]:
    alpaca = MiniAlpaca(price=Decimal("100"))
    async with serve(alpaca) as base:
        config = AlpacaConfig.from_env(paper=True, env=env(base, str(tmp_path / "s.sqlite3")))
        v = AlpacaVenue(config, TradingPlatform.ALPACA_PAPER)
        await v.connect()
        yield v, alpaca
        await v.close()


def limit(**kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "AAPL",
        "side": Side.BUY,
        "quantity": "10",
        "order_type": OrderType.LIMIT,
        "limit_price": "99.504",
        "time_in_force": TimeInForce.DAY,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


async def test_submit_normalizes_modify_cancel(venue: tuple[AlpacaVenue, MiniAlpaca]) -> None:
    v, alpaca = venue
    handle = await v.submit_order(limit(client_order_id="mine-1"))
    assert handle.status == OrderStatus.OPEN and handle.client_order_id == "mine-1"
    sent = alpaca.orders[handle.id]
    assert sent["limit_price"] == "99.5"  # a buy limit moved down to the cent grid before sending
    again = await v.submit_order(limit(client_order_id="mine-1"))
    assert again.id == handle.id and len(alpaca.orders) == 1  # the same order, not a second one
    with pytest.raises(ValidationError):  # the same client id for a different order
        await v.submit_order(limit(client_order_id="mine-1", quantity="11"))
    [working] = await v.list_orders(ListOrdersRequest())
    assert working.id == handle.id
    modified = await v.modify_order(handle.id, ModifyOrderRequest(limit_price="98"))
    assert modified.previous_order_id == handle.id and modified.order is not None
    assert modified.order.id != handle.id and modified.order.limit_price == "98"
    result = await v.cancel_order(modified.order.id)
    assert result.success and result.order is not None and result.order.status == OrderStatus.CANCELLED
    assert (await v.cancel_order(modified.order.id)).success  # idempotent
    history = await v.list_order_history(ListOrdersRequest())
    assert {o.status for o in history} == {OrderStatus.CANCELLED}


async def test_a_reused_client_id_at_the_broker_is_adopted_only_for_the_same_order(
    venue: tuple[AlpacaVenue, MiniAlpaca],
) -> None:
    v, alpaca = venue
    # Orders Alpaca holds under client ids this venue's store never saw (another process, a lost store).
    same = await v.http.submit({"symbol": "AAPL", "qty": "10", "side": "buy", "type": "limit",
                                "time_in_force": "day", "limit_price": "99.5", "client_order_id": "elsewhere"})  # fmt: skip
    handle = await v.submit_order(limit(client_order_id="elsewhere"))
    assert handle.id == same["id"] and len(alpaca.orders) == 1
    await v.http.submit({"symbol": "AAPL", "qty": "1", "side": "sell", "type": "market",
                         "time_in_force": "day", "client_order_id": "other"})  # fmt: skip
    with pytest.raises(ValidationError):
        await v.submit_order(limit(client_order_id="other"))
    assert len(alpaca.orders) == 2


async def test_positions_account_trades_close(venue: tuple[AlpacaVenue, MiniAlpaca]) -> None:
    v, _ = venue
    await v.submit_order(limit(order_type=OrderType.MARKET, limit_price=None, time_in_force=None))
    [position] = await v.list_positions()
    assert (position.symbol, position.quantity, position.average_entry_price) == ("AAPL", "10", "100")
    assert (await v.get_position("AAPL")).quantity == "10"
    account = await v.get_account()
    assert account.balance == "99000" and account.currency == "USD"
    [trade] = await v.list_trades(ListTradesRequest())
    assert (trade.quantity, trade.price) == ("10", "100")
    handle = await v.close_position("AAPL", ClosePositionRequest(quantity="4"))
    assert (await v.get_order(handle.id)).side == Side.SELL
    assert len(await v.close_all_positions()) == 1
    assert await v.list_positions() == []


async def test_refusals_before_any_call(venue: tuple[AlpacaVenue, MiniAlpaca]) -> None:
    v, alpaca = venue
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
    assert not any(method == "POST" for method, _ in alpaca.requests)


async def test_the_venue_streams_events(venue: tuple[AlpacaVenue, MiniAlpaca]) -> None:
    v, _ = venue
    await v.submit_order(limit(order_type=OrderType.MARKET, limit_price=None))
    seen: list[str] = []
    async with asyncio.timeout(10):
        async for batch in v.stream():
            for m in batch.messages:
                kind = m.order or m.trade or m.position or m.account or m.connection
                assert kind is not None
                seen.append(kind.event.name)
            if "BALANCE_UPDATED" in seen:
                break
    assert seen[:3] == ["ORDER_CREATED", "TRADE_FILLED", "ORDER_FILLED"]


async def test_live_needs_both_opt_ins(tmp_path: Path) -> None:
    async with serve(MiniAlpaca()) as base:
        config = AlpacaConfig.from_env(paper=False, env=env(base, str(tmp_path / "s")))
        v = AlpacaVenue(config, TradingPlatform.ALPACA_LIVE, allow_live_orders=True, env={})
        assert v.live
        with pytest.raises(LiveOptInMissing):
            await v.connect()


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


# -- through the gateway ----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_gateway_serves_alpaca_paper(tmp_path: Path) -> None:
    alpaca = MiniAlpaca(price=Decimal("100"))
    async with serve(alpaca) as base:
        port = _free_port()
        child_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TRADEWIRE_", "APCA_", "GATEWAY_"))
        }
        child_env |= env(base, str(tmp_path / "gw.sqlite3"))
        log = (tmp_path / "gateway.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "tradewire.gateway.cli", "serve", "--platform", "alpaca-paper",
             "--port", str(port)],
            env=child_env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                async with asyncio.timeout(30):
                    while True:
                        assert process.poll() is None, (tmp_path / "gateway.log").read_text()
                        with contextlib.suppress(httpx.TransportError):
                            if (await client.get("/readyz")).status_code == 200:
                                break
                        await asyncio.sleep(0.1)
                order = {"symbol": "AAPL", "side": "BUY", "quantity": "5", "order_type": "LIMIT",
                         "limit_price": "90", "time_in_force": "DAY"}  # fmt: skip
                created = await client.post("/v1/orders", json=order)
                assert created.status_code == 201, created.text
                order_id = created.json()["id"]
                assert alpaca.orders[order_id]["qty"] == "5"
                got = await client.get(f"/v1/orders/{order_id}")
                assert got.json()["status"] == "OPEN"
                cancelled = await client.delete(f"/v1/orders/{order_id}")
                assert cancelled.status_code == 200, cancelled.text
                assert alpaca.orders[order_id]["status"] == "canceled"
                market = {"symbol": "AAPL", "side": "BUY", "quantity": "3", "order_type": "MARKET"}
                assert (await client.post("/v1/orders", json=market)).status_code == 201
                answer = await client.get("/v1/positions")
                assert answer.status_code == 200, (tmp_path / "gateway.log").read_text()
                positions = answer.json()
                assert [(p["symbol"], p["quantity"]) for p in positions] == [("AAPL", "3")]
                refused = await client.post("/v1/orders", json={**order, "post_only": True})
                assert refused.status_code == 501 and refused.json()["code"] == "UNSUPPORTED_OPERATION"
                account = (await client.get("/v1/account")).json()
                assert account["balance"] == "99700"
        finally:
            process.terminate()
            process.wait(15)
            log.close()
