"""The Alpaca REST client over real HTTP on 127.0.0.1: shapes, errors, rate-limit headers, idempotent submit."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from alpaca_wire import MiniAlpaca, env, serve

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

ORDER = {
    "symbol": "AAPL",
    "qty": "10",
    "side": "buy",
    "type": "limit",
    "time_in_force": "day",
    "limit_price": "99",
}


def client(base: str, tmp_path: object, **kw: object) -> AlpacaHttp:
    return AlpacaHttp(AlpacaConfig.from_env(paper=True, env=env(base, f"{tmp_path}/s.sqlite3")), **kw)  # type: ignore[arg-type]


async def test_submit_get_replace_cancel(tmp_path: object) -> None:
    alpaca = MiniAlpaca()
    async with serve(alpaca) as base:
        http = client(base, tmp_path)
        order = await http.submit({**ORDER, "client_order_id": "c-1"})
        assert order["status"] == "new" and order["qty"] == "10"
        assert (await http.get_order(order["id"]))["id"] == order["id"]
        found = await http.find_by_client_id("c-1")
        assert found is not None and found["id"] == order["id"]
        assert await http.find_by_client_id("nope") is None
        new = await http.replace_order(order["id"], {"limit_price": "98"})
        assert new["id"] != order["id"] and new["replaces"] == order["id"] and new["limit_price"] == "98"
        await http.cancel_order(new["id"])
        assert (await http.get_order(new["id"]))["status"] == "canceled"
        with pytest.raises(OrderNotModifiable):
            await http.cancel_order(new["id"])
        with pytest.raises(OrderNotFound):
            await http.get_order("00000000-0000-0000-0000-000000000000")
        await http.aclose()


async def test_cancel_all_207_positions_close_account_activities(tmp_path: object) -> None:
    alpaca = MiniAlpaca(price=Decimal("187.5"))
    async with serve(alpaca) as base:
        http = client(base, tmp_path)
        await http.submit({**ORDER, "client_order_id": "a"})
        await http.submit({**ORDER, "client_order_id": "b"})
        cancelled = await http.cancel_all()
        assert len(cancelled) == 2 and all(row["status"] == 200 for row in cancelled)
        await http.submit({**ORDER, "type": "market", "limit_price": None, "client_order_id": "m"})
        positions = await http.positions()
        assert [p["symbol"] for p in positions] == ["AAPL"] and positions[0]["qty"] == "10"
        assert (await http.position("AAPL"))["avg_entry_price"] == "187.5"
        account = await http.account()
        assert account["cash"] == "98125"
        fills = await http.fill_activities()
        assert [(f["qty"], f["cum_qty"]) for f in fills] == [("10", "10")]
        closing = await http.close_position("AAPL", qty="4")
        assert closing["side"] == "sell" and closing["qty"] == "4"
        assert len(await http.close_all()) == 1
        with pytest.raises(PositionNotFound):
            await http.position("AAPL")
        assert (await http.clock())["is_open"] is True
        await http.aclose()


async def test_market_data_numbers_arrive_as_decimals(tmp_path: object) -> None:
    async with serve(MiniAlpaca(price=Decimal("173.22"))) as base:
        http = client(base, tmp_path)
        quote = await http.latest_quote("AAPL", crypto=False)
        assert quote["bp"] == Decimal("172.22") and not isinstance(quote["bp"], float)
        bars = await http.bars("AAPL", False, "1Min", start=None, end=None, limit=10)
        assert bars[0]["h"] == Decimal("2.25")
        await http.aclose()


async def test_wrong_keys_are_unauthorized(tmp_path: object) -> None:
    async with serve(MiniAlpaca()) as base:
        config = AlpacaConfig.from_env(
            paper=True, env={**env(base, f"{tmp_path}/s"), "APCA_API_SECRET_KEY": "wrong-secret-123"}
        )
        http = AlpacaHttp(config)
        with pytest.raises(AuthenticationError):
            await http.account()
        await http.aclose()


async def test_429_blocks_the_limiter_until_the_reset(tmp_path: object) -> None:
    alpaca = MiniAlpaca()
    alpaca.faults.rate_limited, alpaca.faults.reset_in = 1, 30
    async with serve(alpaca) as base:
        http = client(base, tmp_path, limiter=RateLimiter(200, 60.0, time.monotonic, max_wait=0.5))
        with pytest.raises(RateLimited) as caught:
            await http.account()
        assert caught.value.details["retry_after_seconds"] >= 1
        sent = len(alpaca.requests)
        with pytest.raises(RateLimited):  # shed by our limiter: never sent into the broker's limit
            await http.account()
        assert len(alpaca.requests) == sent
        await http.aclose()


async def test_headers_correct_the_budget(tmp_path: object) -> None:
    async with serve(MiniAlpaca()) as base:
        http = client(base, tmp_path)
        await http.account()
        assert http.limiter.remaining == 150  # X-Ratelimit-Remaining of the answer
        await http.aclose()


async def test_500_after_create_is_adopted_never_duplicated(tmp_path: object) -> None:
    alpaca = MiniAlpaca()
    alpaca.faults.error_after_create = 1
    async with serve(alpaca) as base:
        http = client(base, tmp_path)
        result = await submit_idempotent(http, "c-500", {**ORDER, "client_order_id": "c-500"}, pause=0)
        assert result.adopted and result.sends == 1
        assert len(alpaca.orders) == 1
        await http.aclose()


async def test_timeout_after_create_is_adopted_never_duplicated(tmp_path: object) -> None:
    alpaca = MiniAlpaca()
    alpaca.faults.slow_submit, alpaca.faults.slow_submits = 1.0, 1
    async with serve(alpaca) as base:
        http = client(base, tmp_path, timeout=0.3)
        result = await submit_idempotent(http, "c-slow", {**ORDER, "client_order_id": "c-slow"}, pause=0)
        assert result.adopted and len(alpaca.orders) == 1
        await http.aclose()


async def test_duplicate_client_id_is_adopted(tmp_path: object) -> None:
    alpaca = MiniAlpaca()
    async with serve(alpaca) as base:
        http = client(base, tmp_path)
        first = await http.submit({**ORDER, "client_order_id": "dup"})
        again = await submit_idempotent(http, "dup", {**ORDER, "client_order_id": "dup"}, pause=0)
        assert again.adopted and again.order["id"] == first["id"] and len(alpaca.orders) == 1
        await http.aclose()
