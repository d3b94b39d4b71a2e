"""The fake Binance's payloads against the documentation's examples (binance.md §5, §7, §8): every
key of an example is present, with the same JSON type. The official models (test_binance_models.py)
catch unknown keys; these catch missing ones."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import websockets
from binance_fake_helpers import Rest, UserStream

from tradewire.testkit.fakes.binance import FakeBinance

Opener = Callable[[], Awaitable[UserStream]]
BTC = {"symbol": "BTCUSDT"}

ORDER_FULL = json.loads("""
{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"6gCrw2kRUAF9CvJDGP16IP",
 "transactTime":1507725176595,"price":"0.00000000","origQty":"1.00000000","executedQty":"1.00000000",
 "origQuoteOrderQty":"0.000000","cummulativeQuoteQty":"4000.00000000","status":"FILLED","timeInForce":"GTC",
 "type":"MARKET","side":"SELL","workingTime":1507725176595,"selfTradePreventionMode":"NONE",
 "fills":[{"price":"4000.00000000","qty":"1.00000000","commission":"4.00000000","commissionAsset":"USDT",
 "tradeId":56}]}
""")
ACCOUNT = json.loads("""
{"makerCommission":15,"takerCommission":15,"buyerCommission":0,"sellerCommission":0,
 "commissionRates":{"maker":"0.00150000","taker":"0.00150000","buyer":"0.00000000","seller":"0.00000000"},
 "canTrade":true,"canWithdraw":true,"canDeposit":true,"brokered":false,"requireSelfTradePrevention":false,
 "preventSor":false,"updateTime":123456789,"accountType":"SPOT",
 "balances":[{"asset":"BTC","free":"1.00000000","locked":"0.00000000"}],
 "permissions":["SPOT"],"uid":354937868}
""")
EXECUTION_REPORT = json.loads("""
{"e":"executionReport","E":1499405658658,"s":"ETHBTC","c":"mUvoqJxFIILMdfAW5iGSOW","S":"BUY","o":"LIMIT",
 "f":"GTC","q":"1.00000000","p":"0.10264410","P":"0.00000000","F":"0.00000000","g":-1,"C":"","x":"TRADE",
 "X":"PARTIALLY_FILLED","r":"NONE","i":4293153,"l":"0.40000000","z":"0.40000000","L":"0.10264410",
 "n":"0.00040000","N":"ETH","T":1499405658657,"t":5012,"I":8641984,"w":true,"m":true,"M":false,
 "O":1499405658657,"Z":"0.04105764","Y":"0.04105764","Q":"0.00000000","W":1499405658657,"V":"NONE"}
""")
ACCOUNT_POSITION = {
    "e": "outboundAccountPosition",
    "E": 1,
    "u": 1,
    "B": [{"a": "ETH", "f": "1.0", "l": "0.0"}],
}
BALANCE_UPDATE = {"e": "balanceUpdate", "E": 1, "a": "BTC", "d": "100.00000000", "T": 1}
LIST_STATUS = {
    "e": "listStatus", "E": 1, "s": "BTCUSDT", "g": 1, "c": "OCO", "l": "EXEC_STARTED", "L": "EXECUTING",
    "r": "NONE", "C": "x", "T": 1, "O": [{"s": "BTCUSDT", "i": 1, "c": "y"}],
}  # fmt: skip
BOOK_TICKER = json.loads("""
{"u":400900217,"s":"BTCUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}
""")
KLINE = json.loads("""
{"e":"kline","E":1672515782136,"s":"BTCUSDT","k":{"t":1672515780000,"T":1672515839999,"s":"BTCUSDT","i":"1m",
 "f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,
 "q":"1.0000",
 "V":"500","Q":"0.500","B":"123456"}}
""")
TRADE = json.loads("""
{"e":"trade","E":1672515782136,"s":"ETHUSDT","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,
 "M":true}
""")


def like(example: Any, payload: Any, where: str = "$") -> None:
    """`payload` has every key of `example`, recursively, with the same JSON type (null allowed for N)."""
    if isinstance(example, dict):
        assert isinstance(payload, dict), where
        missing = set(example) - set(payload)
        assert not missing, f"{where}: missing {missing}"
        for key, value in example.items():
            if key == "N" and payload[key] is None:
                continue  # the commission asset is null on a report without a fill
            like(value, payload[key], f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(payload, list), where
        for item in payload:
            like(example[0], item, f"{where}[]")
    else:
        assert type(payload) is type(example), (
            f"{where}: {type(payload).__name__} for {type(example).__name__}"
        )


async def test_rest_payloads_have_the_documented_keys(bn: FakeBinance, rest: Rest) -> None:
    like(
        ORDER_FULL, await rest.ok("POST", "/api/v3/order", **BTC, side="SELL", type="MARKET", quantity="0.1")
    )
    like(ACCOUNT, await rest.ok("GET", "/api/v3/account"))


async def test_user_data_events_have_the_documented_keys(
    bn: FakeBinance, rest: Rest, open_user_stream: Opener
) -> None:
    stream = await open_user_stream()
    await rest.ok("POST", "/api/v3/order", **BTC, side="BUY", type="MARKET", quantity="0.1")
    await rest.ok(
        "POST", "/api/v3/orderList/oco", **BTC, side="SELL", quantity="0.1", aboveType="LIMIT_MAKER",
        abovePrice="60100.00", belowType="STOP_LOSS", belowStopPrice="59900.00",
    )  # fmt: skip
    bn.deposit("BTC", "1")
    examples = {
        "executionReport": EXECUTION_REPORT,
        "outboundAccountPosition": ACCOUNT_POSITION,
        "balanceUpdate": BALANCE_UPDATE,
        "listStatus": LIST_STATUS,
    }
    seen: set[str] = set()
    while seen != set(examples):
        event = await stream.event()
        like(examples[event["e"]], event)
        seen.add(event["e"])


async def test_market_payloads_have_the_documented_keys(bn: FakeBinance) -> None:
    url = f"{bn.stream_url}/stream?streams=btcusdt@bookTicker/btcusdt@kline_1m/btcusdt@trade"
    async with websockets.connect(url) as ws:
        await asyncio.sleep(0.05)
        bn.set_price("BTCUSDT", "60010.00")
        examples = {"btcusdt@bookTicker": BOOK_TICKER, "btcusdt@kline_1m": KLINE, "btcusdt@trade": TRADE}
        for _ in range(3):
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            like(examples[message["stream"]], message["data"])
