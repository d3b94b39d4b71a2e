"""FakeBinance: REST, the WebSocket API and market streams on one loopback port, and its controls."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import web

from tradewire.testkit.fakes.binance import control, env, streams, ws_api
from tradewire.testkit.fakes.binance.clock import Clock
from tradewire.testkit.fakes.binance.config import FakeConfig
from tradewire.testkit.fakes.binance.exchange import Exchange
from tradewire.testkit.fakes.binance.faults import Faults
from tradewire.testkit.fakes.binance.market import MarketTrade, SymbolMarket
from tradewire.testkit.fakes.binance.prices import PricePath
from tradewire.testkit.fakes.binance.ratelimit import RateLimiter
from tradewire.testkit.fakes.binance.rest import market, trading
from tradewire.testkit.fakes.binance.rest.common import FAKE, middleware
from tradewire.testkit.fakes.binance.signing import Key, ed25519_key

T = TypeVar("T")


class FakeBinance:
    """`async with FakeBinance() as fake:` serves on 127.0.0.1 and a free port until the block ends."""

    def __init__(self, config: FakeConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or FakeConfig(), **overrides)
        cfg = self.config
        self.clock = Clock(cfg.frozen_ms)
        self.faults = Faults()
        self.limiter = RateLimiter(cfg.weight_limit, cfg.orders_10s, cfg.orders_1d, cfg.ban_seconds)
        self.keys: dict[str, Key] = {cfg.api_key: Key(cfg.api_key, secret=cfg.api_secret)}
        if cfg.ed25519_public_pem is not None:
            self.keys[cfg.ed25519_api_key] = ed25519_key(cfg.ed25519_api_key, cfg.ed25519_public_pem)
        self.exchange = Exchange(cfg, self.clock)
        self.api_hub = ws_api.ApiHub(self.faults)
        self.stream_hub = streams.StreamHub()
        self.exchange.user_listeners.append(self.api_hub.publish)
        self.exchange.market_listeners.append(self._on_market)
        self.port = cfg.port
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None

    def _on_market(self, m: SymbolMarket, trade: MarketTrade | None) -> None:
        self.stream_hub.tick(m, trade, self.clock.now_ms())

    # --- URLs ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    @property
    def ws_api_url(self) -> str:
        return f"ws://{self.config.host}:{self.port}{env.WS_API_PATH}"

    @property
    def stream_url(self) -> str:
        """Append `/ws/<name>` (raw) or `/stream?streams=a/b` (combined)."""
        return f"ws://{self.config.host}:{self.port}"

    def env(self) -> dict[str, str]:
        return env.values(self.config.api_key, self.config.api_secret, self.config.host, self.port)

    # --- lifecycle -----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[middleware])
        app[FAKE] = self
        app.add_routes(
            [
                web.get(env.WS_API_PATH, ws_api.handler),
                *streams.routes(),
                *market.routes(),
                *trading.routes(),
                *trading.removed_routes(),
                *control.routes(),
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
            self.exchange.step()

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for conn in list(self.api_hub.connections):
            await conn.socket.ws.close()
        for sconn in list(self.stream_hub.connections):
            await sconn.socket.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBinance:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- controls (call on the fake's loop) ----------------------------------------------------

    def set_path(self, symbol: str, path: PricePath | Iterable[Decimal | str | int]) -> None:
        """Script `symbol`'s next prices; `step()` (or the timer) moves along them."""
        self.exchange.set_path(symbol, path if isinstance(path, PricePath) else PricePath(path))

    def step(self, symbol: str | None = None) -> None:
        self.exchange.step(symbol)

    def set_price(self, symbol: str, price: Decimal | str) -> None:
        self.exchange.set_price(symbol, price)

    def set_book(
        self,
        symbol: str,
        bids: Iterable[tuple[Decimal | str, Decimal | str]],
        asks: Iterable[tuple[Decimal | str, Decimal | str]],
    ) -> None:
        """Replace the book until the next price step: `[(price, qty), ...]` a side."""

        def levels(rows: Iterable[tuple[Decimal | str, Decimal | str]]) -> list[tuple[Decimal, Decimal]]:
            return [(Decimal(str(p)), Decimal(str(q))) for p, q in rows]

        self.exchange.set_book(symbol, levels(bids), levels(asks))

    def set_liquidity(self, symbol: str, qty: Decimal | str | None) -> None:
        """Cap what a resting order fills per price step (partial fills); None lifts the cap."""
        if qty is None:
            self.exchange.liquidity.pop(symbol, None)
        else:
            self.exchange.liquidity[symbol] = Decimal(str(qty))

    def fill(
        self, symbol: str, order_id: int, qty: Decimal | str | None = None, price: Decimal | str | None = None
    ) -> None:
        self.exchange.fill(
            symbol,
            order_id,
            None if qty is None else Decimal(str(qty)),
            None if price is None else Decimal(str(price)),
        )

    def set_symbol_status(self, symbol: str, status: str) -> None:
        """exchangeInfo's status (`TRADING`, `HALT`, `BREAK`, ...); not TRADING: -2010 `Market is closed.`"""
        self.exchange.market(symbol)
        self.exchange.status[symbol] = status

    def deposit(self, asset: str, amount: Decimal | str) -> None:
        self.exchange.deposit(asset, Decimal(str(amount)))

    def skew_clock(self, ms: int) -> None:
        """Run the server's clock `ms` ahead (negative: behind) of the wall clock: -1021 for clients."""
        self.clock.skew_ms = ms

    def server_shutdown(self, close_after: float | None = None) -> None:
        """`serverShutdown` on every WS API and market stream socket; close them `close_after` s later."""
        now = self.clock.now_ms()
        self.api_hub.shutdown_notice(now)
        self.stream_hub.shutdown_notice(now)
        if close_after is not None:
            sockets = [c.socket for c in self.api_hub.connections] + [
                c.socket for c in self.stream_hub.connections
            ]
            loop = asyncio.get_running_loop()
            for socket in sockets:
                loop.call_later(close_after, socket.close_later)

    def drop_sockets(self) -> None:
        """Reset every WebSocket now (network failure: no close frame)."""
        for conn in list(self.api_hub.connections):
            conn.socket.drop()
        for sconn in list(self.stream_hub.connections):
            sconn.socket.drop()


class FakeThread:
    """A FakeBinance on an event loop of its own, in a background thread, for blocking clients."""

    def __init__(self, fake: FakeBinance, loop: asyncio.AbstractEventLoop) -> None:
        self.fake, self.loop = fake, loop

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a control on the fake's loop and return its result."""

        async def run() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)


@contextlib.contextmanager
def running_fake(config: FakeConfig | None = None, **overrides: Any) -> Iterator[FakeThread]:
    fake = FakeBinance(config, **overrides)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-binance", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
    try:
        yield FakeThread(fake, loop)
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
