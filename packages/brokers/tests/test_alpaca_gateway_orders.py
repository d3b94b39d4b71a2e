"""Issue 18's "Done when", through `tradewire-gateway serve --platform alpaca-paper` on the fake Alpaca,
once over plain REST and once through the SDK: every order type and TIF Alpaca takes (mapping.md §1-2,
§9) and its refusals, brackets, OTO and OCO, modify, cancel, cancel-all, positions, close, close-all
and the account. One gateway serves the module (debug logging on: its log is grepped for the keys)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tradewire.protocol import codec
from tradewire.protocol.errors import TradewireError
from tradewire.sdk import Client

fakes = pytest.importorskip("tradewire.testkit.fakes.alpaca")

T = TypeVar("T")
PRICES = {"AAPL": "187.50", "MSFT": "410.00", "BTC/USD": "65000"}
WORKING = {"PENDING", "OPEN", "PARTIALLY_FILLED", "PENDING_CANCEL"}


@dataclass
class Served:
    fake: Any  # FakeThread
    url: str
    log: Path

    def at_fake(self, order_id: str) -> Any:
        return self.fake.call(lambda: self.fake.fake.broker.orders[order_id])

    def set_price(self, symbol: str, price: str) -> None:
        self.fake.call(self.fake.fake.set_price, symbol, price)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, serve_alpaca: Callable[..., AbstractContextManager[str]]
) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("alpaca-gateway")
    # A paid plan's budget (the headers report it, the adapter adopts it): the tests poll their orders.
    with fakes.running_fake(rate_limit=10_000) as thread:
        env = {
            **thread.fake.env(),
            "TRADEWIRE_ALPACA_STORE": str(tmp / "gw.sqlite3"),
            "TRADEWIRE_ALPACA_SYMBOLS": "AAPL,BTC/USD",
            "TRADEWIRE_LOG_LEVEL": "debug",
        }
        with serve_alpaca(env, tmp / "gateway.log") as url:
            yield Served(thread, url, tmp / "gateway.log")


def wait_for(check: Callable[[], T], why: str = "") -> T:
    deadline = time.monotonic() + 15  # a bound against hanging, not a speed assertion
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out: {why}"
        time.sleep(0.1)
    return value


class Rest:
    """The wire API over plain HTTP: statuses as rest.md's route table says."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)

    @staticmethod
    def _ok(answer: httpx.Response, status: int = 200) -> Any:
        assert answer.status_code == status, answer.text
        return answer.json()

    def submit(self, **fields: Any) -> dict[str, Any]:
        return self._ok(self.http.post("/v1/orders", json=fields), 201)  # type: ignore[no-any-return]

    def refused(self, call: str, *args: Any, **fields: Any) -> tuple[int, str, Any]:
        method, path, body = {
            "submit": ("POST", "/v1/orders", fields),
            "modify": ("PATCH", f"/v1/orders/{args[0] if args else ''}", fields),
            "cancel": ("DELETE", f"/v1/orders/{args[0] if args else ''}", None),
            "order": ("GET", f"/v1/orders/{args[0] if args else ''}", None),
            "position": ("GET", f"/v1/positions/{args[0] if args else ''}", None),
        }[call]
        answer = self.http.request(method, path, json=body)
        error = answer.json()
        return answer.status_code, error["code"], error.get("details")

    def order(self, order_id: str) -> dict[str, Any]:
        return self._ok(self.http.get(f"/v1/orders/{order_id}"))  # type: ignore[no-any-return]

    def working(self, **query: str) -> list[dict[str, Any]]:
        return self._ok(self.http.get("/v1/orders", params=query))  # type: ignore[no-any-return]

    def history(self) -> list[dict[str, Any]]:
        return self._ok(self.http.get("/v1/orders/history"))  # type: ignore[no-any-return]

    def modify(self, order_id: str, **fields: Any) -> dict[str, Any]:
        return self._ok(self.http.patch(f"/v1/orders/{order_id}", json=fields))  # type: ignore[no-any-return]

    def cancel(self, order_id: str) -> dict[str, Any]:
        return self._ok(self.http.delete(f"/v1/orders/{order_id}"))  # type: ignore[no-any-return]

    def cancel_all(self, symbol: str | None = None) -> dict[str, Any]:
        params = {} if symbol is None else {"symbol": symbol}
        return self._ok(self.http.delete("/v1/orders", params=params))  # type: ignore[no-any-return]

    def positions(self) -> list[dict[str, Any]]:
        return self._ok(self.http.get("/v1/positions"))  # type: ignore[no-any-return]

    def position(self, position_id: str) -> dict[str, Any]:
        return self._ok(self.http.get(f"/v1/positions/{position_id}"))  # type: ignore[no-any-return]

    def close(self, position_id: str, **body: Any) -> dict[str, Any]:
        answer = self.http.request("DELETE", f"/v1/positions/{position_id}", json=body or None)
        return self._ok(answer)  # type: ignore[no-any-return]

    def close_all(self, symbol: str | None = None) -> list[dict[str, Any]]:
        params = {} if symbol is None else {"symbol": symbol}
        return self._ok(self.http.delete("/v1/positions", params=params))  # type: ignore[no-any-return]

    def account(self) -> dict[str, Any]:
        return self._ok(self.http.get("/v1/account"))  # type: ignore[no-any-return]

    def trades(self, **query: Any) -> list[dict[str, Any]]:
        return self._ok(self.http.get("/v1/trades", params=query))  # type: ignore[no-any-return]

    def close_client(self) -> None:
        self.http.close()


class Sdk:
    """The same calls through the SDK's client; its models as the wire's JSON, its errors as codes."""

    def __init__(self, url: str) -> None:
        self.client = Client(url)

    def submit(self, **fields: Any) -> dict[str, Any]:
        return codec.to_dict(self.client.submit_order(**fields))  # type: ignore[no-any-return]

    def refused(self, call: str, *args: Any, **fields: Any) -> tuple[int, str, Any]:
        method = {
            "submit": self.client.submit_order,
            "modify": self.client.modify_order,
            "cancel": self.client.cancel_order,
            "order": self.client.get_order,
            "position": self.client.get_position,
        }[call]
        with pytest.raises(TradewireError) as caught:
            method(*args, **fields)
        return caught.value.status, caught.value.code.name, caught.value.details

    def order(self, order_id: str) -> dict[str, Any]:
        return codec.to_dict(self.client.get_order(order_id))  # type: ignore[no-any-return]

    def working(self, **query: str) -> list[dict[str, Any]]:
        return [codec.to_dict(o) for o in self.client.list_orders(**query)]  # type: ignore[arg-type]

    def history(self) -> list[dict[str, Any]]:
        return [codec.to_dict(o) for o in self.client.list_order_history()]

    def modify(self, order_id: str, **fields: Any) -> dict[str, Any]:
        return codec.to_dict(self.client.modify_order(order_id, **fields))  # type: ignore[no-any-return]

    def cancel(self, order_id: str) -> dict[str, Any]:
        return codec.to_dict(self.client.cancel_order(order_id))  # type: ignore[no-any-return]

    def cancel_all(self, symbol: str | None = None) -> dict[str, Any]:
        return codec.to_dict(self.client.cancel_all_orders(symbol))  # type: ignore[no-any-return]

    def positions(self) -> list[dict[str, Any]]:
        return [codec.to_dict(p) for p in self.client.list_positions()]

    def position(self, position_id: str) -> dict[str, Any]:
        return codec.to_dict(self.client.get_position(position_id))  # type: ignore[no-any-return]

    def close(self, position_id: str, **body: Any) -> dict[str, Any]:
        return codec.to_dict(self.client.close_position(position_id, **body))  # type: ignore[no-any-return]

    def close_all(self, symbol: str | None = None) -> list[dict[str, Any]]:
        return [codec.to_dict(h) for h in self.client.close_all_positions(symbol)]

    def account(self) -> dict[str, Any]:
        return codec.to_dict(self.client.get_account())  # type: ignore[no-any-return]

    def trades(self, **query: Any) -> list[dict[str, Any]]:
        return [codec.to_dict(t) for t in self.client.list_trades(**query)]  # type: ignore[arg-type]

    def close_client(self) -> None:
        self.client.close()


@pytest.fixture(params=["rest", "sdk"])
def via(request: pytest.FixtureRequest, served: Served) -> Iterator[Rest | Sdk]:
    """A client of the module's gateway, on a flat account with nothing working and the fake's prices."""
    reset = Rest(served.url)
    reset.cancel_all()
    reset.close_all()
    wait_for(lambda: not reset.positions() and not reset.working(), "a flat account")
    for symbol, price in PRICES.items():
        served.set_price(symbol, price)
    client = Rest(served.url) if request.param == "rest" else Sdk(served.url)
    yield client
    client.close_client()
    reset.close_client()


def settled(via: Rest | Sdk, order_id: str) -> dict[str, Any]:
    """The order once the fake has answered for it: no longer PENDING or PENDING_CANCEL."""
    return wait_for(
        lambda: (o := via.order(order_id))["status"] not in ("PENDING", "PENDING_CANCEL") and o, order_id
    )


# -- every order type and time in force ------------------------------------------------------------
#: (protocol fields, Alpaca fields at the fake) of orders that rest on the fake's AAPL at 187.50.
RESTING = {
    "LIMIT": ({"order_type": "LIMIT", "limit_price": "150"}, {"type": "limit", "limit_price": "150"}),
    "STOP": ({"order_type": "STOP", "stop_price": "200"}, {"type": "stop", "stop_price": "200"}),
    "STOP_LIMIT": (
        {"order_type": "STOP_LIMIT", "stop_price": "200", "limit_price": "201"},
        {"type": "stop_limit", "stop_price": "200", "limit_price": "201"},
    ),
    "TRAILING_STOP_PERCENT": (
        {"order_type": "TRAILING_STOP", "trailing_distance": "5", "trailing_type": "PERCENT"},
        {"type": "trailing_stop", "trail_percent": "5"},
    ),
    "TRAILING_STOP_ABSOLUTE": (
        {"order_type": "TRAILING_STOP", "trailing_distance": "7.5", "trailing_type": "ABSOLUTE"},
        {"type": "trailing_stop", "trail_price": "7.5"},
    ),
}
STOCK_TIFS = ("DAY", "GTC", "IOC", "FOK")
#: mapping.md §2: a trailing stop takes DAY or GTC only.
STOCK_CASES = [
    (kind, tif)
    for kind in RESTING
    for tif in STOCK_TIFS
    if not (kind.startswith("TRAILING") and tif in ("IOC", "FOK"))
]


def check_sent(served: Served, order: dict[str, Any], expected: dict[str, str], tif: str) -> None:
    """The order as the gateway reports it and as Alpaca (the fake) holds it."""
    at_fake = served.at_fake(order["id"])
    assert at_fake.time_in_force == tif.lower()
    for key, value in expected.items():
        held = getattr(at_fake, key)
        assert (held if key == "type" else Decimal(held)) == (value if key == "type" else Decimal(value))
    assert order["time_in_force"] == tif


@pytest.mark.parametrize(("kind", "tif"), STOCK_CASES, ids=[f"{k}-{t}" for k, t in STOCK_CASES])
def test_every_stock_order_type_and_tif(via: Rest | Sdk, served: Served, kind: str, tif: str) -> None:
    fields, alpaca = RESTING[kind]
    handle = via.submit(symbol="AAPL", side="BUY", quantity="2", time_in_force=tif, **fields)
    order = settled(via, handle["id"])
    check_sent(served, order, alpaca, tif)
    for key, value in fields.items():
        assert order[key] == value, (key, order)
    if tif in ("IOC", "FOK"):
        # Neither marketable nor triggered: it ends at once, unfilled.
        assert order["status"] in ("CANCELLED", "EXPIRED") and order["filled_quantity"] == "0", order
    else:
        assert order["status"] == "OPEN", order
        assert [o["id"] for o in via.working()] == [handle["id"]]
        assert via.cancel(handle["id"])["success"]
        assert settled(via, handle["id"])["status"] == "CANCELLED"


@pytest.mark.parametrize("tif", STOCK_TIFS)
def test_stock_market_and_marketable_limit_fill_with_every_tif(
    via: Rest | Sdk, served: Served, tif: str
) -> None:
    market = via.submit(symbol="AAPL", side="BUY", quantity="2", order_type="MARKET", time_in_force=tif)
    limit = via.submit(symbol="AAPL", side="BUY", quantity="3", order_type="LIMIT", limit_price="190",
                       time_in_force=tif)  # fmt: skip
    for handle, quantity, kind in ((market, "2", "market"), (limit, "3", "limit")):
        order = settled(via, handle["id"])
        assert (order["status"], order["filled_quantity"]) == ("FILLED", quantity), order
        assert order["average_fill_price"] == "187.51"  # the fake's ask
        check_sent(served, order, {"type": kind}, tif)
    [position] = wait_for(via.positions)
    assert (position["symbol"], position["side"], position["quantity"]) == ("AAPL", "LONG", "5")


CRYPTO_CASES = [(kind, tif) for kind in ("MARKET", "LIMIT", "STOP_LIMIT") for tif in ("GTC", "IOC")]


@pytest.mark.parametrize(("kind", "tif"), CRYPTO_CASES, ids=[f"{k}-{t}" for k, t in CRYPTO_CASES])
def test_every_crypto_order_type_and_tif(via: Rest | Sdk, served: Served, kind: str, tif: str) -> None:
    fields: dict[str, str] = {
        "MARKET": {},
        "LIMIT": {"limit_price": "60000"},
        "STOP_LIMIT": {"stop_price": "70000", "limit_price": "70100"},
    }[kind]
    handle = via.submit(symbol="BTC/USD", side="BUY", quantity="0.25", order_type=kind, time_in_force=tif,
                        **fields)  # fmt: skip
    order = settled(via, handle["id"])
    check_sent(served, order, {"type": kind.lower(), **fields}, tif)
    if kind == "MARKET":
        assert (order["status"], order["filled_quantity"]) == ("FILLED", "0.25"), order
        [position] = wait_for(via.positions)
        assert (position["symbol"], position["id"], position["quantity"]) == ("BTC/USD", "BTCUSD", "0.25")
    elif tif == "IOC":  # neither marketable nor triggered
        assert order["status"] in ("CANCELLED", "EXPIRED") and order["filled_quantity"] == "0", order
    else:
        assert order["status"] == "OPEN", order


#: What Alpaca lacks (mapping.md §1-2, §9): refused before any call, naming the platform and field.
REFUSED = [
    ("crypto STOP", {"symbol": "BTC/USD", "order_type": "STOP", "stop_price": "70000"}, "order_type"),
    (
        "crypto TRAILING_STOP",
        {
            "symbol": "BTC/USD",
            "order_type": "TRAILING_STOP",
            "trailing_distance": "1",
            "trailing_type": "PERCENT",
        },
        "order_type",
    ),
    ("crypto DAY", {"symbol": "BTC/USD", "order_type": "MARKET", "time_in_force": "DAY"}, "time_in_force"),
    ("crypto FOK", {"symbol": "BTC/USD", "order_type": "MARKET", "time_in_force": "FOK"}, "time_in_force"),
    (
        "trailing IOC",
        {
            "order_type": "TRAILING_STOP",
            "trailing_distance": "1",
            "trailing_type": "PERCENT",
            "time_in_force": "IOC",
        },
        "time_in_force",
    ),
    (
        "bracket FOK",
        {
            "order_type": "LIMIT",
            "limit_price": "150",
            "stop_loss": "140",
            "take_profit": "200",
            "time_in_force": "FOK",
        },
        "time_in_force",
    ),
    ("post_only", {"order_type": "LIMIT", "limit_price": "150", "post_only": True}, "post_only"),
    ("hidden", {"order_type": "LIMIT", "limit_price": "150", "hidden": True}, "hidden"),
    (
        "display_quantity",
        {"order_type": "LIMIT", "limit_price": "150", "display_quantity": "1"},
        "display_quantity",
    ),
]


@pytest.mark.parametrize(("name", "fields", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_what_alpaca_lacks_is_refused_before_any_call(
    via: Rest | Sdk, served: Served, name: str, fields: dict[str, Any], field: str
) -> None:
    request = {"symbol": "AAPL", "side": "BUY", "quantity": "2", "time_in_force": "GTC", **fields}
    before = served.fake.call(lambda: len(served.fake.fake.broker.orders))
    status, code, details = via.refused("submit", **request)
    assert (status, code) == (501, "UNSUPPORTED_OPERATION")
    assert details["platform"] == "alpaca" and details["field"] == field
    assert served.fake.call(lambda: len(served.fake.fake.broker.orders)) == before


# -- brackets, OTO, OCO ------------------------------------------------------------------------------
def test_stock_bracket_is_native_and_its_take_profit_cancels_the_stop(
    via: Rest | Sdk, served: Served
) -> None:
    entry = via.submit(symbol="AAPL", side="BUY", quantity="2", order_type="LIMIT", limit_price="190",
                       time_in_force="GTC", stop_loss="180", take_profit="195")  # fmt: skip
    assert served.at_fake(entry["id"]).order_class == "bracket"
    order = settled(via, entry["id"])
    assert (order["status"], order["stop_loss"], order["take_profit"]) == ("FILLED", "180", "195")
    legs = wait_for(lambda: [o for o in via.working() if o.get("parent_order_id") == entry["id"]])
    assert sorted((o["order_type"], o["side"], o["quantity"]) for o in legs) == [
        ("LIMIT", "SELL", "2"), ("STOP", "SELL", "2"),
    ]  # fmt: skip
    served.set_price("AAPL", "196")
    wait_for(lambda: not via.positions(), "the take-profit closes the position")
    finished = {o["id"]: o for o in wait_for(lambda: not via.working() and via.history())}
    assert sorted(finished[o["id"]]["status"] for o in legs) == ["CANCELLED", "FILLED"]


def test_stock_oto_takes_one_exit(via: Rest | Sdk, served: Served) -> None:
    entry = via.submit(symbol="AAPL", side="BUY", quantity="2", order_type="LIMIT", limit_price="150",
                       time_in_force="DAY", take_profit="200")  # fmt: skip
    assert served.at_fake(entry["id"]).order_class == "oto"
    order = settled(via, entry["id"])
    assert (order["status"], order["take_profit"], order.get("stop_loss")) == ("OPEN", "200", None)
    assert via.cancel(entry["id"])["success"]
    wait_for(lambda: not via.working(), "cancelling the entry cancels the group")


def test_oco_pair_on_a_stock_position_the_stop_cancels_the_take_profit(
    via: Rest | Sdk, served: Served
) -> None:
    via.submit(symbol="AAPL", side="BUY", quantity="3", order_type="MARKET", time_in_force="DAY")
    wait_for(via.positions)
    take = via.submit(symbol="AAPL", side="SELL", quantity="3", order_type="LIMIT", limit_price="200",
                      time_in_force="GTC", oco_group_id="g-1")  # fmt: skip
    stop = via.submit(symbol="AAPL", side="SELL", quantity="3", order_type="STOP", stop_price="180",
                      time_in_force="GTC", oco_group_id="g-1")  # fmt: skip
    group = via.working(oco_group_id="g-1")
    assert sorted(o["id"] for o in group) == sorted([take["id"], stop["id"]])
    served.set_price("AAPL", "179")
    wait_for(lambda: not via.positions(), "the stop closes the position")
    wait_for(lambda: not via.working(), "the take-profit is cancelled")
    assert settled(via, stop["id"])["status"] == "FILLED"
    assert settled(via, take["id"])["status"] == "CANCELLED"


def test_crypto_bracket_is_managed_and_its_take_profit_cancels_the_stop(
    via: Rest | Sdk, served: Served
) -> None:
    entry = via.submit(symbol="BTC/USD", side="BUY", quantity="0.5", order_type="MARKET", time_in_force="GTC",
                       stop_loss="60000", take_profit="70000")  # fmt: skip
    legs = wait_for(lambda: len(w := [o for o in via.working() if o.get("parent_order_id") == entry["id"]]) == 2
                    and w)  # fmt: skip
    assert sorted((o["order_type"], o["quantity"]) for o in legs) == [("LIMIT", "0.5"), ("STOP", "0.5")]
    served.set_price("BTC/USD", "71000")
    wait_for(lambda: not via.positions(), "the take-profit closes the position")
    wait_for(lambda: not via.working(), "the stop is cancelled")
    finished = {o["id"]: o for o in via.history()}
    assert sorted(finished[o["id"]]["status"] for o in legs) == ["CANCELLED", "FILLED"]


# -- modify and cancel -------------------------------------------------------------------------------
MODIFY = [
    ({"order_type": "LIMIT", "limit_price": "150"}, {"limit_price": "151", "quantity": "3"}),
    ({"order_type": "STOP", "stop_price": "200"}, {"stop_price": "201"}),
    (
        {"order_type": "STOP_LIMIT", "stop_price": "200", "limit_price": "201"},
        {"stop_price": "202", "limit_price": "203"},
    ),
    (
        {"order_type": "TRAILING_STOP", "trailing_distance": "5", "trailing_type": "PERCENT"},
        {"trailing_distance": "4"},
    ),
]


@pytest.mark.parametrize(("fields", "change"), MODIFY, ids=[m[0]["order_type"] for m in MODIFY])
def test_modify_replaces_the_order(
    via: Rest | Sdk, served: Served, fields: dict[str, str], change: dict[str, str]
) -> None:
    handle = via.submit(symbol="AAPL", side="BUY", quantity="2", time_in_force="GTC", **fields)
    settled(via, handle["id"])
    result = via.modify(handle["id"], **change)
    new = result["order"]
    assert result["previous_order_id"] == handle["id"] and new["id"] != handle["id"]
    for key, value in change.items():
        assert new[key] == value, (key, new)
    assert settled(via, handle["id"])["status"] == "CANCELLED"  # replaced
    assert [o["id"] for o in via.working()] == [new["id"]]
    assert served.at_fake(new["id"]).replaces == handle["id"]


def test_cancel_is_idempotent_and_a_finished_order_is_not_modifiable(via: Rest | Sdk) -> None:
    resting = via.submit(symbol="AAPL", side="BUY", quantity="2", order_type="LIMIT", limit_price="150")
    cancelled = via.cancel(resting["id"])
    assert cancelled["success"] and cancelled["order"]["status"] in ("PENDING_CANCEL", "CANCELLED")
    assert settled(via, resting["id"])["status"] == "CANCELLED"
    again = via.cancel(resting["id"])  # rest.md: a cancelled order's cancel answers 200, unchanged
    assert again["success"] and again["order"]["status"] == "CANCELLED"
    filled = via.submit(symbol="AAPL", side="BUY", quantity="2", order_type="MARKET", time_in_force="DAY")
    assert settled(via, filled["id"])["status"] == "FILLED"
    for call, extra in (("cancel", {}), ("modify", {"quantity": "3"})):
        status, code, details = via.refused(call, filled["id"], **extra)
        assert (status, code, details) == (409, "ORDER_NOT_MODIFIABLE", {"order_id": filled["id"]})
    resting = via.submit(symbol="AAPL", side="BUY", quantity="2", order_type="LIMIT", limit_price="150")
    status, code, _ = via.refused("modify", resting["id"], stop_price="140")  # a LIMIT has no stop
    assert (status, code) == (409, "ORDER_NOT_MODIFIABLE")
    unknown = "00000000-0000-4000-8000-000000000000"
    for call in ("order", "cancel"):
        assert via.refused(call, unknown)[:2] == (404, "ORDER_NOT_FOUND")


def test_cancel_all_of_one_symbol_then_of_all(via: Rest | Sdk) -> None:
    mine = [
        via.submit(symbol=s, side="BUY", quantity="1", order_type="LIMIT", limit_price=p, time_in_force="GTC")
        for s, p in (("AAPL", "150"), ("AAPL", "151"), ("MSFT", "300"), ("BTC/USD", "60000"))
    ]
    assert via.cancel_all("AAPL") == {"cancelled_count": 2, "failed_count": 0}
    left = wait_for(lambda: len(w := via.working()) == 2 and w, "the AAPL orders end")
    assert sorted(o["id"] for o in left) == sorted(h["id"] for h in mine[2:])
    assert via.cancel_all() == {"cancelled_count": 2, "failed_count": 0}
    wait_for(lambda: not via.working(), "everything ends")
    assert {settled(via, h["id"])["status"] for h in mine} == {"CANCELLED"}


# -- positions, close, close-all, the account --------------------------------------------------------
def test_positions_close_close_all_and_the_account(via: Rest | Sdk, served: Served) -> None:
    broker = served.fake.fake.broker
    assert Decimal(via.account()["balance"]) == served.fake.call(lambda: broker.account.cash)
    via.submit(symbol="AAPL", side="BUY", quantity="10", order_type="MARKET", time_in_force="DAY")
    via.submit(symbol="BTC/USD", side="BUY", quantity="0.5", order_type="MARKET", time_in_force="GTC")
    via.submit(symbol="MSFT", side="SELL", quantity="2", order_type="MARKET", time_in_force="DAY")  # a short
    positions = wait_for(lambda: len(p := via.positions()) == 3 and p)
    assert sorted((p["id"], p["symbol"], p["side"], p["quantity"]) for p in positions) == [
        ("AAPL", "AAPL", "LONG", "10"), ("BTCUSD", "BTC/USD", "LONG", "0.5"), ("MSFT", "MSFT", "SHORT", "2"),
    ]  # fmt: skip
    assert via.position("BTCUSD")["symbol"] == "BTC/USD"
    account = via.account()
    assert Decimal(account["balance"]) == served.fake.call(lambda: broker.account.cash)
    assert Decimal(account["unrealized_pnl"]) == sum(Decimal(p["unrealized_pnl"]) for p in via.positions())
    assert account["currency"] == "USD"
    fills = via.trades()  # newest first, one per fill, each with its order
    assert sorted((t["symbol"], t["side"], t["quantity"]) for t in fills[:3]) == [
        ("AAPL", "BUY", "10"), ("BTC/USD", "BUY", "0.5"), ("MSFT", "SELL", "2"),
    ]  # fmt: skip
    assert [t["order_id"] for t in via.trades(symbol="MSFT", limit=1)] == [fills[0]["order_id"]]
    via.close("AAPL", quantity="4")
    wait_for(lambda: via.position("AAPL")["quantity"] == "6", "a partial close")
    via.close("AAPL", quantity="100")  # rest.md: larger than the position closes all of it
    wait_for(lambda: len(via.positions()) == 2, "a whole close")
    assert via.refused("position", "AAPL")[:2] == (404, "POSITION_NOT_FOUND")
    assert len(via.close_all()) == 2  # the short is bought back too
    wait_for(lambda: not via.positions(), "close-all")
    assert via.close_all() == []
    assert served.fake.call(lambda: {s: p.qty for s, p in broker.positions.items() if p.qty}) == {}
    assert Decimal(via.account()["balance"]) == served.fake.call(lambda: broker.account.cash)


# -- the log -----------------------------------------------------------------------------------------
def test_the_gateway_log_at_debug_shows_no_key(served: Served) -> None:
    """The brokers README: keys from the environment, never logged (both streams authenticated at start)."""
    text = wait_for(lambda: (t := served.log.read_text()).count('\\"action\\": \\"auth\\"') >= 2 and t)
    for secret in (served.fake.fake.config.key_id, served.fake.fake.config.secret_key):
        assert secret not in text


#: A stock bracket (native legs at Alpaca) and a crypto one (a resting take-profit, a gateway stop).
BRACKETS = [
    {"symbol": "AAPL", "quantity": "2", "order_type": "LIMIT", "limit_price": "190", "stop_loss": "180",
     "take_profit": "195"},
    {"symbol": "BTC/USD", "quantity": "0.5", "order_type": "MARKET", "stop_loss": "60000",
     "take_profit": "70000"},
]  # fmt: skip


@pytest.mark.parametrize("bracket", BRACKETS, ids=["stock", "crypto"])
def test_closing_a_bracketed_position_cleans_up_its_exits(via: Rest | Sdk, bracket: dict[str, str]) -> None:
    """rest.md: a closed position's attached exits are always cleaned up (cancel_associated_orders or not);
    Alpaca itself refuses the close while they hold the position's quantity."""
    via.submit(side="BUY", time_in_force="GTC", **bracket)
    wait_for(lambda: len(via.working()) == 2, "the exits work")
    [position] = via.positions()
    via.close(position["id"])
    wait_for(lambda: not via.positions(), "the position closes")
    wait_for(lambda: not via.working(), "its exits are cancelled")


def test_a_partial_close_with_cancel_associated_orders_cancels_the_exits_only(via: Rest | Sdk) -> None:
    """cancel_associated_orders on a partial close cancels the position's exits (the closing side's
    working orders), not an order that adds to the position (it used to cancel every order of the
    symbol)."""
    via.submit(symbol="AAPL", side="BUY", quantity="5", order_type="MARKET", time_in_force="DAY")
    wait_for(via.positions, "the position opens")
    add = via.submit(symbol="AAPL", side="BUY", quantity="1", order_type="LIMIT", limit_price="100",
                     time_in_force="GTC")  # fmt: skip
    via.submit(symbol="AAPL", side="SELL", quantity="5", order_type="LIMIT", limit_price="400",
               time_in_force="GTC")  # fmt: skip
    wait_for(lambda: len(via.working()) == 2, "both limits work")
    via.close("AAPL", quantity="2", cancel_associated_orders=True)
    wait_for(lambda: [o["id"] for o in via.working()] == [add["id"]], "only the sell limit is cancelled")
    wait_for(lambda: [p["quantity"] for p in via.positions()] == ["3"], "two of five are sold")


def test_a_limit_close_is_an_opposite_limit_order(via: Rest | Sdk) -> None:
    via.submit(symbol="AAPL", side="BUY", quantity="5", order_type="MARKET", time_in_force="DAY")
    wait_for(via.positions)
    handle = via.close("AAPL", quantity="2", order_type="LIMIT", limit_price="250")
    order = settled(via, handle["id"])
    assert (order["side"], order["order_type"], order["quantity"], order["limit_price"]) == (
        "SELL", "LIMIT", "2", "250",
    )  # fmt: skip
    assert order["status"] == "OPEN"


def test_modifying_a_brackets_stop_leg_keeps_it_in_the_bracket(via: Rest | Sdk, served: Served) -> None:
    """mapping.md §3: an exit price is modified by replacing the leg; the new leg is still the bracket's."""
    entry = via.submit(**BRACKETS[0], side="BUY", time_in_force="GTC")
    legs = wait_for(lambda: len(w := via.working()) == 2 and w, "the exits work")
    stop = next(o for o in legs if o["order_type"] == "STOP")
    result = via.modify(stop["id"], stop_price="181")
    assert result["previous_order_id"] == stop["id"] and result["order"]["stop_price"] == "181"
    assert result["order"].get("parent_order_id") == entry["id"]
    working = {o["id"]: o for o in via.working()}
    assert working[result["order"]["id"]].get("parent_order_id") == entry["id"]
    served.set_price("AAPL", "180.5")
    wait_for(lambda: not via.positions(), "the moved stop closes the position")
    wait_for(lambda: not via.working(), "the take-profit is cancelled")
