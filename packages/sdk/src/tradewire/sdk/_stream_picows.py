"""The event stream's picows driver (`tradewire-sdk[fast]`): frames in and out, nothing else.

The same surface as the `websockets` asyncio connection the stream uses (`async for` over frames,
`send`, `close`, websockets' exceptions), so `AsyncEventStream` keeps one loop and every protocol
decision in `_stream_core` / `_frames`. picows parses frames in C inside the transport's callback;
a frame is copied out as bytes and handed to the reading task, which is all the speed-up needs.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

from picows import (
    WSAutoPingStrategy,
    WSCloseCode,
    WSFrame,
    WSInvalidStatusError,
    WSListener,
    WSMsgType,
    WSTransport,
    ws_connect,
)
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus
from websockets.frames import Close
from websockets.http11 import Response

__all__ = ["PicowsConnection", "connect"]

#: Frames queued unread before the socket stops being read (websockets' `max_queue` is 16).
MAX_QUEUE = 64
_NORMAL = (1000, 1001)


class _Listener(WSListener):
    """Queues complete messages for the reading task; answers the server's close.

    It holds the queue itself: frames that arrive with the handshake's answer, before `connect`
    returns, are kept.
    """

    def __init__(self) -> None:
        self.transport: WSTransport | None = None
        self.frames: deque[bytes] = deque()
        self.parts: list[bytes] = []
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.paused = False
        self.rcvd: Close | None = None

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind is WSMsgType.TEXT or kind is WSMsgType.BINARY:
            if frame.fin:
                self._put(transport, frame.get_payload_as_bytes())
            else:
                self.parts = [frame.get_payload_as_bytes()]
        elif kind is WSMsgType.CONTINUATION:
            self.parts.append(frame.get_payload_as_bytes())
            if frame.fin:
                self._put(transport, b"".join(self.parts))
                self.parts = []
        elif kind is WSMsgType.CLOSE:
            code = frame.get_close_code()
            reason = frame.get_close_message() or b""
            # an IntEnum at run time (the stub says Enum); codes it does not name pass as ints
            self.rcvd = Close(code.value, bytes(reason).decode(errors="replace"))
            transport.send_close(code)
            transport.disconnect()

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.closed = True
        self._wake()

    def _put(self, transport: WSTransport, data: bytes) -> None:
        self.frames.append(data)
        self._wake()
        if len(self.frames) >= MAX_QUEUE and not self.paused:
            self.paused = True
            transport.underlying_transport.pause_reading()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class PicowsConnection:
    """A client WebSocket connection on picows, read as an async iterator of messages (bytes)."""

    def __init__(self, transport: WSTransport, listener: _Listener) -> None:
        self.transport = transport
        self.listener = listener

    @property
    def close_code(self) -> int | None:
        """The close code the server sent (None before its close frame), as websockets' connection."""
        rcvd = self.listener.rcvd
        return rcvd.code if rcvd is not None else None

    @property
    def close_reason(self) -> str | None:
        """The close reason the server sent (None before its close frame)."""
        rcvd = self.listener.rcvd
        return rcvd.reason if rcvd is not None else None

    def _closed_error(self) -> ConnectionClosedOK | ConnectionClosedError:
        rcvd = self.listener.rcvd
        if rcvd is not None and rcvd.code in _NORMAL:
            return ConnectionClosedOK(rcvd, None)
        return ConnectionClosedError(rcvd, None)

    async def recv(self) -> bytes:
        """The next message; ConnectionClosed once the connection is gone and every message read."""
        listener = self.listener
        frames = listener.frames
        while not frames:
            if listener.closed:
                raise self._closed_error()
            listener.waiter = asyncio.get_running_loop().create_future()
            await listener.waiter
            listener.waiter = None
        if listener.paused and len(frames) <= MAX_QUEUE // 4:
            listener.paused = False
            self.transport.underlying_transport.resume_reading()
        return frames.popleft()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """Messages until the server closes: normally (1000/1001) ends, otherwise ConnectionClosedError."""
        try:
            while True:
                yield await self.recv()
        except ConnectionClosedOK:
            return

    async def send(self, message: bytes, text: bool = True) -> None:
        if self.listener.closed:
            raise self._closed_error()
        self.transport.send(WSMsgType.TEXT if text else WSMsgType.BINARY, message)

    async def close(self) -> None:
        if not self.listener.closed:
            self.transport.send_close(WSCloseCode.OK)
            self.transport.disconnect()
        await self.transport.wait_disconnected()


def _invalid_status(error: WSInvalidStatusError) -> InvalidStatus:
    response = error.response
    status = int(response.status) if response is not None else 0
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    body = response.body if response is not None and response.body else b""
    return InvalidStatus(Response(status, reason, Headers(), body))


async def connect(url: str, **options: Any) -> PicowsConnection:
    """Open the stream with the options `StreamCore._connect_options` gives the websockets client."""
    headers = options.get("additional_headers") or {}
    timeout = options.get("open_timeout")
    ping = options.get("ping_interval")
    try:
        transport, listener = await asyncio.wait_for(
            ws_connect(
                _Listener,
                url,
                websocket_handshake_timeout=timeout,
                enable_auto_ping=ping is not None,
                auto_ping_idle_timeout=ping or 20,
                auto_ping_reply_timeout=options.get("ping_timeout") or 20,
                auto_ping_strategy=WSAutoPingStrategy.PING_WHEN_IDLE,
                max_frame_size=options.get("max_size") or 2**31 - 1,
                extra_headers=headers,
                max_redirects=0,
            ),
            timeout,
        )
    except WSInvalidStatusError as e:
        raise _invalid_status(e) from None
    if not isinstance(listener, _Listener):  # always: the factory above
        raise TypeError(type(listener).__name__)
    return PicowsConnection(transport, listener)
