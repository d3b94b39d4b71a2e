"""FakeAlpaca: the app on one loopback port, its lifecycle, and the controls a test drives it with."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import web

from tradewire.testkit.fakes.alpaca import data_stream, trading_stream
from tradewire.testkit.fakes.alpaca.broker import Broker
from tradewire.testkit.fakes.alpaca.clock import Clock
from tradewire.testkit.fakes.alpaca.config import FakeConfig
from tradewire.testkit.fakes.alpaca.faults import Faults
from tradewire.testkit.fakes.alpaca.prices import PricePath
from tradewire.testkit.fakes.alpaca.ratelimit import RateLimiter
from tradewire.testkit.fakes.alpaca.rest import data, trading
from tradewire.testkit.fakes.alpaca.rest.common import FAKE, middleware

T = TypeVar("T")

#: The environment names an adapter reads: Alpaca's own four, and the fake's two stream URLs.
ENV_STREAM = "TRADEWIRE_ALPACA_STREAM_URL"
ENV_DATA_STREAM = "TRADEWIRE_ALPACA_DATA_STREAM_URL"


class FakeAlpaca:
    """`async with FakeAlpaca() as fake:` serves on 127.0.0.1 and a free port until the block ends."""

    def __init__(self, config: FakeConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or FakeConfig(), **overrides)
        self.clock = Clock(self.config.frozen_ns, self.config.market_open)
        self.faults = Faults()
        self.limiter = RateLimiter(self.config.rate_limit)
        self.broker = Broker(self.config, self.clock, lambda f: asyncio.get_running_loop().call_soon(f))
        self.trade_hub = trading_stream.TradeHub(self.faults)
        self.data_hub = data_stream.DataHub()
        self.broker.publish.append(self.trade_hub.publish)
        self.broker.on_tick.append(self.data_hub.tick)
        self.port = self.config.port
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None

    # --- URLs ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}{self.config.paths.trading}"

    @property
    def data_url(self) -> str:
        return f"http://{self.config.host}:{self.port}{self.config.paths.data}"

    @property
    def stream_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}{self.config.paths.trading_stream}"

    @property
    def data_stream_url(self) -> str:
        """Append `/v2/iex` (or `sip`, `test`) for stocks, `/v1beta3/crypto/us` for crypto."""
        return f"ws://{self.config.host}:{self.port}{self.config.paths.data_stream}"

    @property
    def headers(self) -> dict[str, str]:
        return {"APCA-API-KEY-ID": self.config.key_id, "APCA-API-SECRET-KEY": self.config.secret_key}

    def env(self) -> dict[str, str]:
        return {
            "APCA_API_KEY_ID": self.config.key_id,
            "APCA_API_SECRET_KEY": self.config.secret_key,
            "APCA_API_BASE_URL": self.base_url,
            "APCA_API_DATA_URL": self.data_url,
            ENV_STREAM: self.stream_url,
            ENV_DATA_STREAM: self.data_stream_url,
        }

    def split_path(self, path: str) -> tuple[str | None, str]:
        """(which API serves `path`, the path under its base), longest base first."""
        p = self.config.paths
        bases = [("trading_stream", p.trading_stream), ("data_stream", p.data_stream), ("data", p.data)]
        for name, base in sorted(bases, key=lambda b: -len(b[1])):
            if base and (path == base or path.startswith(base + "/")):
                return name, path[len(base) :]
        if path.startswith(p.trading + "/") or not p.trading:
            return "trading", path[len(p.trading) :]
        return None, path

    # --- lifecycle -----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[middleware])
        app[FAKE] = self
        p = self.config.paths
        app.add_routes(
            [
                web.get(p.trading_stream, trading_stream.handler),
                *data_stream.routes(p.data_stream),
                *data.routes(p.data),
                *trading.routes(p.trading),
            ]
        )
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host, self.config.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        if self.config.tick_interval:
            self._ticker = asyncio.create_task(self._tick(self.config.tick_interval))

    async def _tick(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self.broker.step()

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for conn in list(self.trade_hub.connections):
            await conn.ws.close()
        for dconn in list(self.data_hub.connections):
            await dconn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeAlpaca:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- controls (call on the fake's loop) ----------------------------------------------------

    def set_path(self, symbol: str, path: PricePath | Iterable[Decimal | str | int]) -> None:
        """Script `symbol`'s next prices; `step()` (or the timer) moves along them."""
        self.broker.set_path(symbol, path if isinstance(path, PricePath) else PricePath(path))

    def step(self, symbol: str | None = None) -> None:
        self.broker.step(symbol)

    def set_price(self, symbol: str, price: Decimal | str) -> None:
        self.broker.set_price(symbol, price)

    def set_liquidity(self, symbol: str, qty: Decimal | str | None) -> None:
        """Cap what one order fills per matching pass (partial fills); None lifts the cap."""
        name = self.broker.asset(symbol).symbol
        if qty is None:
            self.broker.liquidity.pop(name, None)
        else:
            self.broker.liquidity[name] = Decimal(str(qty))

    def fill(
        self, order_id: str, qty: Decimal | str | None = None, price: Decimal | str | None = None
    ) -> None:
        self.broker.fill(order_id, qty, price)

    def open_market(self) -> None:
        self.broker.open_market()

    def close_market(self) -> None:
        self.broker.close_market()


class FakeThread:
    """A FakeAlpaca on an event loop of its own, in a background thread, for blocking clients."""

    def __init__(self, fake: FakeAlpaca, loop: asyncio.AbstractEventLoop) -> None:
        self.fake, self.loop = fake, loop

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a control on the fake's loop and return its result."""

        async def run() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)


@contextlib.contextmanager
def running_fake(config: FakeConfig | None = None, **overrides: Any) -> Iterator[FakeThread]:
    fake = FakeAlpaca(config, **overrides)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    thread = threading.Thread(target=loop.run_forever, name="fake-alpaca", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
    started.set()
    try:
        yield FakeThread(fake, loop)
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
