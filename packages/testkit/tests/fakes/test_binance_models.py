"""Every payload shape the fake Binance emits, validated by the official Binance Spot SDK's models
(`binance-sdk-spot`, a test-only dependency; its pydantic models use strict str/int/bool types).

pydantic keeps unknown keys aside, so each check also requires every emitted key to be a field (by
alias) of the model, nested models included: a misspelt or invented field fails here too.
"""

from __future__ import annotations

import asyncio
import json
import typing
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import websockets
from binance_fake_helpers import Rest, UserStream

from tradewire.testkit.fakes.binance import FakeBinance

rest_models = pytest.importorskip("binance_sdk_spot.rest_api.models")
ws_models = pytest.importorskip("binance_sdk_spot.websocket_api.models")
stream_models = pytest.importorskip("binance_sdk_spot.websocket_streams.models")
BaseModel = pytest.importorskip("pydantic").BaseModel

Opener = Callable[[], Awaitable[UserStream]]
BTC = {"symbol": "BTCUSDT"}
#: Order fields binance.md §5.1 documents as present only when relevant, with their JSON types.
CONDITIONAL: dict[str, type] = {
    "stopPrice": str, "icebergQty": str, "trailingDelta": int, "trailingTime": int, "expiryReason": str,
    "preventedMatchId": int, "preventedQuantity": str, "strategyId": int, "strategyType": int,
}  # fmt: skip


def _inner_model(annotation: Any) -> Any:
    """The model a field holds (itself, in a list, or optional), or None."""
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in typing.get_args(arg):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _one_of(model: Any, payload: dict[str, Any]) -> Any:
    """A oneOf wrapper (the filters): the payload must be exactly one of its schemas."""
    errors = []
    for name, field in model.model_fields.items():
        candidate = _inner_model(field.annotation) if name.startswith("oneof_schema_") else None
        if candidate is None:
            continue
        try:
            return strict(candidate, payload)
        except (AssertionError, ValueError) as error:
            errors.append(str(error).splitlines()[0])
    raise AssertionError(f"{model.__name__}: no schema takes {payload}: {errors}")


def strict(model: Any, payload: dict[str, Any], ignore: frozenset[str] = frozenset()) -> Any:
    """Every key known to `model` (recursively), then the model's own strict validation. `ignore`:
    keys a wrapper consumes (the user-data union routes on `e`, which the event models leave out)."""
    if any(name.startswith("oneof_schema_") for name in model.model_fields):
        return _one_of(model, payload)
    fields = {f.alias or name: f for name, f in model.model_fields.items() if name != "additional_properties"}
    payload = {k: v for k, v in payload.items() if k not in ignore}
    for key in set(CONDITIONAL) & set(payload) - set(fields):
        # binance.md §5.1: fields that "appear when relevant", which some generated models leave out
        assert isinstance(payload.pop(key), CONDITIONAL[key]), f"{model.__name__}.{key}"
    unknown = set(payload) - set(fields)
    assert not unknown, f"{model.__name__}: keys the official model does not know: {unknown}"
    for key, value in payload.items():
        inner = _inner_model(fields[key].annotation)
        if inner is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                strict(inner, item)
    return model.model_validate(payload)


async def test_rest_payloads_match_the_official_models(bn: FakeBinance, rest: Rest) -> None:
    strict(rest_models.TimeResponse, await rest.public("/api/v3/time"))
    info = await rest.public("/api/v3/exchangeInfo", symbol="BTCUSDT")
    strict(rest_models.ExchangeInfoResponse, {k: v for k, v in info.items()})
    strict(
        rest_models.TickerBookTickerResponse1,
        await rest.public("/api/v3/ticker/bookTicker", symbol="BTCUSDT"),
    )
    strict(rest_models.TickerPriceResponse1, await rest.public("/api/v3/ticker/price", symbol="BTCUSDT"))
    strict(rest_models.AvgPriceResponse, await rest.public("/api/v3/avgPrice", symbol="BTCUSDT"))
    strict(rest_models.DepthResponse, await rest.public("/api/v3/depth", symbol="BTCUSDT"))
    for row in await rest.public("/api/v3/klines", symbol="BTCUSDT", interval="1m"):
        assert [type(v) for v in row] == [int, str, str, str, str, str, int, str, int, str, str, str]

    for resp_type in ("FULL", "RESULT", "ACK"):
        market = await rest.ok(
            "POST",
            "/api/v3/order",
            **BTC,
            side="BUY",
            type="MARKET",
            quantity="0.3",
            newOrderRespType=resp_type,
        )
        strict(rest_models.NewOrderResponse, market)
    stop = await rest.ok(
        "POST",
        "/api/v3/order",
        **BTC,
        side="SELL",
        type="STOP_LOSS_LIMIT",
        quantity="0.1",
        price="59000.00",
        stopPrice="59100.00",
        timeInForce="GTC",
        newOrderRespType="FULL",
    )
    strict(rest_models.NewOrderResponse, stop)
    limit = {**BTC, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.1"}
    placed = await rest.ok("POST", "/api/v3/order", **limit, price="59000.00", icebergQty="0.02")
    strict(
        rest_models.GetOrderResponse, await rest.ok("GET", "/api/v3/order", **BTC, orderId=placed["orderId"])
    )
    for row in await rest.ok("GET", "/api/v3/openOrders", **BTC):
        strict(rest_models.GetOpenOrdersResponseInner, row)
    for row in await rest.ok("GET", "/api/v3/allOrders", **BTC):
        strict(rest_models.AllOrdersResponseInner, row)
    amended = await rest.ok(
        "PUT", "/api/v3/order/amend/keepPriority", **BTC, orderId=placed["orderId"], newQty="0.05"
    )
    strict(rest_models.OrderAmendKeepPriorityResponse, amended)
    replaced = await rest.ok(
        "POST",
        "/api/v3/order/cancelReplace",
        **limit,
        price="59100.00",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=placed["orderId"],
    )
    strict(rest_models.OrderCancelReplaceResponse, replaced)
    canceled = await rest.ok(
        "DELETE", "/api/v3/order", **BTC, orderId=replaced["newOrderResponse"]["orderId"]
    )
    strict(rest_models.DeleteOrderResponse, canceled)

    oco = await rest.ok(
        "POST",
        "/api/v3/orderList/oco",
        **BTC,
        side="SELL",
        quantity="0.2",
        aboveType="LIMIT_MAKER",
        abovePrice="60100.00",
        belowType="STOP_LOSS",
        belowStopPrice="59900.00",
    )
    strict(rest_models.OrderListOcoResponse, oco)
    oto = await rest.ok(
        "POST",
        "/api/v3/orderList/oto",
        **BTC,
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="59000.00",
        workingQuantity="0.1",
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER",
        pendingSide="SELL",
        pendingPrice="60100.00",
        pendingQuantity="0.1",
    )
    strict(rest_models.OrderListOtoResponse, oto)
    otoco = await rest.ok(
        "POST",
        "/api/v3/orderList/otoco",
        **BTC,
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="59000.00",
        workingQuantity="0.1",
        workingTimeInForce="GTC",
        pendingSide="SELL",
        pendingQuantity="0.1",
        pendingAboveType="LIMIT_MAKER",
        pendingAbovePrice="60200.00",
        pendingBelowType="STOP_LOSS",
        pendingBelowStopPrice="58500.00",
    )
    strict(rest_models.OrderListOtocoResponse, otoco)
    for row in await rest.ok("GET", "/api/v3/openOrderLists"):
        strict(rest_models.OpenOrderListResponseInner, row)
    strict(
        rest_models.GetOrderListResponse,
        await rest.ok("GET", "/api/v3/orderList", orderListId=oco["orderListId"]),
    )
    strict(
        rest_models.DeleteOrderListResponse,
        await rest.ok("DELETE", "/api/v3/orderList", **BTC, orderListId=oto["orderListId"]),
    )
    for row in await rest.ok("DELETE", "/api/v3/openOrders", **BTC):
        model = (
            rest_models.DeleteOrderListResponse
            if "contingencyType" in row
            else rest_models.DeleteOpenOrdersResponseInner
        )
        strict(model, row)

    strict(rest_models.GetAccountResponse, await rest.ok("GET", "/api/v3/account"))
    for row in await rest.ok("GET", "/api/v3/myTrades", **BTC):
        strict(rest_models.MyTradesResponseInner, row)


async def test_user_data_events_match_the_official_models(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.6")
    await rest.ok(
        "POST",
        "/api/v3/orderList/oco",
        **BTC,
        side="SELL",
        quantity="0.2",
        aboveType="LIMIT_MAKER",
        abovePrice="60100.00",
        belowType="STOP_LOSS",
        belowStopPrice="59900.00",
        belowTrailingDelta="100",
    )
    bn.set_price("BTCUSDT", "60100.00")
    bn.deposit("USDT", "10")
    models = {
        "executionReport": ws_models.ExecutionReport,
        "outboundAccountPosition": ws_models.OutboundAccountPosition,
        "balanceUpdate": ws_models.BalanceUpdate,
        "listStatus": ws_models.ListStatus,
    }
    seen: set[str] = set()
    while seen != set(models):
        try:
            event = await stream.event(timeout=1)
        except TimeoutError:
            break
        routed = ws_models.UserDataStreamEventsResponse.from_dict(event).actual_instance
        assert isinstance(routed, models[event["e"]])  # the SDK's own routing agrees
        strict(models[event["e"]], event, ignore=frozenset({"e"}))
        seen.add(event["e"])
    assert seen == set(models)
    await stream.request("userDataStream.unsubscribe")
    strict(ws_models.EventStreamTerminated, await stream.event(), ignore=frozenset({"e"}))


async def test_market_stream_payloads_match_the_official_models(bn: FakeBinance) -> None:
    names = "btcusdt@trade/btcusdt@kline_1m/btcusdt@bookTicker"
    async with websockets.connect(f"{bn.stream_url}/stream?streams={names}") as ws:
        await asyncio.sleep(0.05)
        bn.set_price("BTCUSDT", "60010.00")
        models = {
            "btcusdt@trade": stream_models.TradeResponse,
            "btcusdt@kline_1m": stream_models.KlineResponse,
            "btcusdt@bookTicker": stream_models.BookTickerResponse,
        }
        for _ in range(3):
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            strict(models[message["stream"]], message["data"])
