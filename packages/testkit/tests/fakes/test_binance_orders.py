"""Orders on the fake Binance: matching against the scripted book, the rules that refuse an order,
queries and cancels, with the shapes and codes of binance.md §3-§6."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import httpx
import pytest
from binance_fake_helpers import Rest

from tradewire.testkit.fakes.binance import FakeBinance, FakeConfig

BTC = {"symbol": "BTCUSDT"}


def limit(side: str, qty: str, price: str, **extra: str) -> dict[str, str]:
    return {
        **BTC,
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": qty,
        "price": price,
        **extra,
    }


async def error(rest: Rest, method: str, path: str, **params: str) -> tuple[int, dict[str, object]]:
    response = await rest.call(method, path, **params)
    return response.status_code, response.json()


async def test_market_buy_walks_the_book_one_fill_per_level(bn: FakeBinance, rest: Rest) -> None:
    order = await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.7")
    assert order["status"] == "FILLED" and order["executedQty"] == "0.70000000"
    assert [(f["price"], f["qty"]) for f in order["fills"]] == [
        ("60001.00000000", "0.50000000"),
        ("60002.00000000", "0.20000000"),
    ]
    assert order["cummulativeQuoteQty"] == "42000.90000000"
    assert order["fills"][0]["commissionAsset"] == "BTC" and order["fills"][0]["commission"] == "0.00050000"
    account = await rest.ok("GET", "/api/v3/account")
    balances = {b["asset"]: b for b in account["balances"]}
    assert balances["BTC"]["free"] == "1.69930000"  # 1 + 0.7 - 0.0007 commission
    assert balances["USDT"]["free"] == "57999.10000000"


async def test_market_remainder_beyond_the_book_expires(bn: FakeBinance, rest: Rest) -> None:
    bn.deposit("BTC", "5")
    order = await rest.ok("POST", "/api/v3/order", **BTC, side="SELL", type="MARKET", quantity="3")
    assert order["status"] == "EXPIRED" and order["executedQty"] == "2.50000000"  # 5 levels of 0.5
    assert len(order["fills"]) == 5 and order["expiryReason"] == "INSUFFICIENT_LIQUIDITY"


async def test_market_by_quote_quantity(bn: FakeBinance, rest: Rest) -> None:
    order = await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quoteOrderQty="6000.10")
    assert order["status"] == "FILLED" and order["origQuoteOrderQty"] == "6000.10000000"
    assert order["executedQty"] == "0.10000000" and order["cummulativeQuoteQty"] == "6000.10000000"


async def test_limit_rests_then_fills_partially_per_step(bn: FakeBinance, rest: Rest) -> None:
    placed = await rest.ok("POST", "/api/v3/order", **limit("BUY", "0.5", "59990.00"))
    assert placed["status"] == "NEW" and placed["fills"] == []
    account = {b["asset"]: b for b in (await rest.ok("GET", "/api/v3/account"))["balances"]}
    assert account["USDT"]["locked"] == "29995.00000000"
    bn.set_liquidity("BTCUSDT", "0.2")
    bn.set_path("BTCUSDT", ["59995.00", "59990.00", "59989.00", "59989.00"])
    bn.step("BTCUSDT")
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=placed["orderId"]))["status"] == "NEW"
    bn.step("BTCUSDT")
    bn.step("BTCUSDT")
    order = await rest.ok("GET", "/api/v3/order", **BTC, orderId=placed["orderId"])
    assert order["status"] == "PARTIALLY_FILLED" and order["executedQty"] == "0.40000000"
    bn.step("BTCUSDT")
    order = await rest.ok("GET", "/api/v3/order", **BTC, orderId=placed["orderId"])
    assert order["status"] == "FILLED" and order["cummulativeQuoteQty"] == "29995.00000000"
    trades = await rest.ok("GET", "/api/v3/myTrades", **BTC, orderId=placed["orderId"])
    assert [t["qty"] for t in trades] == ["0.20000000", "0.20000000", "0.10000000"]
    assert all(t["isMaker"] and t["isBuyer"] for t in trades)


async def test_a_crossing_limit_takes_up_to_its_price_and_rests_the_rest(bn: FakeBinance, rest: Rest) -> None:
    order = await rest.ok("POST", "/api/v3/order", **limit("BUY", "1.2", "60002.00"))
    assert order["status"] == "PARTIALLY_FILLED" and order["executedQty"] == "1.00000000"
    assert [f["price"] for f in order["fills"]] == ["60001.00000000", "60002.00000000"]


async def test_ioc_and_fok(bn: FakeBinance, rest: Rest) -> None:
    ioc = await rest.ok("POST", "/api/v3/order", **limit("BUY", "1.2", "60002.00", timeInForce="IOC"))
    assert ioc["status"] == "EXPIRED" and ioc["executedQty"] == "1.00000000"
    fok = await rest.ok("POST", "/api/v3/order", **limit("BUY", "0.6", "60003.00", timeInForce="FOK"))
    assert fok["status"] == "EXPIRED" and fok["executedQty"] == "0.00000000" and fok["fills"] == []


async def test_limit_maker_that_would_take_is_refused(bn: FakeBinance, rest: Rest) -> None:
    params = {**BTC, "side": "BUY", "type": "LIMIT_MAKER", "quantity": "0.01", "price": "60001.00"}
    status, body = await error(rest, "POST", "/api/v3/order", **params)
    assert status == 400 and body == {"code": -2010, "msg": "Order would immediately match and take."}
    params["price"] = "59999.00"
    assert (await rest.ok("POST", "/api/v3/order", **params))["orderId"]


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (limit("BUY", "0.01", "60000.000000001"), -1111, "Parameter 'price' has too much precision."),
        (limit("BUY", "0.01", "60000.005"), -1013, "Filter failure: PRICE_FILTER"),
        (limit("BUY", "0.000015", "60000.00"), -1013, "Filter failure: LOT_SIZE"),
        ({**BTC, "side": "BUY", "type": "MARKET", "quantity": "0"}, -1013, "Filter failure: LOT_SIZE"),
        (limit("BUY", "0.00002", "60000.00"), -1013, "Filter failure: NOTIONAL"),
        (limit("BUY", "0.01", "400000.00"), -1013, "Filter failure: PERCENT_PRICE_BY_SIDE"),
        ({**BTC, "side": "BUY", "type": "MARKET", "quantity": "0.01", "timeInForce": "GTC"}, -1114,
         "TimeInForce parameter sent when not required."),
        ({**BTC, "side": "BUY", "type": "MARKET", "quantity": "0.01", "price": "1"}, -1106,
         "Parameter 'price' sent when not required."),
        ({**BTC, "side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "60000"}, -1102,
         "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."),
        (limit("BUY", "0.01", "60000", timeInForce="DAY"), -1115, "Invalid timeInForce."),
        ({**BTC, "side": "BUY", "type": "TRAILING", "quantity": "1"}, -1116, "Invalid orderType."),
        ({"symbol": "NOPE", "side": "BUY", "type": "MARKET", "quantity": "1"}, -1121, "Invalid symbol."),
        (limit("BUY", "10", "59000.00"), -2010, "Account has insufficient balance for requested action."),
        ({**BTC, "side": "SELL", "type": "STOP_LOSS", "quantity": "0.01", "stopPrice": "60100.00"}, -2010,
         "Order would trigger immediately."),
        ({**BTC, "side": "SELL", "type": "STOP_LOSS", "quantity": "0.01", "trailingDelta": "5"}, -1013,
         "Filter failure: TRAILING_DELTA"),
    ],
)  # fmt: skip
async def test_refusals(bn: FakeBinance, rest: Rest, params: dict[str, str], code: int, msg: str) -> None:
    status, body = await error(rest, "POST", "/api/v3/order", **params)
    assert status == 400 and body == {"code": code, "msg": msg}


async def test_duplicate_open_client_id(bn: FakeBinance, rest: Rest) -> None:
    await rest.ok("POST", "/api/v3/order", **limit("BUY", "0.01", "59000.00", newClientOrderId="dup-1"))
    status, body = await error(
        rest, "POST", "/api/v3/order", **limit("BUY", "0.01", "59000.00", newClientOrderId="dup-1")
    )
    assert status == 400 and body == {"code": -2010, "msg": "Duplicate order sent."}
    await rest.ok("DELETE", "/api/v3/order", **BTC, origClientOrderId="dup-1")
    again = await rest.ok(
        "POST", "/api/v3/order", **limit("BUY", "0.01", "59000.00", newClientOrderId="dup-1")
    )
    assert again["orderId"] == 2  # a finished order's id may be reused


async def test_order_ids_are_per_symbol(bn: FakeBinance, rest: Rest) -> None:
    btc = await rest.ok("POST", "/api/v3/order", **limit("BUY", "0.01", "59000.00"))
    eth = await rest.ok(
        "POST", "/api/v3/order", symbol="ETHUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
        quantity="0.1", price="2900.00",
    )  # fmt: skip
    assert btc["orderId"] == eth["orderId"] == 1


async def test_stop_loss_triggers_into_a_market_order(bn: FakeBinance, rest: Rest) -> None:
    stop = await rest.ok(
        "POST", "/api/v3/order", **BTC, side="SELL", type="STOP_LOSS", quantity="0.1", stopPrice="59900.00",
        newOrderRespType="RESULT",
    )  # fmt: skip
    assert stop["status"] == "NEW" and "workingTime" not in stop and "fills" not in stop
    queried = await rest.ok("GET", "/api/v3/order", **BTC, orderId=stop["orderId"])
    assert queried["isWorking"] is False and queried["stopPrice"] == "59900.00000000"
    bn.set_price("BTCUSDT", "59950.00")
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=stop["orderId"]))["status"] == "NEW"
    bn.set_price("BTCUSDT", "59900.00")
    done = await rest.ok("GET", "/api/v3/order", **BTC, orderId=stop["orderId"])
    assert done["status"] == "FILLED" and done["isWorking"] is True
    assert done["cummulativeQuoteQty"] == "5989.90000000"  # sold at the best bid, 59899


async def test_trailing_stop_follows_the_high(bn: FakeBinance, rest: Rest) -> None:
    order = await rest.ok(
        "POST", "/api/v3/order", **BTC, side="SELL", type="STOP_LOSS", quantity="0.1", trailingDelta="100"
    )
    for price in ("60300.00", "60600.00", "60100.00"):
        bn.set_price("BTCUSDT", price)
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=order["orderId"]))["status"] == "NEW"
    bn.set_price("BTCUSDT", "59990.00")  # 1 % under the 60600 high
    done = await rest.ok("GET", "/api/v3/order", **BTC, orderId=order["orderId"])
    assert done["status"] == "FILLED" and done["trailingDelta"] == 100


async def test_cancel_query_and_unknown_orders(bn: FakeBinance, rest: Rest) -> None:
    placed = await rest.ok(
        "POST", "/api/v3/order", **limit("BUY", "0.01", "59000.00", newClientOrderId="c-1")
    )
    canceled = await rest.ok(
        "DELETE", "/api/v3/order", **BTC, orderId=placed["orderId"], newClientOrderId="x-1"
    )
    assert canceled["status"] == "CANCELED" and canceled["origClientOrderId"] == "c-1"
    assert canceled["clientOrderId"] == "x-1"
    status, body = await error(rest, "DELETE", "/api/v3/order", **BTC, orderId=str(placed["orderId"]))
    assert status == 400 and body == {"code": -2011, "msg": "Unknown order sent."}
    status, body = await error(rest, "GET", "/api/v3/order", **BTC, orderId="999")
    assert status == 400 and body == {"code": -2013, "msg": "Order does not exist."}
    by_client = await rest.ok("GET", "/api/v3/order", **BTC, origClientOrderId="c-1")
    assert by_client["status"] == "CANCELED"


async def test_open_orders_and_cancel_all(bn: FakeBinance, rest: Rest) -> None:
    for price in ("59000.00", "59100.00"):
        await rest.ok("POST", "/api/v3/order", **limit("BUY", "0.01", price))
    assert len(await rest.ok("GET", "/api/v3/openOrders", **BTC)) == 2
    canceled = await rest.ok("DELETE", "/api/v3/openOrders", **BTC)
    assert [c["status"] for c in canceled] == ["CANCELED", "CANCELED"]
    assert await rest.ok("GET", "/api/v3/openOrders", **BTC) == []
    status, body = await error(rest, "DELETE", "/api/v3/openOrders", **BTC)
    assert status == 400 and body["code"] == -2011
    usdt = {b["asset"]: b for b in (await rest.ok("GET", "/api/v3/account"))["balances"]}["USDT"]
    assert Decimal(usdt["locked"]) == 0 and Decimal(usdt["free"]) == 100000


async def test_weight_and_order_count_headers(bn: FakeBinance, rest: Rest) -> None:
    response = await rest.call("GET", "/api/v3/account")
    assert response.headers["X-MBX-USED-WEIGHT-1M"] == "20"
    response = await rest.call("POST", "/api/v3/order", **limit("BUY", "0.01", "59000.00"))
    assert response.headers["X-MBX-USED-WEIGHT-1M"] == "20"  # an accepted order costs no weight
    assert (
        response.headers["X-MBX-ORDER-COUNT-10S"] == "1" and response.headers["X-MBX-ORDER-COUNT-1D"] == "1"
    )
    response = await rest.call("POST", "/api/v3/order", **limit("BUY", "0.01", "59000.001"))
    assert response.headers["X-MBX-USED-WEIGHT-1M"] == "21"  # a refused one costs 1


async def test_exchange_info_time_and_klines(bn: FakeBinance, rest: Rest) -> None:
    info = await rest.public("/api/v3/exchangeInfo", symbols='["BTCUSDT","ETHUSDT"]')
    assert [s["symbol"] for s in info["symbols"]] == ["BTCUSDT", "ETHUSDT"]
    filters = {f["filterType"] for f in info["symbols"][0]["filters"]}
    assert {"PRICE_FILTER", "LOT_SIZE", "MARKET_LOT_SIZE", "NOTIONAL", "PERCENT_PRICE_BY_SIDE"} <= filters
    bad = await rest.client.get("/api/v3/exchangeInfo", params={"symbol": "NOPE"})
    assert bad.status_code == 400 and bad.json() == {"code": -1121, "msg": "Invalid symbol."}
    assert isinstance((await rest.public("/api/v3/time"))["serverTime"], int)
    bn.set_price("BTCUSDT", "60100.00")
    rows = await rest.public("/api/v3/klines", symbol="BTCUSDT", interval="1m")
    assert rows[-1][4] == "60100.00000000" and len(rows[-1]) == 12
    bad = await rest.client.get("/api/v3/klines", params={"symbol": "BTCUSDT", "interval": "7m"})
    assert bad.json() == {"code": -1120, "msg": "Invalid interval."}


async def test_a_query_without_either_id_is_1102(bn: FakeBinance, rest: Rest) -> None:
    status, body = await error(rest, "GET", "/api/v3/order", **BTC)
    assert status == 400
    assert body == {
        "code": -1102,
        "msg": "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    }


async def test_limit_maker_is_judged_against_the_liquidity_left(bn: FakeBinance, rest: Rest) -> None:
    await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.5")  # takes 60001
    params = {**BTC, "side": "BUY", "type": "LIMIT_MAKER", "quantity": "0.01", "price": "60001.00"}
    assert (await rest.ok("POST", "/api/v3/order", **params, newOrderRespType="RESULT"))["status"] == "NEW"
    ticker = await rest.public("/api/v3/ticker/bookTicker", symbol="BTCUSDT")
    assert ticker["askPrice"] == "60002.00000000"


async def test_a_triggered_stop_market_expires_what_the_book_cannot_fill(bn: FakeBinance, rest: Rest) -> None:
    bn.deposit("BTC", "5")
    stop = await rest.ok(
        "POST", "/api/v3/order", **BTC, side="SELL", type="STOP_LOSS", quantity="3", stopPrice="59900.00"
    )
    bn.set_price("BTCUSDT", "59900.00")
    done = await rest.ok("GET", "/api/v3/order", **BTC, orderId=stop["orderId"])
    assert done["status"] == "EXPIRED" and done["executedQty"] == "2.50000000"
    assert done["expiryReason"] == "INSUFFICIENT_LIQUIDITY"
    assert await rest.ok("GET", "/api/v3/openOrders", **BTC) == []


async def test_market_lot_size_caps_market_orders_only() -> None:
    config = FakeConfig()
    config.symbols[0] = replace(config.symbols[0], market_max_qty=Decimal("0.1"))
    async with FakeBinance(config) as fake, httpx.AsyncClient(base_url=fake.base_url) as http:
        rest = Rest(fake, http)
        status, body = await error(
            rest, "POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.2"
        )
        assert status == 400 and body == {"code": -1013, "msg": "Filter failure: MARKET_LOT_SIZE"}
        assert (await rest.ok("POST", "/api/v3/order", **limit("BUY", "0.2", "59000.00")))["status"] == "NEW"


async def test_quote_order_qty_follows_the_symbols_quote_precision_and_flag() -> None:
    config = FakeConfig()
    config.symbols[0] = replace(config.symbols[0], quote_precision=2)
    config.symbols[1] = replace(config.symbols[1], quote_market_allowed=False)
    async with FakeBinance(config) as fake, httpx.AsyncClient(base_url=fake.base_url) as http:
        rest = Rest(fake, http)
        info = {s["symbol"]: s for s in (await rest.public("/api/v3/exchangeInfo"))["symbols"]}
        assert (info["BTCUSDT"]["quoteAssetPrecision"], info["BTCUSDT"]["quotePrecision"]) == (2, 2)
        assert info["ETHUSDT"]["quoteOrderQtyMarketAllowed"] is False
        market = {"side": "BUY", "type": "MARKET"}
        status, body = await error(rest, "POST", "/api/v3/order", **BTC, **market, quoteOrderQty="100.001")
        assert status == 400 and body == {
            "code": -1111,
            "msg": "Parameter 'quoteOrderQty' has too much precision.",
        }
        status, body = await error(
            rest, "POST", "/api/v3/order", symbol="ETHUSDT", **market, quoteOrderQty="100"
        )
        assert status == 400 and body == {
            "code": -2010,
            "msg": "Quote order qty market orders are not support for this symbol.",
        }
        order = await rest.ok("POST", "/api/v3/order", **BTC, **market, quoteOrderQty="100.10")
        assert order["origQuoteOrderQty"] == "100.10000000" and order["status"] == "FILLED"


async def test_a_halted_symbol_refuses_orders(bn: FakeBinance, rest: Rest) -> None:
    bn.set_symbol_status("BTCUSDT", "BREAK")
    info = await rest.public("/api/v3/exchangeInfo", symbol="BTCUSDT")
    assert info["symbols"][0]["status"] == "BREAK"
    status, body = await error(rest, "POST", "/api/v3/order", **limit("BUY", "0.01", "59000.00"))
    assert status == 400 and body == {"code": -2010, "msg": "Market is closed."}


async def test_a_fok_stop_limit_waits_for_its_trigger(bn: FakeBinance, rest: Rest) -> None:
    params = {**BTC, "side": "BUY", "type": "STOP_LOSS_LIMIT", "timeInForce": "FOK", "quantity": "0.6"}
    stop = await rest.ok("POST", "/api/v3/order", **params, stopPrice="60100.00", price="60102.00")
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=stop["orderId"]))["status"] == "NEW"
    bn.set_price("BTCUSDT", "60100.00")  # asks 60101 and 60102 hold 1.0 within the limit: all of it fills
    done = await rest.ok("GET", "/api/v3/order", **BTC, orderId=stop["orderId"])
    assert done["status"] == "FILLED" and done["executedQty"] == "0.60000000"


async def test_prices_average_and_depth(bn: FakeBinance, rest: Rest) -> None:
    assert await rest.public("/api/v3/ticker/price", symbol="BTCUSDT") == {
        "symbol": "BTCUSDT",
        "price": "60000.00000000",
    }
    assert (await rest.public("/api/v3/avgPrice", symbol="BTCUSDT"))["price"] == "60000.00000000"
    depth = await rest.public("/api/v3/depth", symbol="BTCUSDT", limit=2)
    assert depth["bids"] == [["59999.00000000", "0.50000000"], ["59998.00000000", "0.50000000"]]
    assert depth["asks"][0] == ["60001.00000000", "0.50000000"]


async def test_a_trailing_take_profit_starts_trailing_at_its_stop_price(bn: FakeBinance, rest: Rest) -> None:
    order = await rest.ok(
        "POST", "/api/v3/order", **BTC, side="SELL", type="TAKE_PROFIT", quantity="0.1", stopPrice="60500.00",
        trailingDelta="100", newOrderRespType="RESULT",
    )  # fmt: skip
    bn.set_price("BTCUSDT", "59500.00")  # a 1 % fall before activation changes nothing
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=order["orderId"]))["status"] == "NEW"
    for price in ("60500.00", "61000.00"):  # activated at 60500, the high is 61000
        bn.set_price("BTCUSDT", price)
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=order["orderId"]))["status"] == "NEW"
    bn.set_price("BTCUSDT", "60390.00")  # 1 % under 61000
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=order["orderId"]))["status"] == "FILLED"


async def test_a_trailing_stop_loss_starts_trailing_once_its_stop_is_reached(
    bn: FakeBinance, rest: Rest
) -> None:
    order = await rest.ok(
        "POST", "/api/v3/order", **BTC, side="SELL", type="STOP_LOSS", quantity="0.1", stopPrice="59500.00",
        trailingDelta="100", newOrderRespType="RESULT",
    )  # fmt: skip
    bn.set_price("BTCUSDT", "60500.00")  # above the stop: not trailing yet
    bn.set_price("BTCUSDT", "59500.00")  # reached: trailing from 59500
    bn.set_price("BTCUSDT", "59600.00")
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=order["orderId"]))["status"] == "NEW"
    bn.set_price("BTCUSDT", "59004.00")  # 1 % under the 59600 high since activation
    assert (await rest.ok("GET", "/api/v3/order", **BTC, orderId=order["orderId"]))["status"] == "FILLED"
