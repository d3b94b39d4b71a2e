"""The market data stream: greeting, auth, subscribe; quotes, trades and minute bars as JSON arrays."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from tradewire.testkit.fakes.alpaca.market import Bar, SymbolMarket, Trade
from tradewire.testkit.fakes.alpaca.rest.common import FAKE
from tradewire.testkit.fakes.alpaca.wire import Json, dumps

if TYPE_CHECKING:
    from tradewire.testkit.fakes.alpaca.server import FakeAlpaca

CHANNELS = ("trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "lulds")
_MIRRORS = {"corrections": "trades", "cancelErrors": "trades"}  # listed beside trades, on stocks


class DataConnection:
    def __init__(self, ws: web.WebSocketResponse, crypto: bool, feed: str) -> None:
        self.ws, self.crypto, self.feed = ws, crypto, feed
        self.authorized = False
        self.subs: dict[str, list[str]] = {c: [] for c in CHANNELS}
        self.queue: asyncio.Queue[list[Json] | None] = asyncio.Queue()

    def send(self, messages: list[Json]) -> None:
        self.queue.put_nowait(messages)

    def error(self, code: int, msg: str) -> None:
        self.send([{"T": "error", "code": code, "msg": msg}])

    def wants(self, channel: str, symbol: str) -> bool:
        return symbol in self.subs[channel] or "*" in self.subs[channel]

    async def write_loop(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                await self.ws.close()
                return
            await self.ws.send_str(dumps(item))  # the data stream uses text frames

    def subscription(self) -> dict[str, Json]:
        body: dict[str, Json] = {"T": "subscription"}
        for channel in CHANNELS:
            body[channel] = list(self.subs[channel])
        if not self.crypto:
            for mirror, source in _MIRRORS.items():
                body[mirror] = list(self.subs[source])
        return body


class DataHub:
    def __init__(self) -> None:
        self.connections: set[DataConnection] = set()

    def tick(self, m: SymbolMarket, trade: Trade, closed: Bar | None) -> None:
        symbol = m.asset.symbol
        for conn in self.connections:
            if not conn.authorized or conn.crypto != m.asset.crypto:
                continue
            batch: list[Json] = []
            if conn.wants("quotes", symbol):
                batch.append({"T": "q", "S": symbol, **m.quote_json()})
            if conn.wants("trades", symbol):
                batch.append({"T": "t", "S": symbol, **m.trade_json(trade)})
            if batch:
                conn.send(batch)
            if closed is not None and conn.wants("bars", symbol):
                conn.send([{"T": "b", "S": symbol, **closed.json()}])


def _on_message(fake: FakeAlpaca, conn: DataConnection, message: object) -> None:
    action = message.get("action") if isinstance(message, dict) else None
    if not isinstance(message, dict) or action not in ("auth", "subscribe", "unsubscribe"):
        conn.error(400, "invalid syntax")
        return
    if action == "auth":
        if conn.authorized:
            conn.error(403, "already authenticated")
        elif message.get("key") != fake.config.key_id or message.get("secret") != fake.config.secret_key:
            conn.error(402, "auth failed")
        elif any(c.authorized and c.feed == conn.feed for c in fake.data_hub.connections):
            conn.error(406, "connection limit exceeded")
            conn.queue.put_nowait(None)
        else:
            conn.authorized = True
            conn.send([{"T": "success", "msg": "authenticated"}])
        return
    if not conn.authorized:
        conn.error(401, "not authenticated")
        return
    for channel in CHANNELS:
        symbols = message.get(channel)
        if not isinstance(symbols, list):
            continue
        current = conn.subs[channel]
        if action == "subscribe":
            current.extend(s for s in symbols if isinstance(s, str) and s not in current)
        else:
            conn.subs[channel] = [s for s in current if s not in symbols]
    conn.send([conn.subscription()])


async def handler(request: web.Request) -> web.WebSocketResponse:
    fake = request.app[FAKE]
    feed = request.match_info.get("feed", "crypto")
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    conn = DataConnection(ws, crypto=feed == "crypto", feed=feed)
    fake.data_hub.connections.add(conn)
    writer = asyncio.create_task(conn.write_loop())
    conn.send([{"T": "success", "msg": "connected"}])
    try:
        deadline = asyncio.get_running_loop().time() + fake.config.auth_timeout
        while not ws.closed:
            timeout = None if conn.authorized else deadline - asyncio.get_running_loop().time()
            try:
                msg = await ws.receive(timeout=max(timeout, 0) if timeout is not None else None)
            except TimeoutError:
                conn.error(404, "auth timeout")
                conn.queue.put_nowait(None)
                await writer
                break
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
                continue
            try:
                message = json.loads(msg.data)
            except ValueError:
                message = None
            _on_message(fake, conn, message)
    finally:
        fake.data_hub.connections.discard(conn)
        if not writer.done():
            writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
    return ws


def routes(base: str) -> list[web.RouteDef]:
    return [web.get(base + "/v2/{feed}", handler), web.get(base + "/v1beta3/crypto/us", handler)]
