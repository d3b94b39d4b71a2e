"""The Alpaca REST client over real HTTP against the testkit's fake Alpaca: shapes, errors, rate-limit
headers, and idempotent submit through each injected fault."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from tradewire.brokers._live.ratelimit import RateLimiter
from tradewire.brokers._live.submit import submit_idempotent
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.http import AlpacaHttp
from tradewire.protocol.errors import (
    AuthenticationError,
    OrderNotFound,
    OrderNotModifiable,
    PositionNotFound,
    RateLimited,
)

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")

ORDER = {
    "symbol": "AAPL",
    "qty": "10",
    "side": "buy",
    "type": "limit",
    "time_in_force": "day",
    "limit_price": "150",
}
MARKET = {"symbol": "AAPL", "qty": "10", "side": "buy", "type": "market", "time_in_force": "day"}


def client(fake: object, tmp_path: Path, **kw: object) -> AlpacaHttp:
    env = {**fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s")}  # type: ignore[attr-defined]
    return AlpacaHttp(AlpacaConfig.from_env(paper=True, env=env), **kw)  # type: ignore[arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[object]:
    async with fakes.FakeAlpaca() as running:
        yield running


async def test_submit_get_replace_cancel(fake: object, tmp_path: Path) -> None:
    http = client(fake, tmp_path)
    order = await http.submit({**ORDER, "client_order_id": "c-1"})
    assert order["status"] in ("new", "accepted", "pending_new") and order["qty"] == "10"
    assert (await http.get_order(order["id"]))["id"] == order["id"]
    found = await http.find_by_client_id("c-1")
    assert found is not None and found["id"] == order["id"]
    assert await http.find_by_client_id("nope") is None
    new = await http.replace_order(order["id"], {"limit_price": "149"})
    assert new["id"] != order["id"] and new["replaces"] == order["id"] and new["limit_price"] == "149"
    await http.cancel_order(new["id"])
    assert (await http.get_order(new["id"]))["status"] in ("canceled", "pending_cancel")
    with pytest.raises(OrderNotFound):
        await http.get_order("00000000-0000-0000-0000-000000000000")
    await http.aclose()


async def test_a_filled_order_is_not_cancelable(fake: object, tmp_path: Path) -> None:
    http = client(fake, tmp_path)
    order = await http.submit({**ORDER, "client_order_id": "f-1"})
    fake.fill(order["id"])  # type: ignore[attr-defined]
    with pytest.raises(OrderNotModifiable):
        await http.cancel_order(order["id"])
    await http.aclose()


async def test_cancel_all_207_positions_close_account_activities(fake: object, tmp_path: Path) -> None:
    http = client(fake, tmp_path)
    await http.submit({**ORDER, "client_order_id": "a"})
    await http.submit({**ORDER, "client_order_id": "b"})
    cancelled = await http.cancel_all()
    assert len(cancelled) == 2 and all(row["status"] == 200 for row in cancelled)
    order = await http.submit({**MARKET, "client_order_id": "m"})
    fake.fill(order["id"])  # type: ignore[attr-defined]
    [position] = await http.positions()
    assert (position["symbol"], position["qty"]) == ("AAPL", "10")
    assert isinstance(position["avg_entry_price"], str)  # strings on the trading API, parsed exactly
    account = await http.account()
    assert Decimal(account["cash"]) < Decimal("100000")
    fills = await http.fill_activities()
    assert [(f["qty"], f["cum_qty"], f["order_id"]) for f in fills] == [("10", "10", order["id"])]
    closing = await http.close_position("AAPL", qty="4")
    assert closing["side"] == "sell" and closing["qty"] == "4"
    fake.fill(closing["id"])  # type: ignore[attr-defined]
    assert len(await http.close_all()) == 1
    assert "is_open" in await http.clock()
    await http.aclose()


async def test_position_not_found(fake: object, tmp_path: Path) -> None:
    http = client(fake, tmp_path)
    with pytest.raises(PositionNotFound):
        await http.position("AAPL")
    await http.aclose()


async def test_market_data_numbers_arrive_as_decimals(fake: object, tmp_path: Path) -> None:
    http = client(fake, tmp_path)
    quote = await http.latest_quote("AAPL", crypto=False)
    assert isinstance(quote["bp"], Decimal) and quote["bp"] < quote["ap"]
    crypto = await http.latest_quote("BTC/USD", crypto=True)
    assert not isinstance(crypto["ap"], float)
    await http.aclose()


async def test_wrong_keys_are_unauthorized(fake: object, tmp_path: Path) -> None:
    env = {**fake.env(), "APCA_API_SECRET_KEY": "wrong-secret-123"}  # type: ignore[attr-defined]
    http = AlpacaHttp(AlpacaConfig.from_env(paper=True, env=env))
    with pytest.raises(AuthenticationError):
        await http.account()
    await http.aclose()


async def test_429_blocks_the_limiter_until_the_reset(fake: object, tmp_path: Path) -> None:
    fake.faults.rate_limit("GET", "/v2/account", reset_in=30)  # type: ignore[attr-defined]
    http = client(fake, tmp_path, limiter=RateLimiter(200, 60.0, time.monotonic, max_wait=0.5))
    with pytest.raises(RateLimited) as caught:
        await http.account()
    assert caught.value.details["retry_after_seconds"] >= 1
    with pytest.raises(RateLimited):  # shed by our limiter: never sent into the broker's limit
        await http.positions()
    await http.aclose()


async def test_headers_correct_the_budget(fake: object, tmp_path: Path) -> None:
    http = client(fake, tmp_path)
    await http.account()
    await http.account()
    assert http.limiter.remaining <= 198  # X-Ratelimit-Remaining of the answer, not only our count
    await http.aclose()


@pytest.mark.parametrize("fault", ["server_error_after", "drop_connection_after", "duplicate_after"])
async def test_unknown_outcomes_are_adopted_never_duplicated(
    fake: object, tmp_path: Path, fault: str
) -> None:
    getattr(fake.faults, fault)()  # type: ignore[attr-defined]
    http = client(fake, tmp_path)
    result = await submit_idempotent(http, "c-x", {**ORDER, "client_order_id": "c-x"}, pause=0)
    orders = await http.list_orders("all")
    assert [o["id"] for o in orders] == [result.order["id"]], result
    await http.aclose()


async def test_timeout_after_create_is_adopted_never_duplicated(fake: object, tmp_path: Path) -> None:
    fake.faults.delay(1.0, "POST", "/v2/orders")  # type: ignore[attr-defined]
    http = client(fake, tmp_path, timeout=0.3)
    # The fake handles the first send only after its delay: the lookup finds nothing, the resend
    # creates the order, and the late first send then meets Alpaca's duplicate client id check.
    result = await submit_idempotent(http, "c-slow", {**ORDER, "client_order_id": "c-slow"}, pause=0)
    await asyncio.sleep(1.0)
    orders = await http.list_orders("all")
    assert [o["id"] for o in orders] == [result.order["id"]]
    await http.aclose()
