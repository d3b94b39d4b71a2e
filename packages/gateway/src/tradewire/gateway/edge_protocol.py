"""uvicorn's httptools protocol with the edge limits: head size, head and body time, connections per client."""

from __future__ import annotations

import asyncio
import logging
from asyncio import TimerHandle
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from tradewire.gateway.edge_limits import ConnectionRegistry, Slot
from tradewire.gateway.errors import body_bytes
from tradewire.gateway.settings import GatewaySettings
from tradewire.protocol.messages import ErrorCode

log = logging.getLogger("tradewire.gateway.edge")

#: Seconds a refused connection may take to send its request before it is closed unanswered: short,
#: because it holds a socket without counting against any limit.
REFUSED_GRACE = 1.0
#: After an error answer the connection is half-closed and the client's further input read and dropped
#: for this long (or up to LINGER_BYTES), as nginx's lingering close does: closing with unread input
#: makes the kernel send a reset, which can destroy the answer before the client reads it.
LINGER_SECONDS = 2.0
LINGER_BYTES = 1 << 20


class _SlotHolder(asyncio.Protocol):
    """Mixed into the WebSocket protocol: the connection's slot moves to it on upgrade and is given
    back when the socket closes (the HTTP protocol never hears of the connection again)."""

    edge_slot: Slot | None = None

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            super().connection_lost(exc)
        finally:
            if self.edge_slot is not None:
                self.edge_slot.release()
                self.edge_slot = None


_HOLDING: dict[type[asyncio.Protocol], type[asyncio.Protocol]] = {}


def _holding_slot(ws_class: type[asyncio.Protocol]) -> type[asyncio.Protocol]:
    """`ws_class` (whichever WebSocket implementation uvicorn was given) that gives back its slot."""
    holding = _HOLDING.get(ws_class)
    if holding is None:
        holding = _HOLDING[ws_class] = type(ws_class.__name__, (_SlotHolder, ws_class), {})
    return holding


class EdgeProtocol(HttpToolsProtocol):
    """One HTTP/1.1 connection, bounded the way nginx bounds it.

    * A request head longer than `max_head_bytes` is answered 431 and the connection closed: the
      parser never holds more than that (plus one read) per connection.
    * A head must be complete within `head_timeout` of the connection opening, or of the first byte
      of a later request: 408 and close if part of one arrived, a silent close if nothing did. The
      idle time between keep-alive requests is uvicorn's keep-alive timeout.
    * A request body must be complete within `body_timeout` of its head: else 408 and close, and
      the application sees the client disconnect.
    * A connection past `max_connections` in total or `max_connections_per_client` from one address
      is answered 503 and closed once it sends its request.

    WebSocket upgrades pass through here, so the handshake is bounded the same way and the upgraded
    connection keeps its slot until it closes. Subclassed per server by `edge_protocol`, which sets
    the class attributes.
    """

    registry: ClassVar[ConnectionRegistry]
    max_head_bytes: ClassVar[int]
    head_timeout: ClassVar[float]
    body_timeout: ClassVar[float]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        if self.ws_protocol_class is not None:
            self.ws_protocol_class = _holding_slot(self.ws_protocol_class)
        self._slot: Slot | None = None
        self._in_head = True  # between requests or inside a request head
        self._head_bytes = 0  # bytes received since the current head began
        self._head_started = 0.0
        self._head_timer: TimerHandle | None = None
        self._body_timer: TimerHandle | None = None
        self._heads = 0  # request heads completed on this connection
        self._lingering = -1  # bytes dropped since an error answer; -1: not lingering

    # Connection lifetime

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._slot = self.registry.acquire(self.client[0] if self.client else "")
        self._head_started = self.loop.time()
        grace = self.head_timeout if self._slot is not None else min(self.head_timeout, REFUSED_GRACE)
        self._head_timer = self.loop.call_later(grace, self._on_head_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        self._cancel_body_timer()
        if self._slot is not None:
            self._slot.release()
            self._slot = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering >= 0:
            self._lingering += len(data)
            if self._lingering > LINGER_BYTES:
                self.transport.close()
            return
        if self._slot is None:
            self._answer_and_close(503, ErrorCode.RATE_LIMITED, "Too many connections", retry_after=True)
            return
        if not self._in_head:  # a request body, or bytes of an upgraded connection's first frame
            super().data_received(data)
            return
        if self._head_bytes == 0:
            self._head_started = self.loop.time()
        room = self.max_head_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            super().data_received(data)
        else:
            # Feed only what the limit allows; the head has to end within it. A pipelined head that
            # begins inside this part is counted from the next read, so one head may reach twice the
            # limit at most: still bounded.
            heads = self._heads
            if room > 0:
                self._head_bytes += room
                super().data_received(data[:room])
            if self._heads == heads:
                self._answer_and_close(431, ErrorCode.INVALID_REQUEST, "Request header fields too large")
                return
            if not self.transport.is_closing() and self.transport.get_protocol() is self:
                self.data_received(data[room:])
            return
        if (
            self._in_head
            and self._head_bytes
            and self._head_timer is None
            and not self.transport.is_closing()
        ):
            # Part of a head came and the rest did not (a whole request leaves _head_bytes at 0):
            # bound the time the rest may take.
            self._head_timer = self.loop.call_at(
                self._head_started + self.head_timeout, self._on_head_timeout
            )

    def handle_websocket_upgrade(self) -> None:
        slot, self._slot = self._slot, None
        super().handle_websocket_upgrade()
        upgraded = self.transport.get_protocol()
        if isinstance(upgraded, _SlotHolder):
            upgraded.edge_slot = slot
        elif slot is not None:
            slot.release()

    # Parser callbacks

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._heads += 1
        self._cancel_head_timer()
        super().on_headers_complete()
        if self.parser.should_upgrade():
            return  # a WebSocket handshake has no body; the upgraded protocol bounds the rest
        self._body_timer = self.loop.call_later(self.body_timeout, self._on_body_timeout)

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._cancel_body_timer()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers a request it cannot parse in plain text; clients expect the error body
        self._answer_and_close(400, ErrorCode.INVALID_REQUEST, msg)

    # Limits

    def _on_head_timeout(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # The next head is late only once the answer to this request is out: wait for that.
            self._head_timer = self.loop.call_later(self.head_timeout, self._on_head_timeout)
            return
        if self._head_bytes and self._slot is not None:
            self._answer_and_close(408, ErrorCode.INVALID_REQUEST, "Request head not received in time")
        else:
            self.transport.close()

    def _on_body_timeout(self) -> None:
        self._body_timer = None
        if self._in_head or self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None:
            if cycle.response_started:
                # The app answered without reading the whole body; uvicorn closes after the answer.
                return
            # The app waiting for the rest of the body hears a disconnect, and anything it sends
            # later is dropped: the 408 below is the answer.
            cycle.disconnected = True
            cycle.message_event.set()
        self._answer_and_close(408, ErrorCode.INVALID_REQUEST, "Request body not received in time")

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _answer_and_close(
        self, status: int, code: ErrorCode, message: str, retry_after: bool = False
    ) -> None:
        """Answer with the protocol's error body outside any request cycle, then close."""
        if self.transport.is_closing():
            return
        # one line per refusal; log_filters bounds a flood of them per client
        log.info(
            "refused: %s", message, extra={"client": self.client[0] if self.client else "", "status": status}
        )
        body = body_bytes(code, message)
        parts = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            parts += [name, b": ", value, b"\r\n"]
        if retry_after:
            parts.append(b"retry-after: 1\r\n")
        parts += [
            b"content-type: application/json\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\nconnection: close\r\n\r\n",
            body,
        ]
        self.transport.write(b"".join(parts))
        self._cancel_head_timer()
        self._cancel_body_timer()
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()  # the answer, then FIN: the client reads it, then end of stream
        self._lingering = 0
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def edge_protocol(settings: GatewaySettings) -> type[EdgeProtocol]:
    """The HTTP protocol class for one server: its limits from `settings`, its own connection table."""

    class ServerEdgeProtocol(EdgeProtocol):
        registry = ConnectionRegistry(settings.max_connections, settings.max_connections_per_client)
        max_head_bytes = settings.max_head_bytes
        head_timeout = settings.head_timeout
        body_timeout = settings.body_timeout

    return ServerEdgeProtocol
