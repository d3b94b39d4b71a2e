"""`AsyncEventStream`: the `/v1/ws` event stream with batched framing, acks, heartbeats and reconnects."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from tradewire.sdk._frames import PONG, Delivery, StreamState, ack_frame, parse_frame
from tradewire.sdk.config import ClientConfig
from tradewire.sdk.errors import AuthenticationError, ConnectionLost

__all__ = ["AsyncEventStream", "reconnect_delay"]

#: Frames up to this size are accepted (the spec keeps server frames under 256 KiB; batches can be larger).
MAX_FRAME = 64 * 1024 * 1024


def reconnect_delay(attempt: int, cap: float) -> float:
    """About 2**attempt seconds with jitter, capped (the spec's reconnect back-off)."""
    base = min(cap, float(2**attempt))
    return min(cap, base * random.uniform(0.5, 1.0))


class _StreamBase:
    """What both stream flavours share: settings, handshake options and errors, back-off decisions."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        reconnect: bool = True,
        on_state: Callable[[StreamState], Any] | None = None,
        max_reconnects: int | None = None,
        candles: bool = False,
    ) -> None:
        self.config = config
        self.reconnect = reconnect
        self.on_state = on_state
        self.max_reconnects = max_reconnects
        self.candles = candles
        self.finished = False

    def _connect_options(self) -> dict[str, Any]:
        return {
            "additional_headers": {k: v for k, v in self.config.headers().items() if k != "Accept"},
            "compression": None,  # the spec: no permessage-deflate
            "max_size": MAX_FRAME,
            "open_timeout": self.config.timeout,
            "ping_interval": 20,
            "ping_timeout": 20,
            "user_agent_header": None,
        }

    @staticmethod
    def _refused(error: InvalidStatus | InvalidURI) -> Exception:
        """The typed error for a failed handshake (401/403 is final: never retried)."""
        if isinstance(error, InvalidURI):
            return ConnectionLost(f"bad stream URL: {error}")
        if error.response.status_code in (401, 403):
            return AuthenticationError(
                f"event stream refused: HTTP {error.response.status_code} (check the API key)"
            )
        return error

    def _state(self, state: StreamState) -> None:
        if self.on_state is not None:
            self.on_state(state)

    def _next_delay(self, attempt: int, error: str | None) -> float:
        """Seconds to wait before reconnect attempt `attempt + 1`, or ConnectionLost when giving up."""
        if not self.reconnect or (self.max_reconnects is not None and attempt >= self.max_reconnects):
            raise ConnectionLost(f"event stream lost: {error}")
        delay = reconnect_delay(attempt, self.config.reconnect_max_delay)
        self._state(StreamState("reconnecting", attempt + 1, delay, error))
        return delay


class AsyncEventStream(_StreamBase):
    """Iterate the gateway's events; acknowledge each delivery after handling it.

    Opts into the batched framing (one frame and one ack per batch) unless the config says
    `framing="single"`. Answers JSON `ping` with `pong`. On a drop it reconnects with exponential
    back-off and jitter, except after a 401/403 (AuthenticationError) or after `backtest_complete`
    (iteration simply ends).

    Args:
        config: Where and how to connect.
        reconnect: Reconnect after drops (live platforms); False raises ConnectionLost instead.
        on_state: Called with a StreamState on every connect, drop and reconnect attempt.
        max_reconnects: Give up (ConnectionLost) after this many failed attempts in a row; None = never.
        candles: Deliver candle messages as `Candle`s (what `Strategy.on_candle` takes) rather than
            protocol `CandleEvent`s: cheaper when a strategy is the consumer.
    """

    _ws: ClientConnection | None = None

    async def _connect(self) -> ClientConnection:
        try:
            return await connect(self.config.ws_url, **self._connect_options())
        except (InvalidStatus, InvalidURI) as e:
            refused = self._refused(e)
            if refused is e:
                raise
            raise refused from None

    async def __aiter__(self) -> AsyncIterator[Delivery]:
        attempt = 0
        while not self.finished:
            error: str | None
            try:
                self._ws = ws = await self._connect()
            except AuthenticationError:
                raise
            except (TimeoutError, OSError, InvalidStatus, ConnectionClosed) as e:
                error = f"{type(e).__name__}: {e}"
            else:
                self._state(StreamState("connected", attempt))
                attempt = 0
                error = None
                candles = self.candles
                try:
                    async for raw in ws:
                        delivery = parse_frame(raw, candles)
                        if delivery is None:
                            await ws.send(PONG, text=True)
                            continue
                        yield delivery
                        if delivery.complete:
                            self.finished = True
                            break
                except ConnectionClosed as e:
                    error = f"connection closed ({e.rcvd.code if e.rcvd else 'no close frame'})"
                finally:
                    if self.finished:
                        await ws.close()
                if self.finished:
                    self._state(StreamState("closed"))
                    return
                error = error or "connection closed by the gateway"
                self._state(StreamState("disconnected", attempt, error=error))
            await asyncio.sleep(self._next_delay(attempt, error))
            attempt += 1

    async def ack(self, delivery: Delivery) -> None:
        """Release a delivery (one `event_ack` by batch id or event ids); call after its handlers returned."""
        frame = ack_frame(delivery)
        if frame is not None and self._ws is not None:
            try:
                await self._ws.send(frame, text=True)
            except ConnectionClosed:
                pass  # the gateway resends unreleased events after a reconnect (backtest rule 9)

    async def aclose(self) -> None:
        """Close the connection; iteration ends."""
        self.finished = True
        if self._ws is not None:
            await self._ws.close()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
