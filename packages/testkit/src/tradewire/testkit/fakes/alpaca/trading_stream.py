"""The `trade_updates` stream: authenticate, listen, then order events as JSON in binary frames."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from tradewire.testkit.fakes.alpaca.rest.common import FAKE
from tradewire.testkit.fakes.alpaca.wire import Json, dumps

if TYPE_CHECKING:
    from tradewire.testkit.fakes.alpaca.faults import Faults

_DROP = object()  # queued after an event: reset the socket once it is written


class TradeConnection:
    def __init__(self, request: web.Request, ws: web.WebSocketResponse) -> None:
        self.request, self.ws = request, ws
        self.authorized = False
        self.listening = False
        self.queue: asyncio.Queue[object] = asyncio.Queue()

    def send(self, message: Json) -> None:
        self.queue.put_nowait(message)

    def drop(self) -> None:
        """Reset the TCP connection: no close frame, as a network failure looks to the client."""
        if self.request.transport is not None:
            self.request.transport.abort()

    async def write_loop(self) -> None:
        while True:
            item = await self.queue.get()
            if item is _DROP:
                self.drop()
                return
            # Alpaca sends trade_updates as UTF-8 JSON in binary frames.
            await self.ws.send_bytes(dumps(item).encode())


class TradeHub:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.connections: set[TradeConnection] = set()

    def publish(self, data: dict[str, Json], fill: bool) -> None:
        listeners = [c for c in self.connections if c.listening]
        drop = self.faults.take_stream_drop() if fill and listeners else None
        for conn in listeners:
            if drop == "before_fill":
                conn.drop()
                continue
            conn.send({"stream": "trade_updates", "data": data})
            if drop == "after_fill":
                conn.queue.put_nowait(_DROP)


def _reply(conn: TradeConnection, message: object) -> None:
    """Answer one client message (text or binary JSON)."""
    fake = conn.request.app[FAKE]
    action = message.get("action") if isinstance(message, dict) else None
    data = message.get("data") if isinstance(message, dict) else None
    data = data if isinstance(data, dict) else {}
    if action in ("authenticate", "auth"):
        ok = data.get("key_id") == fake.config.key_id and data.get("secret_key") == fake.config.secret_key
        conn.authorized = ok
        status = "authorized" if ok else "unauthorized"
        conn.send({"stream": "authorization", "data": {"status": status, "action": "authenticate"}})
    elif action == "listen":
        if not conn.authorized:
            conn.send({"stream": "authorization", "data": {"status": "unauthorized", "action": "listen"}})
            return
        streams = data.get("streams")
        wanted = [s for s in streams if s == "trade_updates"] if isinstance(streams, list) else []
        conn.listening = bool(wanted)  # listen replaces the set; [] stops
        conn.send({"stream": "listening", "data": {"streams": wanted}})
    else:
        conn.send({"stream": "listening", "data": {"error": "invalid action or syntax"}})


async def handler(request: web.Request) -> web.WebSocketResponse:
    fake = request.app[FAKE]
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    conn = TradeConnection(request, ws)
    fake.trade_hub.connections.add(conn)
    writer = asyncio.create_task(conn.write_loop())
    try:
        async for msg in ws:
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            try:
                message = json.loads(msg.data)
            except ValueError:
                message = None
            _reply(conn, message)
    finally:
        fake.trade_hub.connections.discard(conn)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
    return ws
