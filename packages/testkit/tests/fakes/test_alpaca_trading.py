"""The fake's Trading API over real HTTP on 127.0.0.1: auth, orders of every type and class, positions."""

from __future__ import annotations

import httpx
from alpaca_fake_helpers import D, event, submit

from tradewire.testkit.fakes.alpaca import FakeAlpaca


async def test_auth_missing_headers_403_wrong_keys_401(fake: FakeAlpaca) -> None:
    async with httpx.AsyncClient(base_url=fake.base_url) as client:
        bare = await client.get("/v2/account")
        wrong = await client.get("/v2/account", headers={"APCA-API-KEY-ID": "x", "APCA-API-SECRET-KEY": "y"})
    assert (bare.status_code, bare.json()) == (403, {"message": "forbidden."})
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"code": 40110000, "message": "request is not authorized"},
    )


async def test_every_answer_carries_the_rate_window(http: httpx.AsyncClient) -> None:
    first, second = await http.get("/v2/account"), await http.get("/v2/orders/nope")
    assert second.status_code == 404
    assert first.headers["X-Ratelimit-Limit"] == "200"
    assert int(first.headers["X-Ratelimit-Remaining"]) == int(second.headers["X-Ratelimit-Remaining"]) + 1
    assert int(second.headers["X-Ratelimit-Reset"]) > 0


async def test_market_buy_fills_at_the_ask_into_position_account_and_activity(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    order = await submit(http, qty="10")
    assert (order["status"], order["qty"], order["filled_qty"], order["order_class"]) == (
        "new",
        "10",
        "0",
        "",
    )
    fill = await stream.until(event("fill", order["id"]))
    assert (fill["price"], fill["qty"], fill["position_qty"]) == ("187.51", "10", "10")
    assert fill["order"]["filled_avg_price"] == "187.51" and fill["order"]["status"] == "filled"
    position = (await http.get("/v2/positions/AAPL")).json()
    assert (position["qty"], position["avg_entry_price"], position["side"]) == ("10", "187.51", "long")
    account = (await http.get("/v2/account")).json()
    assert D(account["cash"]) == D("100000") - D("1875.1")
    assert D(account["equity"]) == D(account["cash"]) + D(position["market_value"])
    [activity] = (await http.get("/v2/account/activities/FILL")).json()
    assert (activity["order_id"], activity["type"], activity["cum_qty"]) == (order["id"], "fill", "10")


async def test_limit_rests_then_fills_when_the_scripted_path_crosses(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    order = await submit(http, type="limit", limit_price="186.00", time_in_force="gtc")
    fake.set_path("AAPL", ["187.00", "185.99"])
    fake.step("AAPL")
    assert (await http.get(f"/v2/orders/{order['id']}")).json()["status"] == "new"
    fake.step("AAPL")
    fill = await stream.until(event("fill", order["id"]))
    assert fill["price"] == "186"  # the ask (185.99 + 0.01) crossed the limit


async def test_stop_stop_limit_and_trailing_stop_trigger_on_the_path(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    await submit(http, qty="30")
    await stream.until(event("fill"))
    stop = await submit(http, side="sell", type="stop", stop_price="185", qty="10")
    stop_limit = await submit(
        http, side="sell", type="stop_limit", stop_price="190", limit_price="189", qty="10"
    )
    trailing = await submit(http, side="sell", type="trailing_stop", trail_price="2", qty="10")
    assert trailing["hwm"] == "187.5" and trailing["stop_price"] == "185.5"
    fake.set_path("AAPL", ["191", "188.5", "184.9"])
    fake.step("AAPL")  # 191: the stop_limit triggers, its limit 189 fills at the bid 190.99; hwm 191
    assert (await stream.until(event("fill", stop_limit["id"])))["price"] == "190.99"
    fake.step("AAPL")  # 188.5 <= 191 - 2: the trailing stop fires
    assert (await stream.until(event("fill", trailing["id"])))["price"] == "188.49"
    fake.step("AAPL")  # 184.9 <= 185: the stop fires
    assert (await stream.until(event("fill", stop["id"])))["position_qty"] == "0"
    assert (await http.get("/v2/positions/AAPL")).json() == {
        "code": 40410000,
        "message": "position does not exist",
    }


async def test_partial_fills_on_demand_then_ioc_and_fok(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    fake.set_liquidity("AAPL", "4")
    order = await submit(http, qty="10", type="limit", limit_price="188")
    first = await stream.until(event("partial_fill", order["id"]))
    assert (first["qty"], first["order"]["filled_qty"], first["order"]["status"]) == (
        "4",
        "4",
        "partially_filled",
    )
    fake.step("AAPL")  # no path: nothing moves, so match by hand
    fake.fill(order["id"], "6", "187.49")
    done = await stream.until(event("fill", order["id"]))
    assert (done["qty"], done["price"], done["position_qty"]) == ("6", "187.49", "10")
    assert done["order"]["filled_avg_price"] == "187.498"  # (4 * 187.51 + 6 * 187.49) / 10
    ioc = await submit(http, qty="10", time_in_force="ioc")
    assert (await stream.until(event("partial_fill", ioc["id"])))["qty"] == "4"
    assert (await stream.until(event("canceled", ioc["id"])))["order"]["filled_qty"] == "4"
    fok = await submit(http, qty="10", time_in_force="fok")
    assert (await stream.until(lambda d: d["order"]["id"] == fok["id"] and d["event"] != "new"))[
        "event"
    ] == "canceled"


async def test_time_in_force_per_asset_class(http: httpx.AsyncClient) -> None:
    day_crypto = await http.post(
        "/v2/orders",
        json={"symbol": "BTC/USD", "qty": "0.01", "side": "buy", "type": "market", "time_in_force": "day"},
    )
    assert day_crypto.status_code == 422 and day_crypto.json()["code"] == 40010001
    stop_crypto = await http.post(
        "/v2/orders",
        json={
            "symbol": "BTC/USD",
            "qty": "0.01",
            "side": "buy",
            "type": "stop",
            "stop_price": "70000",
            "time_in_force": "gtc",
        },
    )
    assert stop_crypto.status_code == 422
    for tif in ("day", "gtc", "opg", "cls", "ioc", "fok"):
        assert (await submit(http, type="limit", limit_price="150", time_in_force=tif, qty="1"))[
            "time_in_force"
        ] == tif


async def test_opg_fills_at_the_open_cls_at_the_close_day_expires(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    fake.close_market()
    assert (await http.get("/v2/clock")).json()["is_open"] is False
    opg = await submit(http, time_in_force="opg", qty="2")
    assert opg["status"] == "accepted"
    fake.open_market()
    assert (await stream.until(event("fill", opg["id"])))["price"] == "187.5"
    cls = await submit(http, time_in_force="cls", qty="1")
    day = await submit(http, type="limit", limit_price="100", qty="1")
    gtc = await submit(http, type="limit", limit_price="100", qty="1", time_in_force="gtc")
    fake.close_market()
    assert (await stream.until(event("fill", cls["id"])))["qty"] == "1"
    await stream.until(event("expired", day["id"]))
    assert (await http.get(f"/v2/orders/{gtc['id']}")).json()["status"] == "new"


async def test_bracket_exits_held_until_entry_fills_then_one_cancels_the_other(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    fake.set_liquidity("AAPL", "6")
    entry = await submit(
        http,
        type="limit",
        limit_price="188",
        order_class="bracket",
        take_profit={"limit_price": "190"},
        stop_loss={"stop_price": "180", "limit_price": "179.5"},
    )
    tp, sl = entry["legs"]
    assert (tp["type"], tp["status"], sl["type"], sl["status"]) == ("limit", "held", "stop_limit", "held")
    await stream.until(event("partial_fill", entry["id"]))
    assert (await http.get(f"/v2/orders/{tp['id']}")).json()["status"] == "held"  # entry not fully filled
    fake.set_liquidity("AAPL", None)
    fake.step()
    fake.broker.match()
    await stream.until(event("fill", entry["id"]))
    await stream.until(event("new", tp["id"]))
    await stream.until(event("new", sl["id"]))
    fake.set_price("AAPL", "190.5")
    assert (await stream.until(event("fill", tp["id"])))["position_qty"] == "0"
    await stream.until(event("canceled", sl["id"]))
    nested = (await http.get(f"/v2/orders/{entry['id']}", params={"nested": "true"})).json()
    assert [leg["status"] for leg in nested["legs"]] == ["filled", "canceled"]
    flat = (await http.get("/v2/orders", params={"status": "all"})).json()
    assert len(flat) == 3
    rolled = (await http.get("/v2/orders", params={"status": "all", "nested": "true"})).json()
    assert [len(o["legs"]) for o in rolled] == [2]


async def test_oto_and_oco(fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream) -> None:
    stream = await open_trade_stream()
    oto = await submit(http, order_class="oto", stop_loss={"stop_price": "180"})
    [leg] = oto["legs"]
    await stream.until(event("fill", oto["id"]))
    await stream.until(event("new", leg["id"]))
    cancel = await http.delete(f"/v2/orders/{leg['id']}")
    assert cancel.status_code == 204
    oco = await submit(
        http,
        side="sell",
        type="limit",
        order_class="oco",
        take_profit={"limit_price": "195"},
        stop_loss={"stop_price": "185"},
    )
    assert oco["status"] == "new" and oco["limit_price"] == "195" and oco["legs"][0]["status"] == "new"
    fake.set_price("AAPL", "184")
    assert (await stream.until(event("fill", oco["legs"][0]["id"])))["position_qty"] == "0"
    await stream.until(event("canceled", oco["id"]))


async def test_client_order_id_unique_and_found_by_client_id(http: httpx.AsyncClient) -> None:
    order = await submit(http, type="limit", limit_price="100", client_order_id="mine-1")
    again = await http.post(
        "/v2/orders",
        json={
            "symbol": "AAPL",
            "qty": "1",
            "side": "buy",
            "type": "market",
            "time_in_force": "day",
            "client_order_id": "mine-1",
        },
    )
    assert (again.status_code, again.json()) == (
        422,
        {"code": 40010001, "message": "client_order_id must be unique"},
    )
    found = await http.get("/v2/orders:by_client_order_id", params={"client_order_id": "mine-1"})
    assert found.json()["id"] == order["id"]
    missing = await http.get("/v2/orders:by_client_order_id", params={"client_order_id": "nope"})
    assert missing.status_code == 404 and missing.json()["code"] == 40410000


async def test_replace_makes_a_new_order_linked_both_ways(http: httpx.AsyncClient, open_trade_stream) -> None:
    stream = await open_trade_stream()
    old = await submit(http, type="limit", limit_price="150", qty="5")
    new = (await http.patch(f"/v2/orders/{old['id']}", json={"limit_price": "151.25", "qty": "7"})).json()
    assert new["id"] != old["id"] and new["replaces"] == old["id"]
    assert (new["limit_price"], new["qty"], new["status"]) == ("151.25", "7", "new")
    replaced = await stream.until(event("replaced", old["id"]))
    assert replaced["order"]["replaced_by"] == new["id"] and replaced["order"]["status"] == "replaced"
    again = await http.patch(f"/v2/orders/{old['id']}", json={"limit_price": "152"})
    assert again.status_code == 422 and again.json()["code"] == 42210000


async def test_cancel_then_not_cancelable_and_cancel_all_207(
    http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    one = await submit(http, type="limit", limit_price="150", qty="1")
    response = await http.delete(f"/v2/orders/{one['id']}")
    assert (response.status_code, response.content) == (204, b"")
    await stream.until(event("canceled", one["id"]))
    again = await http.delete(f"/v2/orders/{one['id']}")
    assert again.status_code == 422 and again.json() == {
        "code": 42210000,
        "message": 'order is already in "canceled" state',
    }
    ids = {(await submit(http, type="limit", limit_price="150", qty="1"))["id"] for _ in range(2)}
    answer = await http.delete("/v2/orders")
    assert answer.status_code == 207
    assert {row["id"] for row in answer.json()} == ids and {row["status"] for row in answer.json()} == {200}
    assert (await http.get("/v2/orders")).json() == []


async def test_positions_net_short_close_and_close_all(
    fake: FakeAlpaca, http: httpx.AsyncClient, open_trade_stream
) -> None:
    stream = await open_trade_stream()
    await submit(http, side="sell", qty="3")
    assert (await stream.until(event("fill")))["position_qty"] == "-3"
    await submit(http, symbol="BTC/USD", qty="0.5", time_in_force="gtc")
    await stream.until(lambda d: d["event"] == "fill" and d["order"]["symbol"] == "BTC/USD")
    rows = {p["symbol"]: p for p in (await http.get("/v2/positions")).json()}
    assert rows["AAPL"]["qty"] == "-3" and rows["AAPL"]["side"] == "short"
    assert rows["BTCUSD"]["exchange"] == "CRYPTO" and rows["BTCUSD"]["qty"] == "0.5"
    assert (await http.get("/v2/positions/BTCUSD")).json()["symbol"] == "BTCUSD"
    partial = (await http.delete("/v2/positions/AAPL", params={"qty": "1"})).json()
    assert (partial["side"], partial["qty"], partial["type"]) == ("buy", "1", "market")
    await stream.until(event("fill", partial["id"]))
    answer = await http.delete("/v2/positions", params={"cancel_orders": "true"})
    assert answer.status_code == 207
    assert sorted(row["symbol"] for row in answer.json()) == ["AAPL", "BTCUSD"]
    await stream.until(lambda d: d["event"] == "fill" and d["position_qty"] == "0")
    await stream.until(lambda d: d["event"] == "fill" and d["position_qty"] == "0")
    assert (await http.get("/v2/positions")).json() == []


async def test_refusals_with_alpaca_codes(fake: FakeAlpaca, http: httpx.AsyncClient) -> None:
    async def post(**body: object) -> httpx.Response:
        base = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}
        return await http.post("/v2/orders", json={**base, **body})

    assert (await post(type="limit", limit_price="187.555")).json()["code"] == 42210000
    assert (await post(qty="0")).json() == {"code": 40010001, "message": "qty must be > 0"}
    assert (await post(notional="100")).status_code == 400  # qty and notional together
    sub_penny = await post(qty=None, notional="100.005")  # a stock notional in fractions of a cent
    assert (sub_penny.status_code, sub_penny.json()["code"]) == (422, 42210000)
    assert (
        await post(qty=None, symbol="BTC/USD", time_in_force="gtc", notional="100.005")
    ).status_code == 200
    broke = await post(qty="100000")
    assert broke.status_code == 403 and broke.json()["message"] == "insufficient buying power"
    assert (await post(symbol="GME", side="sell")).status_code == 403  # not shortable
    assert (
        await post(symbol="BTC/USD", side="sell", time_in_force="gtc")
    ).status_code == 403  # no crypto shorts
    malformed = await http.post("/v2/orders", content=b"{not json")
    assert (malformed.status_code, malformed.json()["code"]) == (400, 40010001)
    assert (await http.get("/v2/assets/BTC/USD")).json()["symbol"] == "BTC/USD"
    assert (await http.get("/v2/assets/NOPE")).status_code == 404


async def test_order_list_filters(http: httpx.AsyncClient) -> None:
    a = await submit(http, type="limit", limit_price="150", qty="1")
    b = await submit(http, type="limit", limit_price="150", qty="1", side="buy", symbol="MSFT")
    rows = (await http.get("/v2/orders")).json()
    assert [r["id"] for r in rows] == [b["id"], a["id"]]  # newest first
    asc = (await http.get("/v2/orders", params={"direction": "asc", "limit": "1"})).json()
    assert [r["id"] for r in asc] == [a["id"]]
    only = (await http.get("/v2/orders", params={"symbols": "MSFT"})).json()
    assert [r["id"] for r in only] == [b["id"]]
    after = (await http.get("/v2/orders", params={"after": a["submitted_at"]})).json()
    assert [r["id"] for r in after] == [b["id"]]  # exclusive, on submission time
