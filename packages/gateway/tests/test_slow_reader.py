"""Slow readers (events.md "Slow client"): a client that stops reading is closed 1008, or cut off when
even the close cannot be written, in bounded time; its queue and the gauges are freed, and a shutdown
does not wait for it. Clients here are raw sockets that do the WebSocket handshake and then read
nothing, with a small receive buffer, against a real gateway."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
import time

import httpx
import orjson
from conftest import mock_venue
from fakes import StepVenue
from harness import AUTH, KEY, ack, connect, serve

from tradewire.testkit.harness import ThreadGateway

#: Generous bounds, far above what the settings below should take, far below "never".
CLOSE_BOUND_S = 20.0
SHUTDOWN_BOUND_S = 6.0  # uvicorn's own graceful timeout is 10 s


def non_reader(gw: ThreadGateway, path: str = "/v1/ws", rcvbuf: int = 4096) -> socket.socket:
    """Open the stream with a raw socket, read the handshake's response head, and read no further."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connect: sets the window
    sock.settimeout(5)
    port = int(gw.url.rsplit(":", 1)[1])
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {KEY}\r\n\r\n"
        ).encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)  # one byte at a time: nothing past the head is read
        assert byte, head
        head += byte
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def ws_clients(gw: ThreadGateway) -> float:
    """The `tradewire_ws_clients` gauge, read from /metrics."""
    text = httpx.get(f"{gw.url}/metrics", headers=AUTH).text
    match = re.search(r"^tradewire_ws_clients (\S+)$", text, re.M)
    assert match, text
    return float(match.group(1))


async def until(predicate, bound: float) -> float:  # type: ignore[no-untyped-def]
    """Poll `predicate` (sync) until true; the seconds it took (fails past `bound`)."""
    start = time.monotonic()
    while not await asyncio.to_thread(predicate):
        assert time.monotonic() - start < bound, "not within the bound"
        await asyncio.sleep(0.1)
    return time.monotonic() - start


def sees_end(sock: socket.socket, bound: float) -> bytes:
    """Read what the server sent until EOF or a reset; fails if data keeps coming past `bound`."""
    sock.settimeout(bound)
    start = time.monotonic()
    got = bytearray()
    try:
        while chunk := sock.recv(1 << 16):
            got += chunk
            assert time.monotonic() - start < bound, "the server is still sending"
    except ConnectionResetError:
        pass
    return bytes(got)


async def test_live_non_reader_is_cut_off_and_forgotten():
    venue = mock_venue(candle_interval=0.002)  # 10 messages per tick: megabytes a minute
    with serve(venue, ws_queue_size=64, ws_send_timeout=0.5, shutdown_grace=0.1) as gw:
        baseline = ws_clients(gw)
        sock = non_reader(gw)
        try:
            await until(lambda: ws_clients(gw) == baseline + 1, 5)
            # its queue overflows once the socket buffers are full, and the close cannot be written
            await until(lambda: ws_clients(gw) == baseline, CLOSE_BOUND_S)
            assert gw.call(lambda: len(gw.gateway.hub.sessions)) == 0
            sees_end(sock, 5)  # the server's end is closed: EOF or RST, not a stalled stream
        finally:
            sock.close()
        depth = httpx.get(f"{gw.url}/metrics", headers=AUTH).text
        assert re.search(r"^tradewire_ws_slow_client_disconnects_total [1-9]", depth, re.M)
        start = time.monotonic()
        gw.close()
        assert time.monotonic() - start < SHUTDOWN_BOUND_S


async def test_shutdown_does_not_wait_for_a_non_reader():
    # The send timeout is long, so the non-reader is still connected, its writes stuck, at shutdown.
    venue = mock_venue(candle_interval=0.002)
    with serve(venue, ws_queue_size=1_000_000, ws_send_timeout=60, shutdown_grace=0.1) as gw:
        sock = non_reader(gw)
        try:
            stuck = lambda: gw.call(lambda: sum(s.depth for s in gw.gateway.hub.sessions)) > 500  # noqa: E731
            await until(stuck, CLOSE_BOUND_S)
            start = time.monotonic()
            gw.close()
            assert time.monotonic() - start < SHUTDOWN_BOUND_S
            assert gw.gateway.hub.sessions == set()
            sees_end(sock, 5)
        finally:
            sock.close()


async def test_backtest_non_reader_beside_an_acking_client_is_cut_off_and_the_run_goes_on():
    # Backtest: time advances on any client's acks (events.md, several clients), so a second client
    # that reads nothing falls behind, a step per ack, without bound but for the send timeout.
    # A client that reads nothing and is alone acks nothing: the run waits (ack_timeout, if set).
    venue = StepVenue(steps=3000, symbols=tuple(f"S{i:03}" for i in range(20)))
    # 1.5 s: the acking client, starved on a loaded machine, must not stall that long (at 0.5 s it was
    # cut off too in a CI run beside other jobs); the non-reader never reads, so any bound cuts it.
    with serve(venue, ws_send_timeout=1.5) as gw:
        async with await connect(gw, batch=True) as ws:
            sock = non_reader(gw)
            try:
                events = 0
                while True:
                    frame = orjson.loads(await asyncio.wait_for(ws.recv(), CLOSE_BOUND_S))
                    if frame["type"] != "batch":
                        continue
                    events += len(frame["events"])
                    if any(e["type"] == "backtest_complete" for e in frame["events"]):
                        await ack(ws, [], batch_id=frame["batch_id"])
                        break
                    await ack(ws, [], batch_id=frame["batch_id"])
                assert events >= 3000 * 20
                assert gw.call(lambda: len(gw.gateway.hub.sessions)) == 1
                sees_end(sock, 5)
            finally:
                sock.close()
