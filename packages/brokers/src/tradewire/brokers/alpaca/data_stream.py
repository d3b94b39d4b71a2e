"""Alpaca's market-data streams (stocks `/v2/{feed}`, crypto `/v1beta3/crypto/us`): quotes and minute bars.

Per alpaca.md §11: greeting, `auth` within seconds, `subscribe` (the reply lists the full set), then
arrays of `q` / `b` messages (JSON numbers, parsed as exact decimals). Nothing is replayed after a
drop: reconnect with `_live.backoff` (a 406 "connection limit exceeded" while Alpaca still holds the
old socket is a hint to wait longer), resubscribe the full set, fill the minute bars missed meanwhile
from REST (each once), and report the symbols stale while down. Connection events describe the
trading stream only. A 402 (auth failed) ends the stream: keys do not improve by retrying.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import websockets
from websockets.asyncio.client import ClientConnection

from tradewire.brokers._live import jsondecimal
from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers.alpaca import mapping
from tradewire.brokers.alpaca.config import AlpacaConfig
from tradewire.protocol.errors import TradewireError
from tradewire.protocol.messages import Bar, CandleEvent, QuoteEvent, ServerMessage, Timeframe
from tradewire.protocol.venue import StreamBatch

__all__ = ["DataStream", "DataStreamError"]

log = logging.getLogger(__name__)

_HANDSHAKE: Final = 10.0
#: Seconds to wait for the close handshake: a broker that never answers it must not hold up a shutdown.
_CLOSE: Final = 2.0
#: Error codes after which retrying cannot help (alpaca.md §11).
_FATAL: Final = frozenset({402, 408, 409})
#: "connection limit exceeded": Alpaca still counts the old socket; wait at least this long.
_LIMIT_WAIT: Final = 5.0


class DataStreamError(Exception):
    """An error message from the data stream (`code`, `msg`)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code


class DataStream:
    """One market-data socket (stocks or crypto) for a fixed set of symbols.

    Args:
        url: The stream URL (`AlpacaConfig.stock_stream_url()` or `crypto_stream_url()`).
        symbols: What to subscribe quotes and bars for.
        emit: Called with each batch; must not block.
        backfill: `(symbol, after) -> bars`: the closed minute bars that started after `after`, from REST
            (`AlpacaVenue.closed_minute_bars`); None: gaps stay gaps.
    """

    def __init__(
        self,
        config: AlpacaConfig,
        url: str,
        symbols: Sequence[str],
        emit: Callable[[StreamBatch], None],
        *,
        policy: Backoff | None = None,
        draw: Callable[[], float] = random.random,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        backfill: Callable[[str, dt.datetime], Awaitable[list[Bar]]] | None = None,
    ) -> None:
        self.config = config
        self.url = url
        self.symbols = list(symbols)
        self._emit = emit
        self._sleep = sleep
        # Never gives up: market data comes back whenever Alpaca does (no connection events either:
        # those describe the trading stream; a silent feed shows in `stale`).
        self.policy = policy or Backoff()
        self._draw = draw
        self._backfill = backfill
        #: Start of the last minute bar emitted per symbol: a gap's fill starts after it.
        self.last_bar: dict[str, dt.datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        """Run in the background (the first connection is attempted there)."""
        self._task = asyncio.create_task(self._run(), name=f"alpaca-data {self.url}")

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
                    await self._fill_gaps()  # subscribed first: a bar closing meanwhile comes by stream
                    self.connected.set()
                    async for frame in ws:
                        self._on_frame(frame)
                error, retry_after = "closed by Alpaca", None
            except DataStreamError as e:
                if e.code in _FATAL:
                    log.error("Alpaca data stream %s refused us: %s; market data stops", self.url, e)
                    self.connected.clear()
                    return
                error, retry_after = str(e), (_LIMIT_WAIT if e.code == 406 else None)
            except (OSError, TimeoutError, TradewireError, websockets.exceptions.WebSocketException) as e:
                error, retry_after = f"{type(e).__name__}: {e}", None
            self.connected.clear()
            wait = self.policy.delay(failures, self._draw())
            wait = wait if retry_after is None else max(wait, retry_after)
            failures += 1
            log.warning("Alpaca data stream %s down (%s); retrying in %.1f s", self.url, error, wait)
            await self._sleep(wait)

    async def _open(self) -> ClientConnection:
        ws = await websockets.connect(
            self.url,
            open_timeout=_HANDSHAKE,
            close_timeout=_CLOSE,
            max_size=2**22,
            logger=self.config.wire_logger(),
        )
        try:
            self._expect(await self._recv(ws), "success", "connected")
            keys = self.config.credentials
            await ws.send(
                json.dumps({"action": "auth", "key": keys.key_id.reveal(), "secret": keys.secret.reveal()})
            )
            self._expect(await self._recv(ws), "success", "authenticated")
            await ws.send(json.dumps({"action": "subscribe", "quotes": self.symbols, "bars": self.symbols}))
            self._expect(await self._recv(ws), "subscription", None)
        except BaseException:
            await ws.close()
            raise
        return ws

    async def _fill_gaps(self) -> None:
        """Minute bars that closed while disconnected, from REST (alpaca.md §12), oldest first."""
        if self._backfill is None:
            return
        for symbol in self.symbols:
            last = self.last_bar.get(symbol)
            if last is None:
                continue  # nothing streamed yet: no gap to fill
            now = dt.datetime.now(dt.UTC)
            out = [
                ServerMessage(candle=CandleEvent(bar=bar, timestamp=now))
                for bar in await self._backfill(symbol, last)
                if self._is_new(bar)
            ]
            if out:
                self._emit(StreamBatch(out))

    def _is_new(self, bar: Bar) -> bool:
        """Whether `bar` is after the last one emitted for its symbol (then it is the last)."""
        last = self.last_bar.get(bar.symbol)
        if bar.timestamp is None or (last is not None and bar.timestamp <= last):
            return False
        self.last_bar[bar.symbol] = bar.timestamp
        return True

    async def _recv(self, ws: ClientConnection) -> dict[str, Any]:
        async with asyncio.timeout(_HANDSHAKE):
            frame = await ws.recv()
        messages = jsondecimal.loads(frame)
        if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
            raise DataStreamError(400, "unexpected frame in the handshake")
        first: dict[str, Any] = messages[0]
        return first

    @staticmethod
    def _expect(message: dict[str, Any], kind: str, msg: str | None) -> None:
        if message.get("T") == "error":
            raise DataStreamError(int(message.get("code") or 500), str(message.get("msg") or ""))
        if message.get("T") != kind or (msg is not None and message.get("msg") != msg):
            raise DataStreamError(400, f"expected {kind} {msg or ''}, got {message}")

    def _on_frame(self, frame: str | bytes) -> None:
        try:
            messages = jsondecimal.loads(frame)
        except jsondecimal.BrokerJsonError:
            log.warning("Alpaca data stream: a frame that is not JSON was skipped")
            return
        out: list[ServerMessage] = []
        now = dt.datetime.now(dt.UTC)
        for message in messages if isinstance(messages, list) else [messages]:
            if not isinstance(message, dict):
                continue
            kind = message.get("T")
            try:
                if kind == "q":
                    quote = mapping.quote_from_broker(str(message["S"]), message)
                    out.append(ServerMessage(quote=QuoteEvent(quote=quote, timestamp=quote.timestamp or now)))
                elif kind == "b":
                    bar = mapping.bar_from_broker(str(message["S"]), Timeframe.M1, message)
                    if self._is_new(bar):  # not already filled from REST
                        out.append(ServerMessage(candle=CandleEvent(bar=bar, timestamp=now)))
                elif kind == "error":
                    raise DataStreamError(int(message.get("code") or 500), str(message.get("msg") or ""))
            except (jsondecimal.BrokerJsonError, KeyError) as e:
                log.warning("Alpaca data message skipped: %s: %s", type(e).__name__, e)
        if out:
            self._emit(StreamBatch(out))
