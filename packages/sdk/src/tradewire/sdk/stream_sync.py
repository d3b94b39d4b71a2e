"""`EventStream`: the blocking twin of AsyncEventStream (same framing, acks, pings and reconnects)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from tradewire.sdk._frames import PONG, Delivery, StreamState, ack_frame, parse_frame
from tradewire.sdk.errors import AuthenticationError
from tradewire.sdk.stream import _StreamBase

__all__ = ["EventStream"]


class EventStream(_StreamBase):
    """Iterate the gateway's events in a plain loop; `ack(delivery)` after handling each one.

    Same arguments and behaviour as `AsyncEventStream`.
    """

    _ws: ClientConnection | None = None

    def _connect(self) -> ClientConnection:
        try:
            connection: ClientConnection = connect(self.config.ws_url, **self._connect_options())
            # entered as a context manager (websockets >= 17.1 wants that); closed by close()/iteration
            return connection.__enter__()
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
            except (OSError, InvalidStatus, TimeoutError, ConnectionClosed) as e:
                error = f"{type(e).__name__}: {e}"
            else:
                self._state(StreamState("connected", attempt))
                attempt = 0
                error = None
                candles = self.candles
                try:
                    for raw in ws:
                        delivery = parse_frame(raw, candles)
                        if delivery is None:
                            ws.send(PONG, text=True)
                            continue
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
                error = error or "connection closed by the gateway"
                self._state(StreamState("disconnected", attempt, error=error))
            time.sleep(self._next_delay(attempt, error))
            attempt += 1

    def ack(self, delivery: Delivery) -> None:
        """Release a delivery; call after its handlers returned."""
        frame = ack_frame(delivery)
        if frame is not None and self._ws is not None:
            try:
                self._ws.send(frame, text=True)
            except ConnectionClosed:
                pass

    def close(self) -> None:
        """Close the connection; iteration ends."""
        self.finished = True
        if self._ws is not None:
            self._ws.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
