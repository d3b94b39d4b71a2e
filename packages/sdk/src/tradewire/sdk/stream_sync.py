"""`EventStream`: the blocking twin of AsyncEventStream (same framing, acks, pings and reconnects)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect

from tradewire.sdk._frames import PONG, Delivery, StreamState, ack_frame, parse_frame
from tradewire.sdk.config import ClientConfig
from tradewire.sdk.errors import AuthenticationError, ConnectionLost
from tradewire.sdk.stream import MAX_FRAME, reconnect_delay

__all__ = ["EventStream"]


class EventStream:
    """Iterate the gateway's events in a plain loop; `ack(delivery)` after handling each one.

    Same arguments and behaviour as `AsyncEventStream`.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        reconnect: bool = True,
        on_state: Callable[[StreamState], Any] | None = None,
        max_reconnects: int | None = None,
    ) -> None:
        self.config = config
        self.reconnect = reconnect
        self.on_state = on_state
        self.max_reconnects = max_reconnects
        self.finished = False
        self._ws: ClientConnection | None = None

    def _connect(self) -> ClientConnection:
        headers = {k: v for k, v in self.config.headers().items() if k != "Accept"}
        try:
            connection = connect(
                self.config.ws_url,
                additional_headers=headers,
                compression=None,
                max_size=MAX_FRAME,
                open_timeout=self.config.timeout,
                user_agent_header=None,
            )
            # entered as a context manager (websockets >= 17.1 wants that); closed by close()/iteration
            return connection.__enter__()
        except InvalidStatus as e:
            if e.response.status_code in (401, 403):
                raise AuthenticationError(
                    f"event stream refused: HTTP {e.response.status_code} (check the API key)"
                ) from None
            raise
        except InvalidURI as e:
            raise ConnectionLost(f"bad stream URL: {e}") from None

    def _state(self, state: StreamState) -> None:
        if self.on_state is not None:
            self.on_state(state)

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
                try:
                    for raw in ws:
                        delivery = parse_frame(raw)
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
            if not self.reconnect or (self.max_reconnects is not None and attempt >= self.max_reconnects):
                raise ConnectionLost(f"event stream lost: {error}")
            delay = reconnect_delay(attempt, self.config.reconnect_max_delay)
            self._state(StreamState("reconnecting", attempt + 1, delay, error))
            time.sleep(delay)
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
