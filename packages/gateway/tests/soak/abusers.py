"""Soak side load: stream readers, readers that never read, garbage frames and header floods."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
from dataclasses import dataclass, field

import websockets
from websockets.asyncio.client import connect


@dataclass
class StreamOutcome:
    """How one stream client ended."""

    kind: str
    messages: int = 0
    saw_disconnecting: bool = False
    close_code: int | None = None
    error: str = ""


def _ws_url(url: str) -> str:
    return url.replace("http://", "ws://", 1) + "/v1/ws"


async def reader(url: str, key: str, garbage: bool = False) -> StreamOutcome:
    """A client that reads every message (and, with `garbage`, sends junk frames) until the server closes."""
    outcome = StreamOutcome("garbage" if garbage else "reader")
    headers = {"Authorization": f"Bearer {key}"}
    try:
        async with connect(_ws_url(url), additional_headers=headers, compression=None, max_size=None) as ws:
            sender = asyncio.create_task(_junk(ws)) if garbage else None
            try:
                async for raw in ws:
                    outcome.messages += 1
                    if b'"DISCONNECTING"' in (raw if isinstance(raw, bytes) else raw.encode()):
                        outcome.saw_disconnecting = True
            except websockets.ConnectionClosed:
                pass
            finally:
                if sender is not None:
                    sender.cancel()
            outcome.close_code = ws.close_code
    except (OSError, websockets.InvalidHandshake) as e:
        outcome.error = f"{type(e).__name__}: {e}"
    return outcome


async def _junk(ws: websockets.asyncio.client.ClientConnection) -> None:
    frames: list[str | bytes] = ["{", "null", "[1,2]", '{"type":"nope"}', b"\x00\xff" * 50, "x" * 4000]
    i = 0
    while True:
        await ws.send(frames[i % len(frames)])
        i += 1
        await asyncio.sleep(0.01)


def _handshake(port: int, key: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A tiny receive window: the server's writes back up as soon as this client stops reading.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    nonce = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {nonce}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {key}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    return sock


def _close_code(data: bytes) -> int | None:
    """The code of the first close frame in a server byte stream (server frames are unmasked)."""
    at = 0
    while at + 2 <= len(data):
        opcode, length = data[at] & 0x0F, data[at + 1] & 0x7F
        at += 2
        if length == 126:
            (length,) = struct.unpack_from("!H", data, at)
            at += 2
        elif length == 127:
            (length,) = struct.unpack_from("!Q", data, at)
            at += 8
        if opcode == 0x8:
            return struct.unpack_from("!H", data, at)[0] if length >= 2 and at + 2 <= len(data) else None
        at += length
    return None


def slow_reader(port: int, key: str, stall: float) -> StreamOutcome:
    """Connect, read nothing for `stall` seconds, then drain what arrived; blocking (run in a thread)."""
    outcome = StreamOutcome("slow")
    try:
        sock = _handshake(port, key)
    except OSError as e:
        outcome.error = f"{type(e).__name__}: {e}"
        return outcome
    with sock:
        asyncio.run(asyncio.sleep(stall))
        data = bytearray()
        sock.settimeout(15)
        try:
            while chunk := sock.recv(1 << 16):
                data += chunk
        except TimeoutError:
            outcome.error = "still open 15 s after the stall"
        except ConnectionResetError:
            outcome.error = "reset"
        outcome.messages = data.count(b'"type"')
        outcome.close_code = _close_code(bytes(data))
    return outcome


@dataclass
class FloodOutcome:
    """What endless request heads got back."""

    attempts: int = 0
    bytes_sent: list[int] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)


def header_flood(port: int, attempts: int, cap: int = 8 << 20) -> FloodOutcome:
    """Send request heads that never end, `attempts` times; blocking (run in a thread)."""
    outcome = FloodOutcome()
    pad = b"a" * 16384
    for _ in range(attempts):
        outcome.attempts += 1
        sent = 0
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ")
            try:
                while sent < cap:
                    sock.sendall(pad)
                    sent += len(pad)
                    sock.setblocking(False)
                    try:
                        answer = sock.recv(4096)
                    except BlockingIOError:
                        answer = None
                    finally:
                        sock.setblocking(True)
                    if answer is not None:
                        outcome.answers.append(answer.split(b"\r\n", 1)[0].decode(errors="replace") or "EOF")
                        break
                else:
                    outcome.answers.append(f"accepted {cap} bytes of header")
            except OSError as e:
                outcome.answers.append(type(e).__name__)
        outcome.bytes_sent.append(sent)
    return outcome
