"""Full-stack harness: the real gateway on uvicorn (127.0.0.1, random port) in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import websockets

from tradewire.gateway.app import create_app
from tradewire.gateway.server import GatewayServer, build_server
from tradewire.gateway.settings import GatewaySettings
from tradewire.protocol.venue import Venue

KEY = "test-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}


@dataclass
class Running:
    """A gateway being served: its base URLs, the server and the thread running it."""

    server: GatewayServer
    thread: threading.Thread
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/ws"

    @property
    def gateway(self) -> Any:
        return self.server.gateway

    def client(self, **kwargs: Any) -> httpx.Client:
        headers = {**AUTH, **kwargs.pop("headers", {})}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10, **kwargs)

    def call(self, fn: Any, timeout: float = 5) -> Any:
        """Run `fn()` (sync or coroutine function) on the server's event loop and return its result."""
        loop = self.server.loop

        async def run() -> Any:
            result = fn()
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), loop).result(timeout)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)


class _Server(GatewayServer):
    loop: asyncio.AbstractEventLoop

    async def serve(self, sockets: Any = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().serve(sockets)


def settings(**overrides: Any) -> GatewaySettings:
    """Test settings: loopback, random port, the test key unless `api_key=None` is given."""
    base: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "api_key": KEY, "json_logs": False}
    base.update(overrides)
    return GatewaySettings(**base)


@contextlib.contextmanager
def serve(venue: Venue, config: GatewaySettings | None = None) -> Iterator[Running]:
    """Serve `venue` until the block ends."""
    config = config or settings()
    app = create_app(venue, config)
    server = build_server(app, config)
    server.__class__ = _Server
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("gateway did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    running = Running(server, thread, port)
    try:
        yield running
    finally:
        running.stop()


async def connect(
    running: Running, batch: bool = False, headers: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    """A websockets client (no compression) to the stream."""
    url = running.ws_url + ("?framing=batch" if batch else "")
    return await websockets.connect(
        url, additional_headers=headers if headers is not None else AUTH, compression=None, **kwargs
    )


async def recv_json(ws: Any, timeout: float = 5) -> Any:
    """The next frame, parsed."""
    return orjson.loads(await asyncio.wait_for(ws.recv(), timeout))


async def ack(ws: Any, ids: list[str], batch_id: str | None = None) -> None:
    """Send an event_ack like a compatible client (or a batch ack with `batch_id`)."""
    msg: dict[str, Any] = {
        "type": "event_ack",
        "correlation_id": "c",
        "events_processed": ids,
        "timestamp": 1,
    }
    if batch_id is not None:
        msg["batch_id"] = batch_id
    await ws.send(orjson.dumps(msg).decode())
