# Generated from stream.py by scripts/unasync.py: edit that file, then run the script.
"""`EventStream`: the `/v1/ws` event stream with batched framing, acks, heartbeats and reconnects.

`stream.py` (asyncio) is the source; `stream_sync.py` (blocking) is written from
it by `python scripts/unasync.py`, and `nox -s lint` fails when that file is stale.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

# from the package root, so the import order is the same once `asyncio.client` reads `sync.client`
from websockets import ConnectionClosed, InvalidStatus, InvalidURI

from tradewire.sdk._frames import PONG, Delivery, StreamState, ack_frame
from tradewire.sdk._stream_core import StreamCore
from tradewire.sdk._stream_drivers_sync import connect
from tradewire.sdk.errors import AuthenticationError

if TYPE_CHECKING:
    from tradewire.sdk._stream_drivers_sync import Connection

__all__ = ["EventStream"]


class EventStream(StreamCore):
    """Iterate the gateway's events; acknowledge each delivery after handling it.

    Opts into the batched framing (one frame and one ack per batch) unless the config says
    `framing="single"`. Answers JSON `ping` with `pong`. On a drop it reconnects with exponential
    back-off and jitter, except after a 401/403 (AuthenticationError) or after `backtest_complete`
    (iteration simply ends). A reconnect that finds the gateway serving another run (its CONNECTED
    `run_id` changed: it restarted, and its orders and account started over) raises RunChanged.

    Args:
        config: Where and how to connect.
        reconnect: Reconnect after drops (live platforms); False raises ConnectionLost instead.
        on_state: Called with a StreamState on every connect, drop and reconnect attempt.
        max_reconnects: Give up (ConnectionLost) after this many failed attempts in a row; None = never.
        candles: Deliver candle messages as `Candle`s (what `Strategy.on_candle` takes) rather than
            protocol `CandleEvent`s: cheaper when a strategy is the consumer.
        run_id: The run the stream belongs to (e.g. from `/health`); None: the first CONNECTED's.
    """

    _ws: Connection | None = None

    def _connect(self) -> Connection:
        """The driver's connection (closed by close() or at the end of iteration)."""
        try:
            return connect(self.config.ws_url, self.config.stream_client, **self._connect_options())
        except (InvalidStatus, InvalidURI) as e:
            refused = self._refused(e)
            if refused is e:
                raise
            raise refused from None

    def __iter__(self) -> Iterator[Delivery]:
        attempt = 0
        while not self.finished:
            error: str | None
            try:
                self._ws = ws = self._connect()
            except AuthenticationError:
                raise
            except (TimeoutError, OSError, InvalidStatus, ConnectionClosed) as e:
                error = f"{type(e).__name__}: {e}"
            else:
                self._state(StreamState("connected", attempt))
                attempt = 0
                error = None
                greeting = True  # the first message of a connection is the gateway's CONNECTED
                try:
                    for raw in ws:
                        delivery = self._receive(raw)
                        if delivery is None:
                            ws.send(PONG, text=True)
                            continue
                        if greeting:
                            greeting = False
                            self._check_run(delivery)
                        yield delivery
                        if delivery.complete:
                            self.finished = True
                            break
                except ConnectionClosed as e:
                    error = f"connection closed ({e.rcvd.code if e.rcvd else 'no close frame'})"
                finally:
                    if self.finished:
                        ws.close()
                if self.finished:
                    self._state(StreamState("closed"))
                    return
                self._check_close(ws.close_code, ws.close_reason)
                error = error or "connection closed by the gateway"
                self._state(StreamState("disconnected", attempt, error=error))
            time.sleep(self._next_delay(attempt, error))
            attempt += 1

    def ack(self, delivery: Delivery) -> None:
        """Release a delivery (one `event_ack` by batch id or event ids); call after its handlers returned."""
        frame = ack_frame(delivery)
        if frame is not None and self._ws is not None:
            try:
                self._ws.send(frame, text=True)
            except ConnectionClosed:
                pass  # the gateway resends unreleased events after a reconnect (backtest rule 9)

    def close(self) -> None:
        """Close the connection; iteration ends."""
        self.finished = True
        if self._ws is not None:
            self._ws.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
