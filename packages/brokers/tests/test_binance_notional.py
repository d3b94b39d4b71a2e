"""MARKET orders sized by quote notional on Binance (`quoteOrderQty`), against the testkit's fake Binance:
buy and sell, flooring to the quote precision, the NOTIONAL filter, symbols that refuse them, reduce-only,
idempotent submit, the echo of `notional` on REST and the stream, and a resync after a gap."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tradewire.protocol import order_rules
from tradewire.protocol.errors import OrderRejected, UnsupportedOperation, ValidationError
from tradewire.protocol.messages import (
    OrderStatus,
    OrderType,
    Side,
    SubmitOrderRequest,
)

fakes = pytest.importorskip("tradewire.testkit.fakes.binance")
from binance_live import Live, venue_for  # noqa: E402

from tradewire.testkit.fakes.binance.config import default_symbols  # noqa: E402

#: BTCUSDT keeps two decimals of USDT (so flooring shows); ETHUSDT takes no quoteOrderQty at all.
SYMBOLS = [
    replace(s, quote_precision=2) if s.symbol == "BTCUSDT" else replace(s, quote_market_allowed=False)
    for s in default_symbols()
]


def by_notional(notional: str, **kw: object) -> SubmitOrderRequest:
    base: dict[str, object] = {
        "symbol": "BTCUSDT",
        "side": Side.BUY,
        "notional": notional,
        "order_type": OrderType.MARKET,
    }
    return SubmitOrderRequest(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    async with fakes.FakeBinance(symbols=SYMBOLS) as fake:
        venue = venue_for(fake, tmp_path / "s")
        await venue.connect()
        harness = Live(fake, venue)
        yield harness
        await harness.close()


def sent(fake: Any) -> list[Any]:
    """The orders the fake Binance holds, oldest first."""
    return sorted(fake.exchange.orders.values(), key=lambda o: (o.symbol, o.order_id))


async def test_a_buy_by_notional_spends_at_most_the_notional_floored_to_the_quote_precision(
    live: Live,
) -> None:
    handle = await live.venue.submit_order(by_notional("100.129"))
    assert handle.status == OrderStatus.FILLED
    [at_binance] = sent(live.fake)
    assert (at_binance.quote_qty, at_binance.qty) == (Decimal("100.12"), at_binance.executed)
    assert 0 < at_binance.cum_quote <= Decimal("100.12")
    got = await live.venue.get_order(handle.id)
    # rest.md: the echo is the floored notional; quantity is what Binance names (all of it filled).
    assert got.notional == "100.12" and got.quantity == got.filled_quantity == "0.00166"
    assert got.remaining_quantity == "0" and got.status == OrderStatus.FILLED
    await live.until("ORDER_FILLED")
    [created], [filled] = live.orders("ORDER_CREATED"), live.orders("ORDER_FILLED")
    assert (created.notional, created.quantity, created.remaining_quantity) == ("100.12", "0", "0")
    assert (filled.notional, filled.quantity, filled.filled_quantity) == ("100.12", "0.00166", "0.00166")
    assert [oid for _, oid in live.trades()] == [handle.id]


async def test_a_sell_by_notional_receives_at_most_the_notional(live: Live) -> None:
    held = live.venue.book.held("BTC")
    handle = await live.venue.submit_order(by_notional("120", side=Side.SELL))
    await live.until("ORDER_FILLED")
    got = await live.venue.get_order(handle.id)
    assert (got.side, got.notional, got.status) == (Side.SELL, "120", OrderStatus.FILLED)
    sold = Decimal(got.quantity)
    assert sold > 0 and sold * Decimal(got.average_fill_price or "0") <= Decimal(120)
    assert live.venue.book.held("BTC") == held - sold
    [filled] = live.orders("ORDER_FILLED")
    assert (filled.notional, filled.quantity) == ("120", got.quantity)


async def test_a_notional_below_the_notional_filter_is_refused_before_sending(live: Live) -> None:
    with pytest.raises(OrderRejected) as caught:
        await live.venue.submit_order(by_notional("4.999"))  # floored to 4.99 < 5 USDT
    assert caught.value.details["filter"] == "NOTIONAL"
    assert caught.value.details["reject_code"] == "INVALID_QUANTITY"
    assert sent(live.fake) == []


async def test_a_notional_below_one_unit_of_the_quote_precision_is_refused(live: Live) -> None:
    with pytest.raises(OrderRejected) as caught:
        await live.venue.submit_order(by_notional("0.001"))
    assert caught.value.details["field"] == "notional" and sent(live.fake) == []


async def test_a_symbol_without_quote_order_qty_answers_501_naming_notional(live: Live) -> None:
    with pytest.raises(UnsupportedOperation) as caught:
        await live.venue.submit_order(by_notional("100", symbol="ETHUSDT"))
    assert (caught.value.details["platform"], caught.value.details["field"]) == ("binance", "notional")
    assert sent(live.fake) == []


async def test_capabilities_list_notional_orders(live: Live) -> None:
    assert order_rules.NOTIONAL_FEATURE in (await live.venue.capabilities()).features


async def test_reduce_only_by_notional_sells_a_holding_only(live: Live) -> None:
    with pytest.raises(OrderRejected) as caught:
        await live.venue.submit_order(by_notional("100", reduce_only=True))  # a buy adds to the holding
    assert caught.value.details["reject_code"] == "REDUCE_ONLY_VIOLATED"
    handle = await live.venue.submit_order(by_notional("100", side=Side.SELL, reduce_only=True))
    assert handle.status == OrderStatus.FILLED and len(sent(live.fake)) == 1


async def test_a_repeated_client_order_id_returns_the_order_sized_by_notional(live: Live) -> None:
    first = await live.venue.submit_order(by_notional("100", client_order_id="by-notional-1"))
    again = await live.venue.submit_order(by_notional("100.00", client_order_id="by-notional-1"))
    assert again.id == first.id and len(sent(live.fake)) == 1
    with pytest.raises(ValidationError):  # the same id for another amount is another order
        await live.venue.submit_order(by_notional("101", client_order_id="by-notional-1"))
    assert len(sent(live.fake)) == 1


@pytest.mark.parametrize("fault", ["server_error_after", "timeout_after", "drop_connection_after"])
async def test_an_unknown_outcome_of_a_notional_order_fills_once(live: Live, fault: str) -> None:
    getattr(live.fake.faults, fault)()
    handle = await live.venue.submit_order(by_notional("100"))
    await live.until("ORDER_FILLED")
    await asyncio.sleep(0.3)  # anything late would show now
    assert len(sent(live.fake)) == 1 and [oid for _, oid in live.trades()] == [handle.id]
    assert [o.notional for o in live.orders("ORDER_FILLED")] == ["100"]


async def test_more_than_the_balance_by_notional_is_binances_refusal(live: Live) -> None:
    # No estimate before sending (none is made for quantities either): Binance's -2010 answers.
    for side, notional in ((Side.BUY, "200000"), (Side.SELL, "130000")):  # 100 000 USDT, 1 BTC held
        with pytest.raises(OrderRejected) as caught:
            await live.venue.submit_order(by_notional(notional, side=side))
        assert caught.value.details["reject_code"] == "INSUFFICIENT_FUNDS"
        assert caught.value.details["broker"]["code"] == -2010
    assert sent(live.fake) == []


async def test_a_notional_order_filled_while_the_socket_was_down_is_reported_once(live: Live) -> None:
    await live.venue.submit_order(by_notional("50"))  # one fill first: Binance's last trade id is known
    await live.until("TRADE_FILLED")
    live.fake.drop_sockets()
    ours = await live.venue.submit_order(by_notional("60"))  # its answer alone tells of it
    # Placed directly (as another client of the account would) while no socket listens.
    params = [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quoteOrderQty", "70"),
              ("newClientOrderId", "elsewhere-notional")]  # fmt: skip
    body = await live.venue.http.new_order(params)
    theirs = f"BTCUSDT-{body['orderId']}"
    await live.until("BROKER_RECONNECTED")
    await asyncio.sleep(0.5)
    for order_id, notional in ((ours.id, "60"), (theirs, "70")):
        filled = [o for o in live.orders("ORDER_FILLED") if o.id == order_id]
        assert [o.notional for o in filled] == [notional]
        assert filled[0].quantity == filled[0].filled_quantity != "0"
        assert [oid for _, oid in live.trades()].count(order_id) == 1
        # Its creation, reported late, shows it as it was placed: no quantity before the first fill.
        created = [(o.notional, o.quantity) for o in live.orders("ORDER_CREATED") if o.id == order_id]
        assert created == [(notional, "0")]


async def test_a_restart_reports_a_notional_order_filled_meanwhile_once_with_its_notional(
    tmp_path: Path,
) -> None:
    async with fakes.FakeBinance(symbols=SYMBOLS) as fake:
        first = Live(fake, venue_for(fake, tmp_path / "s"))
        await first.venue.connect()
        await first.venue.submit_order(by_notional("50"))
        await first.until("TRADE_FILLED")
        await first.close()
        # Filled while no venue of this store ran, by another client of the account.
        other = venue_for(fake, tmp_path / "other")
        await other.connect()
        body = await other.http.new_order(
            [("symbol", "BTCUSDT"), ("side", "SELL"), ("type", "MARKET"), ("quoteOrderQty", "80")]
        )
        await other.close()
        theirs = f"BTCUSDT-{body['orderId']}"
        for run in range(2):  # a second restart has nothing new to say
            again = venue_for(fake, tmp_path / "s")
            await again.connect()
            later = Live(fake, again)
            await asyncio.sleep(0.5)
            await later.close()
            filled = [o for o in later.orders("ORDER_FILLED") if o.id == theirs]
            if run == 0:
                assert [(o.notional, o.side) for o in filled] == [("80", Side.SELL)]
                assert [oid for _, oid in later.trades()] == [theirs]
            else:
                assert filled == [] and later.trades() == []


# -- through the gateway and the SDK ---------------------------------------------------------------
def test_the_gateway_and_the_sdk_take_and_echo_orders_by_notional(
    tmp_path: Path, serve_binance: Callable[..., AbstractContextManager[str]]
) -> None:
    from tradewire.sdk import Client

    with fakes.running_fake(symbols=SYMBOLS) as thread:
        env = {**thread.fake.env(), "TRADEWIRE_BINANCE_STORE": str(tmp_path / "gw.sqlite3")}
        with serve_binance(env, tmp_path / "gateway.log") as url, httpx.Client(base_url=url) as rest:
            assert order_rules.NOTIONAL_FEATURE in rest.get("/v1/capabilities").json()["features"]
            body = {"symbol": "BTC/USDT", "side": "BUY", "notional": "100.129", "order_type": "MARKET"}
            with connect(f"{url.replace('http', 'ws')}/v1/ws") as ws:
                created = rest.post("/v1/orders", json=body)
                assert created.status_code == 201, created.text
                order_id = created.json()["id"]
                seen: dict[str, dict[str, Any]] = {}
                while "ORDER_FILLED" not in seen:
                    message = json.loads(ws.recv(timeout=10))
                    order = message.get("order")
                    if isinstance(order, dict) and order.get("id") == order_id:
                        seen[str(message["event"])] = order
            assert {e: (o["notional"], o["quantity"]) for e, o in seen.items()} == {
                "ORDER_CREATED": ("100.12", "0"),
                "ORDER_FILLED": ("100.12", "0.00166"),
            }
            got = rest.get(f"/v1/orders/{order_id}").json()
            assert (got["notional"], got["quantity"], got["remaining_quantity"]) == ("100.12", "0.00166", "0")
            small = rest.post("/v1/orders", json={**body, "notional": "4"})
            assert small.status_code == 422 and small.json()["details"]["filter"] == "NOTIONAL"
            eth = rest.post("/v1/orders", json={**body, "symbol": "ETHUSDT"})
            assert eth.status_code == 501 and eth.json()["details"]["field"] == "notional"
            with Client(url) as client:
                request = SubmitOrderRequest(
                    symbol="BTCUSDT", side=Side.SELL, order_type=OrderType.MARKET, notional="90",
                    client_order_id="sdk-notional-1",
                )  # fmt: skip
                handle = client.submit_order(request)
                assert client.submit_order(request).id == handle.id  # idempotent: the same order
                sold = client.get_order(handle.id)
                assert (sold.notional, sold.status) == ("90", OrderStatus.FILLED)
                assert Decimal(sold.quantity) > 0
