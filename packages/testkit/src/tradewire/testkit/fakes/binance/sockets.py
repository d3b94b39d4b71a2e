"""One WebSocket of the fake: a send queue, Binance's heartbeat (server pings, clients must pong), a
maximum lifetime, and a hard drop (TCP reset, no close frame) for faults."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from aiohttp import WSMsgType, web

from tradewire.testkit.fakes.binance.wire import Json, dumps

_CLOSE = object()
_DROP = object()


class Socket:
    def __init__(
        self, request: web.Request, ping_interval: float, pong_timeout: float, lifetime: float
    ) -> None:
        self.request = request
        # Our own heartbeat: aiohttp's would drop a client after half an interval without a pong.
        self.ws = web.WebSocketResponse(autoping=False, max_msg_size=1 << 20)
        self.ping_interval, self.pong_timeout, self.lifetime = ping_interval, pong_timeout, lifetime
        self.last_pong = time.monotonic()
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def prepare(self) -> None:
        await self.ws.prepare(self.request)
        self._tasks = [asyncio.create_task(self._write()), asyncio.create_task(self._heartbeat())]

    def send(self, message: Json) -> None:
        self.queue.put_nowait(message)

    def close_later(self) -> None:
        """Close cleanly once everything queued before is written."""
        self.queue.put_nowait(_CLOSE)

    def drop_later(self) -> None:
        """Reset the connection once everything queued before is written."""
        self.queue.put_nowait(_DROP)

    def drop(self) -> None:
        """Reset the TCP connection: no close frame, as a network failure looks to the client."""
        if self.request.transport is not None:
            self.request.transport.abort()

    async def _write(self) -> None:
        while True:
            item = await self.queue.get()
            if item is _DROP:
                self.drop()
                return
            if item is _CLOSE:
                await self.ws.close()
                return
            try:
                await self.ws.send_str(dumps(item))  # Binance sends JSON in text frames
            except (ConnectionError, RuntimeError):
                return  # the client went away: what is left in the queue is lost, as on a real socket

    async def _heartbeat(self) -> None:
        opened = time.monotonic()
        while True:
            await asyncio.sleep(
                min(self.ping_interval, max(self.lifetime - (time.monotonic() - opened), 0.01))
            )
            now = time.monotonic()
            if now - opened >= self.lifetime:
                await self.ws.close()  # the 24-hour limit: a clean close the client must reconnect after
                return
            if now - self.last_pong > self.pong_timeout:
                self.drop()
                return
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.ping(str(int(time.time() * 1000)).encode())

    async def messages(self) -> AsyncIterator[str]:
        """Text messages from the client; answers its pings, notes its pongs."""
        async for msg in self.ws:
            if msg.type == WSMsgType.PING:
                await self.ws.pong(msg.data)
            elif msg.type == WSMsgType.PONG:
                self.last_pong = time.monotonic()
            elif msg.type == WSMsgType.TEXT:
                yield msg.data
            elif msg.type == WSMsgType.BINARY:
                yield msg.data.decode("utf-8", "replace")

    async def finish(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError):
                await task
