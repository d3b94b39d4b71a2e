"""Order lists, cancel-replace and keep-priority amend on the fake Binance (binance.md §5.2, §5.3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from binance_fake_helpers import Rest, UserStream

from tradewire.testkit.fakes.binance import FakeBinance

Opener = Callable[[], Awaitable[UserStream]]
BTC = {"symbol": "BTCUSDT"}


def balances(account: dict[str, object]) -> dict[str, tuple[str, str]]:
    rows: list[dict[str, str]] = account["balances"]  # type: ignore[assignment]
    return {b["asset"]: (b["free"], b["locked"]) for b in rows}


async def test_oco_limit_leg_fills_and_the_stop_expires(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    oco = await rest.ok(
        "POST",
        "/api/v3/orderList/oco",
        **BTC,
        side="SELL",
        quantity="0.5",
        aboveType="LIMIT_MAKER",
        abovePrice="60100.00",
        aboveClientOrderId="tp-1",
        belowType="STOP_LOSS",
        belowStopPrice="59900.00",
        belowClientOrderId="sl-1",
        listClientOrderId="list-1",
    )
    assert (oco["contingencyType"], oco["listStatusType"], oco["listOrderStatus"]) == (
        "OCO",
        "EXEC_STARTED",
        "EXECUTING",
    )
    assert [o["clientOrderId"] for o in oco["orders"]] == ["tp-1", "sl-1"]
    assert [r["status"] for r in oco["orderReports"]] == ["NEW", "NEW"]
    assert balances(await rest.ok("GET", "/api/v3/account"))["BTC"] == (
        "0.50000000",
        "0.50000000",
    )  # one lock
    started = await stream.event("listStatus")
    assert (started["c"], started["l"], started["C"]) == ("OCO", "EXEC_STARTED", "list-1")
    bn.set_price("BTCUSDT", "60100.00")
    reports = [await stream.event("executionReport") for _ in range(4)]
    by_id = {(r["c"], r["x"]): r for r in reports}
    assert by_id[("tp-1", "TRADE")]["X"] == "FILLED"
    assert by_id[("sl-1", "EXPIRED")]["eR"] == "OCO_TRIGGER"
    done = await stream.event("listStatus")
    assert (done["l"], done["L"]) == ("ALL_DONE", "ALL_DONE")
    assert balances(await rest.ok("GET", "/api/v3/account"))["BTC"] == ("0.50000000", "0.00000000")
    assert await rest.ok("GET", "/api/v3/openOrderLists") == []


async def test_oco_stop_leg_triggers_and_the_limit_expires(bn: FakeBinance, rest: Rest) -> None:
    oco = await rest.ok(
        "POST",
        "/api/v3/orderList/oco",
        **BTC,
        side="SELL",
        quantity="0.5",
        aboveType="LIMIT_MAKER",
        abovePrice="60100.00",
        belowType="STOP_LOSS_LIMIT",
        belowStopPrice="59900.00",
        belowPrice="59800.00",
        belowTimeInForce="GTC",
    )
    above, below = (o["orderId"] for o in oco["orders"])
    bn.set_price("BTCUSDT", "59900.00")
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=above))["status"] == "EXPIRED"
    stop = await rest.ok("GET", "/api/v3/order", **BTC, orderId=below)
    assert stop["status"] == "FILLED" and stop["cummulativeQuoteQty"] == "29949.50000000"  # bid 59899


async def test_oco_with_prices_on_the_wrong_sides_is_refused(bn: FakeBinance, rest: Rest) -> None:
    response = await rest.call(
        "POST",
        "/api/v3/orderList/oco",
        **BTC,
        side="SELL",
        quantity="0.5",
        aboveType="LIMIT_MAKER",
        abovePrice="59950.00",
        belowType="STOP_LOSS",
        belowStopPrice="59900.00",
    )
    assert response.status_code == 400 and response.json()["code"] == -2010


async def test_oto_pending_leg_waits_for_a_full_fill(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    oto = await rest.ok(
        "POST",
        "/api/v3/orderList/oto",
        **BTC,
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="59990.00",
        workingQuantity="0.4",
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER",
        pendingSide="SELL",
        pendingPrice="60100.00",
        pendingQuantity="0.4",
    )
    assert oto["contingencyType"] == "OTO"
    assert [r["status"] for r in oto["orderReports"]] == ["NEW", "PENDING_NEW"]
    working, pending = (o["orderId"] for o in oto["orders"])
    bn.set_liquidity("BTCUSDT", "0.3")
    bn.set_price("BTCUSDT", "59990.00")
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=pending))["status"] == "PENDING_NEW"
    stream = await open_user_stream()
    bn.set_price("BTCUSDT", "59980.00")
    fill = await stream.event("executionReport")
    assert (fill["i"], fill["X"]) == (working, "FILLED")
    placed = await stream.event("executionReport")
    assert (placed["i"], placed["x"], placed["X"], placed["g"]) == (pending, "NEW", "NEW", oto["orderListId"])
    assert len(await rest.ok("GET", "/api/v3/openOrders", **BTC)) == 1


async def test_otoco_places_an_oco_after_the_entry(bn: FakeBinance, rest: Rest) -> None:
    otoco = await rest.ok(
        "POST",
        "/api/v3/orderList/otoco",
        **BTC,
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="59990.00",
        workingQuantity="0.2",
        workingTimeInForce="GTC",
        pendingSide="SELL",
        pendingQuantity="0.2",
        pendingAboveType="LIMIT_MAKER",
        pendingAbovePrice="60200.00",
        pendingBelowType="STOP_LOSS",
        pendingBelowStopPrice="59500.00",
    )
    assert [r["status"] for r in otoco["orderReports"]] == ["NEW", "PENDING_NEW", "PENDING_NEW"]
    entry, take_profit, stop = (o["orderId"] for o in otoco["orders"])
    bn.set_price("BTCUSDT", "59990.00")
    statuses = [
        (await rest.ok("GET", "/api/v3/order", **BTC, orderId=i))["status"]
        for i in (entry, take_profit, stop)
    ]
    assert statuses == ["FILLED", "NEW", "NEW"]
    bn.set_price("BTCUSDT", "59500.00")
    statuses = [
        (await rest.ok("GET", "/api/v3/order", **BTC, orderId=i))["status"] for i in (take_profit, stop)
    ]
    assert statuses == ["EXPIRED", "FILLED"]
    assert await rest.ok("GET", "/api/v3/openOrderLists") == []


async def test_cancelling_one_leg_cancels_the_list(bn: FakeBinance, rest: Rest) -> None:
    oco = await rest.ok(
        "POST",
        "/api/v3/orderList/oco",
        **BTC,
        side="SELL",
        quantity="0.5",
        aboveType="LIMIT_MAKER",
        abovePrice="60100.00",
        belowType="STOP_LOSS",
        belowStopPrice="59900.00",
    )
    await rest.ok("DELETE", "/api/v3/order", **BTC, orderId=oco["orders"][0]["orderId"])
    below = await rest.ok("GET", "/api/v3/order", **BTC, orderId=oco["orders"][1]["orderId"])
    assert below["status"] == "CANCELED"
    assert balances(await rest.ok("GET", "/api/v3/account"))["BTC"] == ("1.00000000", "0.00000000")
    response = await rest.call("DELETE", "/api/v3/orderList", **BTC, orderListId=oco["orderListId"])
    assert response.json()["code"] == -2011


async def test_cancel_replace_gives_a_new_order_id(bn: FakeBinance, rest: Rest) -> None:
    params = {**BTC, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.1"}
    old = await rest.ok("POST", "/api/v3/order", **params, price="59000.00")
    result = await rest.ok(
        "POST",
        "/api/v3/order/cancelReplace",
        **params,
        price="59500.00",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=old["orderId"],
    )
    assert (result["cancelResult"], result["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert result["cancelResponse"]["status"] == "CANCELED"
    assert result["newOrderResponse"]["orderId"] != old["orderId"]
    assert result["newOrderResponse"]["price"] == "59500.00000000"


async def test_cancel_replace_failures_carry_data(bn: FakeBinance, rest: Rest) -> None:
    params = {**BTC, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.1"}
    both = await rest.call(
        "POST",
        "/api/v3/order/cancelReplace",
        **params,
        price="59500.00",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId="99",
    )
    assert both.status_code == 400
    body = both.json()
    assert (body["code"], body["msg"]) == (-2022, "Order cancel-replace failed.")
    assert body["data"]["cancelResult"] == "FAILURE" and body["data"]["newOrderResult"] == "NOT_ATTEMPTED"
    assert body["data"]["cancelResponse"] == {"code": -2011, "msg": "Unknown order sent."}
    old = await rest.ok("POST", "/api/v3/order", **params, price="59000.00")
    half = await rest.call(
        "POST",
        "/api/v3/order/cancelReplace",
        **params,
        price="59500.001",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=old["orderId"],
    )
    assert half.status_code == 409 and half.json()["code"] == -2021
    assert half.json()["data"]["newOrderResponse"] == {"code": -1013, "msg": "Filter failure: PRICE_FILTER"}


async def test_keep_priority_amend(bn: FakeBinance, rest: Rest, open_user_stream: Opener) -> None:
    params = {
        **BTC,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.3",
        "price": "59000.00",
    }
    placed = await rest.ok("POST", "/api/v3/order", **params)
    stream = await open_user_stream()
    amended = await rest.ok(
        "PUT", "/api/v3/order/amend/keepPriority", **BTC, orderId=placed["orderId"], newQty="0.1"
    )
    assert amended["amendedOrder"]["orderId"] == placed["orderId"]
    assert amended["amendedOrder"]["qty"] == "0.10000000"
    assert amended["amendedOrder"]["origClientOrderId"] == placed["clientOrderId"]
    report = await stream.event("executionReport")
    assert (report["x"], report["q"], report["i"]) == ("REPLACED", "0.10000000", placed["orderId"])
    assert report["C"] == placed["clientOrderId"] and report["c"] == amended["amendedOrder"]["clientOrderId"]
    bigger = await rest.call(
        "PUT", "/api/v3/order/amend/keepPriority", **BTC, orderId=placed["orderId"], newQty="0.5"
    )
    assert bigger.status_code == 400
