"""A small Alpaca on 127.0.0.1 for the adapter's tests: real HTTP and WebSocket, Alpaca's shapes (alpaca.md).

Only the network edge is fake: the adapter talks to it over real sockets with its real client. It
keeps orders, positions, fills and the account in memory, fills market orders at a fixed price,
pushes `trade_updates` as binary frames, and injects the faults the tests name (500 after creating
an order, a slow answer, 429 with reset, a dropped stream). The testkit's full fake
(`tradewire.testkit.fakes.alpaca`) supersedes it once merged.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import uvicorn

KEY, SECRET = "PKTESTKEY12345678", "test-secret-abcdefgh"
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def now_text() -> str:
    t = time.time_ns()
    base = dt.datetime.fromtimestamp(t // 1_000_000_000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{t % 1_000_000_000:09d}Z"


def _d(text: str | None) -> Decimal:
    return Decimal(text or "0")


def _s(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Faults:
    #: Answer the next N submits 500 after creating the order (unknown outcome).
    error_after_create: int = 0
    #: Delay the next N submit answers this long (the client times out), after creating the order.
    slow_submit: float = 0.0
    slow_submits: int = 0
    #: Answer the next N trading requests 429 with a reset this many seconds ahead.
    rate_limited: int = 0
    reset_in: int = 1


@dataclass
class MiniAlpaca:
    """The state and the ASGI app. `price` fills market orders; `auto_fill` fills them on submit."""

    price: Decimal = Decimal("100")
    auto_fill: bool = True
    faults: Faults = field(default_factory=Faults)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: dict[str, Decimal] = field(default_factory=dict)
    avg: dict[str, Decimal] = field(default_factory=dict)
    activities: list[dict[str, Any]] = field(default_factory=list)
    cash: Decimal = Decimal("100000")
    requests: list[tuple[str, str]] = field(default_factory=list)
    sockets: list[Send] = field(default_factory=list)
    data_sockets: list[Send] = field(default_factory=list)
    #: Events not yet pushed because no stream was listening (the real Alpaca drops them: so do we).
    dropped: list[dict[str, Any]] = field(default_factory=list)
    _closers: list[asyncio.Event] = field(default_factory=list)
    _exec: int = 0

    # -- order book ---------------------------------------------------------------------------
    def _order(self, body: dict[str, Any], replaces: str | None = None) -> dict[str, Any]:
        stamp = now_text()
        crypto = "/" in body["symbol"]
        return {
            "id": str(uuid.uuid4()),
            "client_order_id": body.get("client_order_id") or str(uuid.uuid4()),
            "created_at": stamp,
            "updated_at": stamp,
            "submitted_at": stamp,
            "filled_at": None,
            "replaced_by": None,
            "replaces": replaces,
            "asset_id": str(uuid.uuid5(uuid.NAMESPACE_OID, body["symbol"])),
            "symbol": body["symbol"],
            "asset_class": "crypto" if crypto else "us_equity",
            "notional": None,
            "qty": body["qty"],
            "filled_qty": "0",
            "filled_avg_price": None,
            "order_class": body.get("order_class", ""),
            "order_type": body["type"],
            "type": body["type"],
            "side": body["side"],
            "time_in_force": body["time_in_force"],
            "limit_price": body.get("limit_price"),
            "stop_price": body.get("stop_price"),
            "status": "new",
            "extended_hours": False,
            "legs": None,
            "trail_percent": body.get("trail_percent"),
            "trail_price": body.get("trail_price"),
            "hwm": None,
        }

    async def publish(self, event: str, order: dict[str, Any], **extra: Any) -> None:
        data = {"event": event, "timestamp": now_text(), "order": dict(order), **extra}
        frame = json.dumps({"stream": "trade_updates", "data": data}).encode()
        if not self.sockets:
            self.dropped.append(data)
        for send in list(self.sockets):
            with contextlib.suppress(Exception):
                await send({"type": "websocket.send", "bytes": frame})

    async def fill(
        self, order: dict[str, Any], qty: Decimal | None = None, price: Decimal | None = None
    ) -> None:
        """Fill `qty` (default: the rest) of an order at `price` (default: `self.price`) and report it."""
        price = price or self.price
        remaining = _d(order["qty"]) - _d(order["filled_qty"])
        qty = remaining if qty is None else min(qty, remaining)
        before = _d(order["filled_qty"])
        cum = before + qty
        avg_before = _d(order["filled_avg_price"])
        order["filled_avg_price"] = _s((avg_before * before + price * qty) / cum)
        order["filled_qty"] = _s(cum)
        order["status"] = "filled" if cum == _d(order["qty"]) else "partially_filled"
        order["updated_at"] = now_text()
        symbol = order["symbol"].replace("/", "")
        signed = qty if order["side"] == "buy" else -qty
        held = self.positions.get(symbol, Decimal(0))
        if held == 0 or (held > 0) == (signed > 0):
            self.avg[symbol] = (self.avg.get(symbol, Decimal(0)) * abs(held) + price * qty) / (
                abs(held) + qty
            )
        self.positions[symbol] = held + signed
        if self.positions[symbol] == 0:
            del self.positions[symbol]
        self.cash -= signed * price
        self._exec += 1
        self.activities.append(
            {
                "id": f"{time.time_ns()}::{uuid.uuid4()}",
                "activity_type": "FILL",
                "transaction_time": order["updated_at"],
                "type": "fill" if order["status"] == "filled" else "partial_fill",
                "price": _s(price),
                "qty": _s(qty),
                "side": order["side"],
                "symbol": symbol if order["asset_class"] == "crypto" else order["symbol"],
                "leaves_qty": _s(_d(order["qty"]) - cum),
                "cum_qty": _s(cum),
                "order_id": order["id"],
                "order_status": order["status"],
            }
        )
        event = "fill" if order["status"] == "filled" else "partial_fill"
        await self.publish(
            event,
            order,
            execution_id=str(uuid.uuid4()),
            price=_s(price),
            qty=_s(qty),
            position_qty=_s(self.positions.get(symbol, Decimal(0))),
        )

    async def cancel(self, order: dict[str, Any]) -> None:
        order["status"] = "canceled"
        order["updated_at"] = now_text()
        await self.publish("canceled", order)

    # -- the app ------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if scope["path"].startswith("/data-stream/"):
                await self._data_stream(receive, send)
            else:
                await self._stream(receive, send)
            return
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        method, path = scope["method"], scope["path"]
        self.requests.append((method, path))
        status, body, extra = await self._route(
            method, path, query, json.loads(raw) if raw else None, headers
        )
        window = {
            "X-Ratelimit-Limit": "200",
            "X-Ratelimit-Remaining": "150",
            "X-Ratelimit-Reset": str(int(time.time()) + 60),
            **extra,
        }
        payload = b"" if body is None else json.dumps(body).encode()
        out = [(k.encode(), v.encode()) for k, v in window.items()]
        out.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": payload})

    async def _route(
        self, method: str, path: str, q: dict[str, str], body: Any, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        if headers.get("apca-api-key-id") != KEY or headers.get("apca-api-secret-key") != SECRET:
            return 401, {"code": 40110000, "message": "request is not authorized"}, {}
        if self.faults.rate_limited and not path.startswith("/data"):
            self.faults.rate_limited -= 1
            reset = str(int(time.time()) + self.faults.reset_in)
            return (
                429,
                {"code": 42910000, "message": "rate limit exceeded"},
                {
                    "X-Ratelimit-Remaining": "0",
                    "X-Ratelimit-Reset": reset,
                },
            )
        if method == "POST" and path == "/v2/orders":
            return await self._submit(body)
        if method == "GET" and path == "/v2/orders:by_client_order_id":
            for order in self.orders.values():
                if order["client_order_id"] == q.get("client_order_id"):
                    return 200, order, {}
            return 404, {"code": 40410000, "message": "order not found"}, {}
        if method == "GET" and path == "/v2/orders":
            wanted = q.get("status", "open")
            terminal = {"filled", "canceled", "expired", "replaced", "rejected"}
            rows = [
                o
                for o in self.orders.values()
                if wanted == "all" or (wanted == "open") == (o["status"] not in terminal)
            ]
            return 200, sorted(rows, key=lambda o: o["submitted_at"], reverse=True), {}
        if method == "DELETE" and path == "/v2/orders":
            out = []
            for order in list(self.orders.values()):
                if order["status"] in ("new", "accepted", "partially_filled"):
                    await self.cancel(order)
                    out.append({"id": order["id"], "status": 200, "body": None})
            return 207, out, {}
        if path.startswith("/v2/orders/"):
            order = self.orders.get(path.rsplit("/", 1)[1])
            if order is None:
                return 404, {"code": 40410000, "message": "order not found"}, {}
            if method == "GET":
                return 200, order, {}
            if method == "DELETE":
                if order["status"] in ("filled", "canceled", "expired", "replaced", "rejected"):
                    return (
                        422,
                        {"code": 42210000, "message": f"order is not cancelable (status {order['status']})"},
                        {},
                    )
                await self.cancel(order)
                return 204, None, {}
            if method == "PATCH":
                if order["status"] not in ("new", "accepted"):
                    return 422, {"code": 42210000, "message": "order is not replaceable"}, {}
                merged = {**order, "type": order["type"], **{k: v for k, v in body.items() if k != "trail"}}
                new = self._order(merged, replaces=order["id"])
                order["status"], order["replaced_by"] = "replaced", new["id"]
                self.orders[new["id"]] = new
                await self.publish("replaced", order)
                await self.publish("new", new)
                return 200, new, {}
        if method == "GET" and path == "/v2/positions":
            return 200, [self._position(s) for s in self.positions], {}
        if path.startswith("/v2/positions/"):
            symbol = path.rsplit("/", 1)[1]
            if symbol not in self.positions:
                return 404, {"code": 40410000, "message": "position does not exist"}, {}
            if method == "GET":
                return 200, self._position(symbol), {}
            qty = _d(q["qty"]) if "qty" in q else abs(self.positions[symbol])
            side = "sell" if self.positions[symbol] > 0 else "buy"
            crypto = any(symbol.endswith(c) and len(symbol) > 5 for c in ("USD",))
            sym = f"{symbol[:-3]}/USD" if crypto else symbol
            return await self._submit(
                {"symbol": sym, "qty": _s(qty), "side": side, "type": "market", "time_in_force": "day"}
            )
        if method == "DELETE" and path == "/v2/positions":
            out = []
            for symbol in list(self.positions):
                _, order, _ = await self._route("DELETE", f"/v2/positions/{symbol}", {}, None, headers)
                out.append({"symbol": symbol, "status": 200, "body": order})
            return 207, out, {}
        if method == "GET" and path == "/v2/account":
            return 200, self._account(), {}
        if method == "GET" and path == "/v2/clock":
            return (
                200,
                {"timestamp": now_text(), "is_open": True, "next_open": now_text(), "next_close": now_text()},
                {},
            )
        if method == "GET" and path.startswith("/v2/assets/"):
            symbol = path[len("/v2/assets/") :]
            if symbol in ("NOPE", "NOPE/USD"):
                return 404, {"code": 40410000, "message": "asset not found"}, {}
            crypto = "/" in symbol
            asset: dict[str, Any] = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_OID, symbol)),
                "class": "crypto" if crypto else "us_equity",
                "exchange": "CRYPTO" if crypto else "NASDAQ",
                "symbol": symbol,
                "status": "active",
                "tradable": True,
                "marginable": not crypto,
                "shortable": not crypto,
                "fractionable": True,
            }
            if crypto:
                asset |= {
                    "min_order_size": "0.0001",
                    "min_trade_increment": "0.000000001",
                    "price_increment": "1",
                }
            return 200, asset, {}
        if method == "GET" and path == "/v2/account/activities/FILL":
            after = q.get("after")
            rows = [a for a in self.activities if after is None or a["transaction_time"] > after]
            token = q.get("page_token")
            if token:
                ids = [a["id"] for a in rows]
                rows = rows[ids.index(token) + 1 :] if token in ids else rows
            return 200, rows[: int(q.get("page_size", "100"))], {}
        if method == "GET" and path.startswith("/data/v2/stocks/") and path.endswith("/quotes/latest"):
            symbol = path.split("/")[4]
            quote = {
                "t": now_text(),
                "bp": float(self.price - 1),
                "bs": 4,
                "ap": float(self.price + 1),
                "as": 2,
            }
            return 200, {"symbol": symbol, "quote": quote}, {}
        if method == "GET" and path.startswith("/data/v2/stocks/") and path.endswith("/bars"):
            bars = [
                {
                    "t": "2026-03-16T18:38:00Z",
                    "o": 1.5,
                    "h": 2.25,
                    "l": 1.25,
                    "c": 2.0,
                    "v": 100,
                    "n": 3,
                    "vw": 1.8,
                }
            ]
            return 200, {"bars": bars, "symbol": path.split("/")[4], "next_page_token": None}, {}
        return 404, {"code": 40410000, "message": f"no route {method} {path}"}, {}

    async def _submit(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        cid = body.get("client_order_id")
        if cid and any(o["client_order_id"] == cid for o in self.orders.values()):
            return 422, {"code": 40010001, "message": "client_order_id must be unique"}, {}
        if _d(body.get("qty")) <= 0:
            return 422, {"code": 40010001, "message": "qty must be > 0"}, {}
        order = self._order(body)
        self.orders[order["id"]] = order
        await self.publish("new", order)
        if self.auto_fill and body["type"] == "market":
            await self.fill(order)
        if self.faults.error_after_create:
            self.faults.error_after_create -= 1
            return 500, {"code": 50010000, "message": "internal server error"}, {}
        if self.faults.slow_submits:
            self.faults.slow_submits -= 1
            await asyncio.sleep(self.faults.slow_submit)
        return 200, order, {}

    def _position(self, symbol: str) -> dict[str, Any]:
        qty = self.positions[symbol]
        crypto = len(symbol) > 5
        return {
            "asset_id": str(uuid.uuid5(uuid.NAMESPACE_OID, symbol)),
            "symbol": symbol,
            "exchange": "CRYPTO" if crypto else "NASDAQ",
            "asset_class": "crypto" if crypto else "us_equity",
            "asset_marginable": not crypto,
            "qty": _s(qty),
            "qty_available": _s(qty),
            "side": "long" if qty > 0 else "short",
            "avg_entry_price": _s(self.avg[symbol]),
            "market_value": _s(qty * self.price),
            "cost_basis": _s(qty * self.avg[symbol]),
            "unrealized_pl": _s(qty * (self.price - self.avg[symbol])),
            "current_price": _s(self.price),
        }

    def _account(self) -> dict[str, Any]:
        value = sum((q * self.price for q in self.positions.values()), Decimal(0))
        return {
            "id": "acc-1",
            "account_number": "PA000001",
            "status": "ACTIVE",
            "currency": "USD",
            "cash": _s(self.cash),
            "equity": _s(self.cash + value),
            "portfolio_value": _s(self.cash + value),
            "buying_power": _s(self.cash * 2),
            "initial_margin": "0",
            "maintenance_margin": "0",
            "multiplier": "2",
            "daytrade_count": 0,
            "shorting_enabled": True,
            "trading_blocked": False,
        }

    async def _stream(self, receive: Receive, send: Send) -> None:
        first = await receive()
        if first["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        closer = asyncio.Event()
        self._closers.append(closer)
        authorized = False

        async def reply(obj: dict[str, Any]) -> None:
            await send({"type": "websocket.send", "bytes": json.dumps(obj).encode()})

        async def reader() -> None:
            nonlocal authorized
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text") or (message.get("bytes") or b"").decode()
                request = json.loads(text)
                if request.get("action") == "authenticate":
                    data = request.get("data", {})
                    authorized = data.get("key_id") == KEY and data.get("secret_key") == SECRET
                    status = "authorized" if authorized else "unauthorized"
                    await reply(
                        {"stream": "authorization", "data": {"status": status, "action": "authenticate"}}
                    )
                elif request.get("action") == "listen":
                    if not authorized:
                        await reply(
                            {
                                "stream": "authorization",
                                "data": {"status": "unauthorized", "action": "listen"},
                            }
                        )
                        continue
                    streams = request["data"]["streams"]
                    await reply({"stream": "listening", "data": {"streams": streams}})
                    if "trade_updates" in streams:
                        self.sockets.append(send)

        task = asyncio.create_task(reader())
        closing = asyncio.create_task(closer.wait())
        await asyncio.wait({task, closing}, return_when=asyncio.FIRST_COMPLETED)
        if send in self.sockets:
            self.sockets.remove(send)
        task.cancel()
        closing.cancel()
        with contextlib.suppress(Exception):
            await send({"type": "websocket.close", "code": 1011})

    async def push_quote(self, symbol: str, bid: str, ask: str) -> None:
        """A quote on every subscribed data stream (JSON numbers, as Alpaca sends them)."""
        frame = json.dumps(
            [{"T": "q", "S": symbol, "bp": "@B", "bs": 3, "ap": "@A", "as": 1, "t": now_text()}]
        )
        frame = frame.replace('"@B"', bid).replace('"@A"', ask)
        for send in list(self.data_sockets):
            with contextlib.suppress(Exception):
                await send({"type": "websocket.send", "text": frame})

    async def _data_stream(self, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        closer = asyncio.Event()
        self._closers.append(closer)

        async def reply(obj: list[dict[str, Any]]) -> None:
            await send({"type": "websocket.send", "text": json.dumps(obj)})

        async def reader() -> None:
            await reply([{"T": "success", "msg": "connected"}])
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                request = json.loads(message.get("text") or message.get("bytes") or b"{}")
                if request.get("action") == "auth":
                    if request.get("key") != KEY or request.get("secret") != SECRET:
                        await reply([{"T": "error", "code": 402, "msg": "auth failed"}])
                        return
                    await reply([{"T": "success", "msg": "authenticated"}])
                elif request.get("action") == "subscribe":
                    await reply(
                        [
                            {
                                "T": "subscription",
                                "quotes": request.get("quotes", []),
                                "bars": request.get("bars", []),
                            }
                        ]
                    )
                    self.data_sockets.append(send)

        task = asyncio.create_task(reader())
        closing = asyncio.create_task(closer.wait())
        await asyncio.wait({task, closing}, return_when=asyncio.FIRST_COMPLETED)
        if send in self.data_sockets:
            self.data_sockets.remove(send)
        task.cancel()
        closing.cancel()
        with contextlib.suppress(Exception):
            await send({"type": "websocket.close", "code": 1011})

    def drop_streams(self) -> None:
        """Close every trading stream connection (the socket dropped)."""
        for closer in self._closers:
            closer.set()
        self._closers.clear()
        self.sockets.clear()
        self.data_sockets.clear()


@contextlib.asynccontextmanager
async def serve(app: MiniAlpaca) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 and a free port; yields `http://127.0.0.1:PORT`."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app.drop_streams()
        server.should_exit = True
        await task


def env(base: str, store: str) -> dict[str, str]:
    """The adapter's environment pointing at a server at `base`."""
    ws = base.replace("http://", "ws://")
    return {
        "APCA_API_KEY_ID": KEY,
        "APCA_API_SECRET_KEY": SECRET,
        "APCA_API_BASE_URL": base,
        "APCA_API_DATA_URL": base + "/data",
        "TRADEWIRE_ALPACA_STREAM_URL": ws + "/stream",
        "TRADEWIRE_ALPACA_DATA_STREAM_URL": ws + "/data-stream",
        "TRADEWIRE_ALPACA_STORE": store,
    }
