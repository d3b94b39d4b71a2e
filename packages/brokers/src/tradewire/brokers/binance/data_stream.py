"""Binance market streams (binance.md §8): bookTicker, 1-minute klines and trades on one combined socket.

`/stream?streams=btcusdt@bookTicker/btcusdt@kline_1m/btcusdt@trade` wraps each payload as
`{"stream","data"}`. Binance pings every 20 s; the `websockets` client answers with a pong carrying
the same payload while this task keeps reading. Nothing is replayed after a drop: reconnect with
`_live.backoff`, and fill the bars missed meanwhile from REST klines (closed bars only, each once).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any, Final

import websockets
from websockets.asyncio.client import ClientConnection

from tradewire.brokers._live import jsondecimal
from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers.binance import mapping
from tradewire.brokers.binance.config import BinanceConfig
from tradewire.protocol.errors import TradewireError
from tradewire.protocol.messages import CandleEvent, QuoteEvent, ServerMessage, Timeframe
from tradewire.protocol.venue import StreamBatch

__all__ = ["MarketStream", "stream_names"]

log = logging.getLogger(__name__)

_HANDSHAKE: Final = 10.0
_CLOSE: Final = 2.0
_MINUTE_MS: Final = 60_000


def stream_names(symbols: Sequence[str]) -> list[str]:
    """The combined-stream names for `symbols` (lowercase, binance.md §8)."""
    names = []
    for symbol in symbols:
        low = symbol.lower()
        names += [f"{low}@bookTicker", f"{low}@kline_1m", f"{low}@trade"]
    return names


class MarketStream:
    """One combined market-data socket for a fixed set of symbols.

    Args:
        config: The stream base URL.
        symbols: Venue spellings (`BTCUSDT`).
        emit: Called with each batch; must not block.
        klines: REST klines `(symbol, interval, start_ms) -> rows` for the gap fill (BinanceHttp.klines).
        on_price: Called with (symbol, last trade or else mid) on each bookTicker (marks positions).
        now_ms: Binance's clock (`BinanceHttp.timestamp`): which REST bars are closed.
        tick: A symbol's PRICE_FILTER tick (quotes are written on its scale), None when unknown.
    """

    def __init__(
        self,
        config: BinanceConfig,
        symbols: Sequence[str],
        emit: Callable[[StreamBatch], None],
        klines: Callable[[str, str, int], Awaitable[list[list[Any]]]],
        *,
        on_price: Callable[[str, Decimal], None] | None = None,
        policy: Backoff | None = None,
        draw: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
        tick: Callable[[str], Decimal | None] = lambda symbol: None,
    ) -> None:
        self.config = config
        self.symbols = list(symbols)
        self._emit = emit
        self._klines = klines
        self._on_price = on_price
        self.policy = policy or Backoff()
        self._draw = draw
        self._sleep = sleep
        self._now_ms = now_ms
        self._tick = tick
        #: Open time (ms) of the last closed 1-minute bar emitted per symbol: the gap fill starts after it.
        self.last_bar: dict[str, int] = {}
        #: The last trade price per symbol (the trade stream).
        self.last_trade: dict[str, Decimal] = {}
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    @property
    def url(self) -> str:
        return f"{self.config.stream_url}/stream?streams={'/'.join(stream_names(self.symbols))}"

    def start(self) -> None:
        """Run in the background (the first connection is attempted there)."""
        self._task = asyncio.create_task(self._run(), name="binance-market-data")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def stale(self) -> list[str]:
        """The symbols without live data now."""
        return [] if self.connected.is_set() else list(self.symbols)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                async with await self._open() as ws:
                    failures = 0
                    await self._fill_gaps()
                    self.connected.set()
                    async for frame in ws:
                        self._on_frame(frame)
                error = "closed by Binance"
            except (OSError, TimeoutError, TradewireError, websockets.exceptions.WebSocketException) as e:
                error = f"{type(e).__name__}: {e}"
            self.connected.clear()
            wait = self.policy.delay(failures, self._draw())
            failures += 1
            log.warning("Binance market stream down (%s); retrying in %.1f s", error, wait)
            await self._sleep(wait)

    async def _open(self) -> ClientConnection:
        # ping_interval=None: Binance pings us; the library's automatic pong answers each ping.
        return await websockets.connect(
            self.url, open_timeout=_HANDSHAKE, close_timeout=_CLOSE, ping_interval=None, max_size=2**22
        )

    async def _fill_gaps(self) -> None:
        """Closed 1-minute bars missed while disconnected, from REST (binance.md §12)."""
        for symbol in self.symbols:
            last = self.last_bar.get(symbol)
            if last is None:
                continue  # nothing streamed yet: no gap to fill
            rows = await self._klines(symbol, "1m", last + _MINUTE_MS)
            now_ms = self._now_ms()
            out = []
            for index, row in enumerate(rows):
                # Closed bars only: any bar with a later one after it, the last one once its time is up.
                closed = index + 1 < len(rows) or int(row[6]) < now_ms
                if closed and int(row[0]) > last:
                    out.append(
                        ServerMessage(
                            candle=CandleEvent(
                                bar=mapping.bar_from_kline(symbol, Timeframe.M1, row), timestamp=_now()
                            )
                        )
                    )
                    self.last_bar[symbol] = int(row[0])
            if out:
                self._emit(StreamBatch(out))

    def _on_frame(self, frame: str | bytes) -> None:
        try:
            message = jsondecimal.loads(frame)
        except jsondecimal.BrokerJsonError:
            log.warning("Binance market stream: a frame that is not JSON was skipped")
            return
        if not isinstance(message, dict):
            return
        data = message.get("data", message)
        if not isinstance(data, dict):
            return
        try:
            out = self._message(data)
        except (jsondecimal.BrokerJsonError, KeyError, ValueError, TypeError) as e:
            log.warning("Binance market data message skipped: %s: %s", type(e).__name__, e)
            return
        if out is not None:
            self._emit(StreamBatch([out]))

    def _message(self, data: dict[str, Any]) -> ServerMessage | None:
        kind = data.get("e")
        if kind is None and "b" in data and "a" in data:  # bookTicker has no event type
            symbol = str(data["s"])
            quote = mapping.quote_from_book(
                symbol, data, self.last_trade.get(symbol), tick=self._tick(symbol)
            )
            if self._on_price is not None:
                self._on_price(symbol, Decimal(quote.last))
            return ServerMessage(quote=QuoteEvent(quote=quote, timestamp=quote.timestamp))
        if kind == "kline":
            kline = data["k"]
            if not kline.get("x"):
                return None  # only closed bars are candles
            symbol = str(kline["s"])
            opened = int(kline["t"])
            if opened <= self.last_bar.get(symbol, -1):
                return None  # already emitted (gap fill)
            self.last_bar[symbol] = opened
            return ServerMessage(candle=CandleEvent(bar=mapping.bar_from_stream(kline), timestamp=_now()))
        if kind == "trade":
            # No event of its own on the wire: the last trade price is the next quote's `last`.
            self.last_trade[str(data["s"])] = jsondecimal.decimal_field(data, "p")
            return None
        if kind == "serverShutdown":
            raise websockets.exceptions.ConnectionClosedOK(None, None)
        return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
