"""Binance's JSON shapes of the fake's records: orders, order lists, trades, account, events."""

from __future__ import annotations

from decimal import Decimal

from tradewire.testkit.fakes.binance.config import SymbolSpec
from tradewire.testkit.fakes.binance.state import Fill, Order, OrderList
from tradewire.testkit.fakes.binance.wire import Json, d8


def _optional(order: Order) -> dict[str, Json]:
    extra: dict[str, Json] = {}
    if order.is_stop and order.stop_price:
        extra["stopPrice"] = d8(order.stop_price)
    if order.iceberg_qty:
        extra["icebergQty"] = d8(order.iceberg_qty)
    if order.trailing_delta is not None:
        extra["trailingDelta"] = order.trailing_delta
        if order.trail_extreme is not None:
            extra["trailingTime"] = order.working_time if order.working else order.time
    if order.expiry_reason is not None and order.status.startswith("EXPIRED"):
        extra["expiryReason"] = order.expiry_reason
    return extra


def order_result(order: Order, transact_time: int) -> dict[str, Json]:
    """`POST /api/v3/order` with `newOrderRespType=RESULT` (FULL adds `fills`)."""
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.list_id,
        "clientOrderId": order.client_id,
        "transactTime": transact_time,
        "price": d8(order.price),
        "origQty": d8(order.qty),
        "executedQty": d8(order.executed),
        "origQuoteOrderQty": d8(order.quote_qty),
        "cummulativeQuoteQty": d8(order.cum_quote),
        "status": order.status,
        "timeInForce": order.tif or "GTC",
        "type": order.type,
        "side": order.side,
        **({"workingTime": order.working_time} if order.working_time >= 0 else {}),
        "selfTradePreventionMode": order.stp,
        **_optional(order),
    }


def order_ack(order: Order, transact_time: int) -> dict[str, Json]:
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.list_id,
        "clientOrderId": order.client_id,
        "transactTime": transact_time,
    }


def order_response(order: Order, transact_time: int, resp_type: str, fills: list[Fill]) -> dict[str, Json]:
    if resp_type == "ACK":
        return order_ack(order, transact_time)
    body = order_result(order, transact_time)
    if resp_type == "FULL":
        body["fills"] = [
            {
                "price": d8(f.price),
                "qty": d8(f.qty),
                "commission": d8(f.commission),
                "commissionAsset": f.commission_asset,
                "tradeId": f.id,
            }
            for f in fills
        ]
    return body


def order_query(order: Order) -> dict[str, Json]:
    """`GET /api/v3/order`, `openOrders`, `allOrders`."""
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.list_id,
        "clientOrderId": order.client_id,
        "price": d8(order.price),
        "origQty": d8(order.qty),
        "executedQty": d8(order.executed),
        "cummulativeQuoteQty": d8(order.cum_quote),
        "status": order.status,
        "timeInForce": order.tif or "GTC",
        "type": order.type,
        "side": order.side,
        "stopPrice": d8(order.stop_price),
        "icebergQty": d8(order.iceberg_qty),
        "time": order.time,
        "updateTime": order.update_time,
        "isWorking": order.working and order.status != "PENDING_NEW",
        "workingTime": order.working_time,
        "origQuoteOrderQty": d8(order.quote_qty),
        "selfTradePreventionMode": order.stp,
        **{k: v for k, v in _optional(order).items() if k not in ("stopPrice", "icebergQty")},
    }


def order_canceled(order: Order, orig_client_id: str, transact_time: int) -> dict[str, Json]:
    """`DELETE /api/v3/order`: `origClientOrderId` is the order's id, `clientOrderId` the cancel's."""
    body = order_result(order, transact_time)
    body.pop("workingTime", None)
    return {
        "symbol": order.symbol,
        "origClientOrderId": orig_client_id,
        "orderId": order.order_id,
        "orderListId": order.list_id,
        "clientOrderId": body["clientOrderId"],
        **{k: v for k, v in body.items() if k not in ("symbol", "orderId", "orderListId", "clientOrderId")},
    }


def amended_order(order: Order, orig_client_id: str) -> dict[str, Json]:
    """`amendedOrder` of a keep-priority amend: `qty`, `quoteOrderQty`, `cumulativeQuoteQty` spelt so."""
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.list_id,
        "origClientOrderId": orig_client_id,
        "clientOrderId": order.client_id,
        "price": d8(order.price),
        "qty": d8(order.qty),
        "executedQty": d8(order.executed),
        "preventedQty": d8(Decimal(0)),
        "quoteOrderQty": d8(order.quote_qty),
        "cumulativeQuoteQty": d8(order.cum_quote),
        "status": order.status,
        "timeInForce": order.tif or "GTC",
        "type": order.type,
        "side": order.side,
        **({"workingTime": order.working_time} if order.working_time >= 0 else {}),
        "selfTradePreventionMode": order.stp,
        **_optional(order),
    }


def order_list(lst: OrderList, orders: list[Order], transaction_time: int) -> dict[str, Json]:
    return {
        "orderListId": lst.list_id,
        "contingencyType": lst.contingency,
        "listStatusType": lst.status_type,
        "listOrderStatus": lst.order_status,
        "listClientOrderId": lst.client_id,
        "transactionTime": transaction_time,
        "symbol": lst.symbol,
        "orders": [{"symbol": o.symbol, "orderId": o.order_id, "clientOrderId": o.client_id} for o in orders],
    }


def trade(fill: Fill) -> dict[str, Json]:
    return {
        "symbol": fill.symbol,
        "id": fill.id,
        "orderId": fill.order_id,
        "orderListId": fill.list_id,
        "price": d8(fill.price),
        "qty": d8(fill.qty),
        "quoteQty": d8(fill.price * fill.qty),
        "commission": d8(fill.commission),
        "commissionAsset": fill.commission_asset,
        "time": fill.time,
        "isBuyer": fill.is_buyer,
        "isMaker": fill.is_maker,
        "isBestMatch": True,
    }


def execution_report(
    order: Order,
    event_time: int,
    exec_type: str,
    execution_id: int,
    fill: Fill | None = None,
    client_id: str | None = None,
    orig_client_id: str = "",
    reject_reason: str = "NONE",
) -> dict[str, Json]:
    body: dict[str, Json] = {
        "e": "executionReport",
        "E": event_time,
        "s": order.symbol,
        "c": client_id if client_id is not None else order.client_id,
        "S": order.side,
        "o": order.type,
        "f": order.tif or "GTC",
        "q": d8(order.qty),
        "p": d8(order.price),
        "P": d8(order.stop_price),
        "F": d8(order.iceberg_qty),
        "g": order.list_id,
        "C": orig_client_id,
        "x": exec_type,
        "X": order.status,
        "r": reject_reason,
        "i": order.order_id,
        "l": d8(fill.qty if fill else Decimal(0)),
        "z": d8(order.executed),
        "L": d8(fill.price if fill else Decimal(0)),
        "n": d8(fill.commission) if fill else "0",
        "N": fill.commission_asset if fill else None,
        "T": fill.time if fill else event_time,
        "t": fill.id if fill else -1,
        "I": execution_id,
        "w": order.working and not order.terminal and order.status != "PENDING_NEW",
        "m": fill.is_maker if fill else False,
        "M": False,
        "O": order.time,
        "Z": d8(order.cum_quote),
        "Y": d8(fill.price * fill.qty if fill else Decimal(0)),
        "Q": d8(order.quote_qty),
        "W": order.working_time,
        "V": order.stp,
    }
    if order.trailing_delta is not None:
        body["d"] = order.trailing_delta
        if order.trail_extreme is not None:
            body["D"] = order.working_time if order.working else order.time
    if order.expiry_reason is not None and order.status.startswith("EXPIRED"):
        body["eR"] = order.expiry_reason
    return body


def list_status(lst: OrderList, orders: list[Order], event_time: int) -> dict[str, Json]:
    return {
        "e": "listStatus",
        "E": event_time,
        "s": lst.symbol,
        "g": lst.list_id,
        "c": lst.contingency,
        "l": lst.status_type,
        "L": lst.order_status,
        "r": "NONE",
        "C": lst.client_id,
        "T": event_time,
        "O": [{"s": o.symbol, "i": o.order_id, "c": o.client_id} for o in orders],
    }


def account_position(event_time: int, balances: dict[str, tuple[Decimal, Decimal]]) -> dict[str, Json]:
    return {
        "e": "outboundAccountPosition",
        "E": event_time,
        "u": event_time,
        "B": [{"a": a, "f": d8(free), "l": d8(locked)} for a, (free, locked) in balances.items()],
    }


def symbol_info(spec: SymbolSpec, status: str = "TRADING") -> dict[str, Json]:
    market_max = spec.market_max_qty if spec.market_max_qty is not None else spec.max_qty
    return {
        "symbol": spec.symbol,
        "status": status,
        "baseAsset": spec.base,
        "baseAssetPrecision": 8,
        "quoteAsset": spec.quote,
        "quotePrecision": spec.quote_precision,
        "quoteAssetPrecision": spec.quote_precision,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT",
                       "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": spec.quote_market_allowed,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "amendAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": d8(spec.min_price), "maxPrice": d8(spec.max_price),
             "tickSize": d8(spec.tick_size)},
            {"filterType": "LOT_SIZE", "minQty": d8(spec.min_qty), "maxQty": d8(spec.max_qty),
             "stepSize": d8(spec.step_size)},
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            {"filterType": "MARKET_LOT_SIZE", "minQty": d8(Decimal(0)), "maxQty": d8(market_max),
             "stepSize": d8(Decimal(0))},
            {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2000,
             "minTrailingBelowDelta": 10, "maxTrailingBelowDelta": 2000},
            {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": str(spec.multiplier_up),
             "bidMultiplierDown": str(spec.multiplier_down), "askMultiplierUp": str(spec.multiplier_up),
             "askMultiplierDown": str(spec.multiplier_down), "avgPriceMins": 5},
            {"filterType": "NOTIONAL", "minNotional": d8(spec.min_notional), "applyMinToMarket": True,
             "maxNotional": d8(spec.max_notional), "applyMaxToMarket": False, "avgPriceMins": 5},
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
            {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH",
                                            "DECREMENT"],
    }  # fmt: skip
