"""Run the app on uvicorn, with a shutdown that tells WebSocket clients before connections close."""

from __future__ import annotations

import asyncio
import gc
import socket
from typing import Any

import uvicorn
from litestar import Litestar

from tradewire.gateway.edge_protocol import edge_protocol
from tradewire.gateway.runtime import Gateway
from tradewire.gateway.settings import GatewaySettings
from tradewire.protocol import busy_poll
from tradewire.protocol.errors import TradewireError


class InsecureBind(RuntimeError):
    """A non-loopback bind without an API key, an empty key, or a short key beyond loopback."""


def check_bind(settings: GatewaySettings) -> None:
    """Refuse an empty API key, and to listen beyond loopback with no key or a short one."""
    problem = settings.key_problem()
    if problem is not None:
        raise InsecureBind(problem)
    if settings.api_key is None and not settings.is_loopback:
        raise InsecureBind(
            f"refusing to bind {settings.host} without an API key: set TRADEWIRE_API_KEY "
            "(or GATEWAY_API_KEY), or bind to 127.0.0.1"
        )


class GatewayServer(uvicorn.Server):
    """uvicorn.Server whose shutdown first sends DISCONNECTING and closes every stream with 1001.

    uvicorn's own shutdown closes WebSockets with 1012 before the app's lifespan hears of it, so
    the gateway's goodbye has to run here, while connections are still open.
    """

    def __init__(self, config: uvicorn.Config, gateway: Gateway | None, busy_poll: float = 0.0) -> None:
        super().__init__(config)
        self.gateway = gateway
        self.busy_poll = busy_poll
        #: Why the venue could not connect at start (the server then exits without serving).
        self.start_error: TradewireError | None = None
        if gateway is not None:
            # lets the stream abort a client whose close frame cannot be written (it stopped reading)
            gateway.connections.attach(self.server_state.connections)

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        """Serve until shut down; with a busy-poll budget, on a busy-polling loop of the configured kind."""
        if self.busy_poll <= 0:
            super().run(sockets)
            return
        factory = busy_poll.loop_factory(self.busy_poll, kind=str(self.config.loop))
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(self.serve(sockets=sockets))

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Connect the venue before the app's lifespan runs, so a broker that cannot be reached (or
        refuses the keys) ends the server with one clear line rather than a lifespan traceback."""
        if self.gateway is not None:
            try:
                await self.gateway.start()
            except TradewireError as e:
                self.start_error = e
                self.should_exit = True
                return
        await super().startup(sockets)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.gateway is not None:  # None: a bare server (the stack-floor benchmark)
            await self.gateway.drain()  # /readyz 503 while the listener still serves
            await self.gateway.begin_shutdown()
        await super().shutdown(sockets)


def make_config(app: Litestar, settings: GatewaySettings, **overrides: Any) -> uvicorn.Config:
    """uvicorn settings for the gateway: the edge limits, no permessage-deflate, our logging, graceful
    timeout."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "http": edge_protocol(settings),
        "timeout_keep_alive": settings.keep_alive_timeout,
        "ws_max_size": settings.ws_max_size,
        "ws_per_message_deflate": False,
        "loop": settings.event_loop,
        "ws": settings.ws,
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": 10,
        "lifespan": "on",
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


def tune_gc() -> None:
    """Fewer, cheaper garbage collections for a long-lived server.

    Every request allocates many short-lived objects; with CPython's default thresholds the full
    collections that follow walk every live object (the venue's order book included) and show up
    as latency spikes. Objects alive at start-up are frozen out of collection; gen-0 runs less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def build_server(
    app: Litestar, settings: GatewaySettings, *, tune: bool = False, **overrides: Any
) -> GatewayServer:
    """A server for `app` (built by create_app) honouring `settings`; `tune` adjusts the process's GC
    (the console script does; a library caller such as a test harness keeps its own GC settings)."""
    check_bind(settings)
    if tune:
        tune_gc()
    gateway: Gateway = app.state.gateway
    # busy-polling pays off only where a client's ack gates the next step: a paced venue
    budget = settings.busy_poll_budget(paced=gateway.hub.paced)
    return GatewayServer(make_config(app, settings, **overrides), gateway, busy_poll=budget)
