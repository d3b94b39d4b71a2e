"""MARKET orders sized by notional on Alpaca (rest.md "Sized by notional"), through
`tradewire-gateway serve --platform alpaca-paper` on the fake Alpaca, once over plain REST and once through
the SDK: sent as Alpaca's `notional`, floored, refused where Alpaca cannot take them, echoed with the
quantity filled so far; and on the stream, across a dropped socket, each fill once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.brokers.alpaca.venue import AlpacaVenue
from tradewire.protocol import codec, order_rules
from tradewire.protocol.errors import TradewireError
from tradewire.protocol.messages import (
    ListOrdersRequest,
    Order,
    OrderType,
    ServerMessage,
    Side,
    SubmitOrderRequest,
    TradingPlatform,
)
from tradewire.sdk import Client

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")
from tradewire.testkit.fakes.alpaca.assets import Asset, default_assets  # noqa: E402

T = TypeVar("T")
PRICES = {"AAPL": "187.50", "BTC/USD": "65000"}
#: The fake's quotes around PRICES: a stock spread of 0.02, a crypto spread of 2.
AAPL_ASK, AAPL_BID, BTC_ASK = Decimal("187.51"), Decimal("187.49"), Decimal("65001")
NINE = Decimal("0.000000001")
#: Not fractionable at Alpaca (the fake's default assets all are).
WHOLE_ONLY = Asset(
    "BRK.A", "us_equity", "NYSE", "Berkshire Hathaway Inc.", Decimal("600000"), fractionable=False
)


def wait_for(check: Callable[[], T], why: str = "") -> T:
    deadline = time.monotonic() + 15  # a bound against hanging, not a speed assertion
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out: {why}"
        time.sleep(0.1)
    return value


@dataclass
class Served:
    fake: Any  # FakeThread
    url: str

    def at_fake(self, order_id: str) -> Any:
        return self.fake.call(lambda: self.fake.fake.broker.orders[order_id])

    def fake_orders(self) -> int:
        return int(self.fake.call(lambda: len(self.fake.fake.broker.orders)))

    def set_price(self, symbol: str, price: str) -> None:
        self.fake.call(self.fake.fake.set_price, symbol, price)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, serve_alpaca: Callable[..., AbstractContextManager[str]]
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("alpaca-notional")
    with fakes.running_fake(rate_limit=10_000, assets=[*default_assets(), WHOLE_ONLY]) as thread:
        env = {**thread.fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp / "gw.sqlite3")}
        with serve_alpaca(env, tmp / "gateway.log") as url:
            yield Served(thread, url)


class Rest:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)

    def submit(self, **fields: Any) -> dict[str, Any]:
        answer = self.http.post("/v1/orders", json=fields)
        assert answer.status_code == 201, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def refused(self, **fields: Any) -> tuple[int, str, Any]:
        answer = self.http.post("/v1/orders", json=fields)
        return answer.status_code, answer.json()["code"], answer.json().get("details")

    def order(self, order_id: str) -> dict[str, Any]:
        return self.http.get(f"/v1/orders/{order_id}").json()  # type: ignore[no-any-return]

    def features(self) -> list[str]:
        return self.http.get("/v1/capabilities").json()["features"]  # type: ignore[no-any-return]

    def close(self) -> None:
        self.http.close()


class Sdk:
    """The SDK's client, given the request as a message (its keywords are the lead's to extend)."""

    def __init__(self, url: str) -> None:
        self.client = Client(url)

    def submit(self, **fields: Any) -> dict[str, Any]:
        request = codec.from_dict(SubmitOrderRequest, fields)
        return codec.to_dict(self.client.submit_order(request))  # type: ignore[no-any-return]

    def refused(self, **fields: Any) -> tuple[int, str, Any]:
        with pytest.raises(TradewireError) as caught:
            self.submit(**fields)
        return caught.value.status, caught.value.code.name, caught.value.details

    def order(self, order_id: str) -> dict[str, Any]:
        return codec.to_dict(self.client.get_order(order_id))  # type: ignore[no-any-return]

    def features(self) -> list[str]:
        return list(self.client.capabilities().features)

    def close(self) -> None:
        self.client.close()


@pytest.fixture(params=["rest", "sdk"])
def via(request: pytest.FixtureRequest, served: Served) -> Iterator[Rest | Sdk]:
    """A client of the module's gateway, on a flat account and the fake's prices."""
    reset = httpx.Client(base_url=served.url, timeout=10)
    reset.delete("/v1/orders")
    reset.delete("/v1/positions")
    wait_for(lambda: not reset.get("/v1/positions").json(), "a flat account")
    for symbol, price in PRICES.items():
        served.set_price(symbol, price)
    client = Rest(served.url) if request.param == "rest" else Sdk(served.url)
    yield client
    client.close()
    reset.close()


def filled(via: Rest | Sdk, order_id: str) -> dict[str, Any]:
    return wait_for(lambda: (o := via.order(order_id))["status"] == "FILLED" and o, order_id)


def bought(notional: str, price: Decimal) -> str:
    """What the fake fills of a notional at `price`: 9 decimals, down."""
    return codec.dec((Decimal(notional) / price).quantize(NINE, rounding=ROUND_DOWN).normalize())


def test_capabilities_list_notional_orders(via: Rest | Sdk) -> None:
    assert order_rules.NOTIONAL_FEATURE in via.features()


def test_a_stock_buy_by_notional_is_sent_as_notional_day_and_echoed(via: Rest | Sdk, served: Served) -> None:
    handle = via.submit(symbol="AAPL", side="BUY", order_type="MARKET", notional="100")
    at_fake = served.at_fake(handle["id"])
    # alpaca.md §5: notional instead of qty; an omitted time_in_force on a stock one is sent as DAY.
    assert (at_fake.notional, at_fake.qty, at_fake.time_in_force) == (Decimal("100"), None, "day")
    order = filled(via, handle["id"])
    quantity = bought("100", AAPL_ASK)
    assert order["notional"] == "100" and order["time_in_force"] == "DAY"
    assert (order["quantity"], order["filled_quantity"], order["remaining_quantity"]) == (
        quantity,
        quantity,
        "0",
    )


def test_a_stock_notional_with_an_explicit_day_is_taken(via: Rest | Sdk, served: Served) -> None:
    handle = via.submit(symbol="AAPL", side="BUY", order_type="MARKET", notional="50", time_in_force="DAY")
    assert served.at_fake(handle["id"]).time_in_force == "day"
    assert filled(via, handle["id"])["notional"] == "50"


@pytest.mark.parametrize("tif", [None, "GTC", "IOC"])
def test_a_crypto_buy_by_notional_takes_gtc_and_ioc(via: Rest | Sdk, served: Served, tif: str | None) -> None:
    extra = {} if tif is None else {"time_in_force": tif}
    handle = via.submit(symbol="BTC/USD", side="BUY", order_type="MARKET", notional="1000", **extra)
    at_fake = served.at_fake(handle["id"])
    assert (at_fake.notional, at_fake.qty, at_fake.time_in_force) == (
        Decimal("1000"),
        None,
        (tif or "GTC").lower(),
    )
    order = filled(via, handle["id"])
    assert (order["symbol"], order["notional"], order["quantity"]) == (
        "BTC/USD",
        "1000",
        bought("1000", BTC_ASK),
    )
    assert order["time_in_force"] == (tif or "GTC")


def test_a_sell_by_notional_sells_that_much_of_the_position(via: Rest | Sdk, served: Served) -> None:
    filled(via, via.submit(symbol="AAPL", side="BUY", order_type="MARKET", quantity="2")["id"])
    handle = via.submit(symbol="AAPL", side="SELL", order_type="MARKET", notional="100")
    order = filled(via, handle["id"])
    sold = bought("100", AAPL_BID)
    assert (order["side"], order["notional"], order["filled_quantity"]) == ("SELL", "100", sold)
    position = httpx.get(f"{served.url}/v1/positions/AAPL", timeout=10).json()
    assert Decimal(position["quantity"]) == 2 - Decimal(sold)


@pytest.mark.parametrize(
    ("symbol", "given", "sent"),
    [
        ("AAPL", "100.129999", "100.12"),  # stocks: cents, Alpaca refuses sub-penny notionals
        ("BTC/USD", "250.1234567891", "250.123456789"),  # crypto: the 9 decimals Alpaca documents
    ],
)
def test_notional_is_floored_to_what_alpaca_takes(
    via: Rest | Sdk, served: Served, symbol: str, given: str, sent: str
) -> None:
    handle = via.submit(symbol=symbol, side="BUY", order_type="MARKET", notional=given)
    assert served.at_fake(handle["id"]).notional == Decimal(sent)
    order = filled(via, handle["id"])
    assert order["notional"] == sent


def test_a_stock_notional_under_one_dollar_is_invalid_quantity_before_sending(
    via: Rest | Sdk, served: Served
) -> None:
    before = served.fake_orders()
    status, code, details = via.refused(symbol="AAPL", side="BUY", order_type="MARKET", notional="0.999")
    assert (status, code) == (422, "ORDER_REJECTED")
    assert (details["reject_code"], details["field"]) == ("INVALID_QUANTITY", "notional")
    assert served.fake_orders() == before


REFUSED = [
    ("not fractionable", {"symbol": "BRK.A"}, "notional"),
    ("stock GTC", {"symbol": "AAPL", "time_in_force": "GTC"}, "time_in_force"),
    ("stock IOC", {"symbol": "AAPL", "time_in_force": "IOC"}, "time_in_force"),
    ("stock FOK", {"symbol": "AAPL", "time_in_force": "FOK"}, "time_in_force"),
    ("crypto DAY", {"symbol": "BTC/USD", "time_in_force": "DAY"}, "time_in_force"),
    ("crypto FOK", {"symbol": "BTC/USD", "time_in_force": "FOK"}, "time_in_force"),
    ("reduce_only stock", {"symbol": "AAPL", "reduce_only": True}, "reduce_only"),
    ("reduce_only crypto", {"symbol": "BTC/USD", "reduce_only": True}, "reduce_only"),
]


@pytest.mark.parametrize(("why", "fields", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_what_alpaca_cannot_take_by_notional_is_501_before_sending(
    via: Rest | Sdk, served: Served, why: str, fields: dict[str, Any], field: str
) -> None:
    before = served.fake_orders()
    status, code, details = via.refused(side="SELL", order_type="MARKET", notional="100", **fields)
    assert (status, code) == (501, "UNSUPPORTED_OPERATION"), why
    assert (details["platform"], details["field"]) == ("alpaca", field)
    assert served.fake_orders() == before


def test_the_refusal_of_a_non_fractionable_asset_names_it(served: Served) -> None:
    answer = httpx.post(
        f"{served.url}/v1/orders",
        json={"symbol": "BRK.A", "side": "BUY", "order_type": "MARKET", "notional": "100"},
        timeout=10,
    )
    assert answer.status_code == 501 and "BRK.A" in answer.json()["message"], answer.text


def test_a_repeated_client_order_id_is_the_same_notional_order_only(via: Rest | Sdk, served: Served) -> None:
    fields = {
        "symbol": "AAPL",
        "side": "BUY",
        "order_type": "MARKET",
        "notional": "100",
        "client_order_id": "n-1",
    }
    first = via.submit(**fields)
    before = served.fake_orders()
    assert via.submit(**fields)["id"] == first["id"]  # idempotent: no second order
    assert served.fake_orders() == before
    for other in ({"notional": "101"}, {"notional": None, "quantity": "1"}):
        status, code, details = via.refused(**{**fields, **other})
        assert (status, code, details["field"]) == (400, "VALIDATION_ERROR", "client_order_id"), other
    assert served.fake_orders() == before
    assert filled(via, first["id"])["client_order_id"] == "n-1"


# -- the stream ---------------------------------------------------------------------------------
@pytest.fixture
async def venue(tmp_path: Path) -> AsyncIterator[tuple[AlpacaVenue, Any, list[ServerMessage]]]:
    async with fakes.FakeAlpaca() as fake:
        config = AlpacaConfig.from_env(
            paper=True, env={**fake.env(), "TRADEWIRE_ALPACA_STORE": str(tmp_path / "s")}
        )
        alpaca = AlpacaVenue(config, TradingPlatform.ALPACA_PAPER, backoff=Backoff(initial=0.1, cap=0.3))
        await alpaca.connect()
        out: list[ServerMessage] = []

        async def drain() -> None:
            async for batch in alpaca.stream():
                out.extend(batch.messages)

        task = asyncio.create_task(drain())
        yield alpaca, fake, out
        await alpaca.close()
        await task


def order_events(out: list[ServerMessage]) -> list[tuple[str, Order]]:
    return [
        (m.order.event.name, m.order.order) for m in out if m.order is not None and m.order.order is not None
    ]


async def until(out: list[ServerMessage], name: str) -> None:
    async with asyncio.timeout(10):  # a bound against hanging, not a speed assertion
        while not any(m.connection and m.connection.event.name == name for m in out) and not any(
            e == name for e, _ in order_events(out)
        ):
            await asyncio.sleep(0.02)


def notional_order(**kw: Any) -> SubmitOrderRequest:
    return SubmitOrderRequest(symbol="AAPL", side=Side.BUY, order_type=OrderType.MARKET, notional="100", **kw)


async def test_stream_events_echo_notional_and_the_quantity_filled_so_far(
    venue: tuple[AlpacaVenue, Any, list[ServerMessage]],
) -> None:
    alpaca, fake, out = venue
    fake.set_liquidity("AAPL", "0.2")  # one matching pass fills at most 0.2 shares
    handle = await alpaca.submit_order(notional_order())
    await until(out, "ORDER_PARTIALLY_FILLED")
    fake.set_liquidity("AAPL", None)
    fake.set_price("AAPL", "187.50")
    await until(out, "ORDER_FILLED")
    events = [
        (e, o.notional, o.quantity, o.filled_quantity, o.remaining_quantity) for e, o in order_events(out)
    ]
    total = bought("100", AAPL_ASK)
    assert events == [
        ("ORDER_CREATED", "100", "0", "0", "0"),  # rest.md: "0" before the first fill
        ("ORDER_PARTIALLY_FILLED", "100", "0.2", "0.2", "0"),
        ("ORDER_FILLED", "100", total, total, "0"),
    ]
    assert {o.id for _, o in order_events(out)} == {handle.id}


async def test_a_notional_order_filled_while_the_stream_was_down_reaches_clients_once(
    venue: tuple[AlpacaVenue, Any, list[ServerMessage]],
) -> None:
    alpaca, fake, out = venue
    fake.close_market()  # the stock order waits for the open (`accepted`)
    handle = await alpaca.submit_order(notional_order(client_order_id="gap-1"))
    await until(out, "ORDER_CREATED")
    fake.faults.drop_trade_stream("before_fill")
    fake.open_market()  # it fills; the socket drops before the fill reaches it
    await until(out, "BROKER_RECONNECTED")
    await asyncio.sleep(0.3)  # anything late would show now
    total = bought("100", AAPL_ASK)
    trades = [(m.trade.trade.order_id, m.trade.trade.quantity) for m in out if m.trade and m.trade.trade]
    assert trades == [(handle.id, total)]
    fills = [o for e, o in order_events(out) if e == "ORDER_FILLED"]
    assert [(o.notional, o.quantity, o.client_order_id) for o in fills] == [("100", total, "gap-1")]
    read = await alpaca.get_order(handle.id)  # the REST answer after the resync, the same
    assert (read.notional, read.quantity, read.filled_quantity) == ("100", total, total)


@pytest.mark.parametrize("fault", ["server_error_after", "drop_connection_after", "duplicate_after"])
async def test_a_notional_submit_whose_answer_is_lost_makes_exactly_one_order(
    venue: tuple[AlpacaVenue, Any, list[ServerMessage]], fault: str
) -> None:
    alpaca, fake, _ = venue
    fake.close_market()  # it stays working, so the venue's working list shows it
    getattr(fake.faults, fault)()
    handle = await alpaca.submit_order(notional_order())
    assert len(fake.broker.orders) == 1
    [order] = await alpaca.list_orders(ListOrdersRequest())
    assert (order.id, order.notional, order.quantity) == (handle.id, "100", "0")
