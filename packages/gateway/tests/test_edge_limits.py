"""The HTTP edge against hostile clients, over raw sockets: head size and time, idle keep-alive,
connections per client, WebSocket message size."""

from __future__ import annotations

import asyncio
import select
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import orjson
import pytest
import websockets
from conftest import mock_venue
from harness import AUTH, KEY, connect, serve

from tradewire.testkit.harness import ThreadGateway

#: Upper bound on any wait here; the limits under test are set far below it.
BOUND = 5.0


def open_socket(gw: ThreadGateway) -> socket.socket:
    parts = urlsplit(gw.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=BOUND)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (fails the test if it does not)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def parse(response: bytes) -> tuple[int, dict[str, str], object]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), {k.lower(): v for k, v in headers.items()}, orjson.loads(body)


def get(sock: socket.socket, path: str = "/livez") -> bytes:
    """One keep-alive GET; the response (read by its content-length)."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += recv_some(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += recv_some(sock)
    return head + b"\r\n\r\n" + body


def recv_some(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("closed by the server")
    return chunk


@pytest.fixture(scope="module")
def edge() -> Iterator[ThreadGateway]:
    """A gateway with the default head limit and small timeouts and connection limits."""
    with serve(
        mock_venue(), head_timeout=0.5, keep_alive_timeout=0.3, max_connections_per_client=4
    ) as running:
        yield running


@contextmanager
def idle_sockets(gw: ThreadGateway, n: int) -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        socks = [stack.enter_context(open_socket(gw)) for _ in range(n)]
        yield socks


def test_endless_header_gets_431_and_close(edge: ThreadGateway) -> None:
    with open_socket(edge) as sock:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Pad: ")
        sent = 0
        # keep sending, as the flood does, until the answer shows up or the server stops reading
        while sent < 64 << 20:
            try:
                sock.sendall(b"a" * 16384)
            except OSError:
                break
            sent += 16384
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
        status, headers, body = parse(read_until_closed(sock))
    assert status == 431
    assert headers["connection"] == "close"
    assert body["code"] == "INVALID_REQUEST"  # type: ignore[index]


def test_unparseable_request_gets_the_json_error_body(edge: ThreadGateway) -> None:
    with open_socket(edge) as sock:
        sock.sendall(b"NOT AN HTTP REQUEST\r\n\r\n")
        status, headers, body = parse(read_until_closed(sock))
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert body["code"] == "INVALID_REQUEST"  # type: ignore[index]
    assert body["message"] == "Invalid HTTP request received."  # type: ignore[index]


def test_head_under_the_limit_is_served(edge: ThreadGateway) -> None:
    with open_socket(edge) as sock:
        # sent in pieces, as a slow network delivers it
        request = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 15_000 + b"\r\n\r\n"
        for i in range(0, len(request), 4000):
            sock.sendall(request[i : i + 4000])
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 200")


def test_pipelined_requests_beyond_the_limit_in_one_read_are_served(edge: ThreadGateway) -> None:
    request = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 6_000 + b"\r\n\r\n"
    with open_socket(edge) as sock:
        sock.sendall(request * 4)  # 24 KB at once, every head well under 16 KiB
        data = b""
        while data.count(b"HTTP/1.1 200") < 4:
            chunk = sock.recv(65536)
            assert chunk, f"closed after {data.count(b'HTTP/1.1 200')} answers"
            data += chunk


def test_slow_header_gets_408_and_close(edge: ThreadGateway) -> None:
    with open_socket(edge) as sock:
        sock.sendall(b"GET /livez HTTP/1.1\r\n")
        sock.settimeout(0.1)
        data = b""
        deadline = time.monotonic() + BOUND
        while time.monotonic() < deadline:
            try:
                sock.sendall(b"X")  # one byte every 0.1 s, never finishing the head
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionError:
                break
            if not chunk:
                break
            data += chunk
        else:
            pytest.fail("a head trickling in was never cut off")
    status, _, body = parse(data)
    assert status == 408
    assert body["code"] == "INVALID_REQUEST"  # type: ignore[index]


def test_slow_body_gets_408_and_close() -> None:
    with serve(mock_venue(), body_timeout=0.5, head_timeout=BOUND) as gw, open_socket(gw) as sock:
        head = (
            "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {KEY}\r\nContent-Length: 100\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"symbol":')  # 10 of the 100 promised bytes, then nothing
        status, _, body = parse(read_until_closed(sock))
    assert status == 408
    assert body == {"code": "INVALID_REQUEST", "message": "Request body not received in time"}  # type: ignore[comparison-overlap]


def test_body_sent_in_parts_within_the_time_is_served() -> None:
    with serve(mock_venue(), body_timeout=BOUND, head_timeout=BOUND) as gw, open_socket(gw) as sock:
        order = b'{"symbol":"AAPL","side":"BUY","quantity":"1","order_type":"MARKET"}'
        head = (
            "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {KEY}\r\n"
            f"Content-Length: {len(order)}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode() + order[:10])
        time.sleep(0.2)
        sock.sendall(order[10:])
        status, _, body = parse(read_until_closed(sock))
    assert status == 201, body


def test_silent_connection_is_closed_without_an_answer(edge: ThreadGateway) -> None:
    with open_socket(edge) as sock:
        assert read_until_closed(sock) == b""


def test_idle_keep_alive_connection_is_closed(edge: ThreadGateway) -> None:
    with open_socket(edge) as sock:
        assert get(sock).startswith(b"HTTP/1.1 200")
        assert get(sock).startswith(b"HTTP/1.1 200")  # a second request on the same connection
        sock.settimeout(2.0)  # well above the configured 0.3 s, well below uvicorn's default 5 s
        assert read_until_closed(sock) == b""


def test_keep_alive_connection_outlives_the_head_timeout() -> None:
    # the head timeout bounds each head, not the time between requests (that is keep_alive_timeout)
    with serve(mock_venue(), head_timeout=0.3, keep_alive_timeout=BOUND) as gw, open_socket(gw) as sock:
        for _ in range(3):
            assert get(sock).startswith(b"HTTP/1.1 200")
            time.sleep(0.6)


def test_connections_past_the_per_client_limit_get_503(edge: ThreadGateway) -> None:
    with idle_sockets(edge, 4) as held:
        with open_socket(edge) as extra:
            extra.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = parse(read_until_closed(extra))
        assert status == 503
        assert headers["retry-after"] == "1"
        assert body["code"] == "RATE_LIMITED"  # type: ignore[index]
        held[0].close()
        # the slot comes back once the server has seen the close
        deadline = time.monotonic() + BOUND
        while True:
            with open_socket(edge) as again:
                answer = get(again)
            if answer.startswith(b"HTTP/1.1 200") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert answer.startswith(b"HTTP/1.1 200")


def test_total_connection_limit() -> None:
    with serve(mock_venue(), max_connections=2, head_timeout=BOUND) as gw, idle_sockets(gw, 2):
        with open_socket(gw) as extra:
            extra.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, body = parse(read_until_closed(extra))
    assert status == 503
    assert body["code"] == "RATE_LIMITED"  # type: ignore[index]


async def test_websocket_holds_its_slot_until_it_closes() -> None:
    async with serve(mock_venue(), max_connections_per_client=2, head_timeout=BOUND) as gw:
        ws = await connect(gw)
        try:
            with open_socket(gw) as idle, open_socket(gw) as extra:
                extra.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
                status, _, _ = await asyncio.to_thread(lambda: parse(read_until_closed(extra)))
                assert status == 503
                del idle
        finally:
            await ws.close()
        deadline = time.monotonic() + BOUND
        while gw.call(lambda: len(gw.server.config.http_protocol_class.registry)) and (
            time.monotonic() < deadline
        ):
            await asyncio.sleep(0.05)
        assert gw.call(lambda: len(gw.server.config.http_protocol_class.registry)) == 0


async def test_websocket_message_over_1_mib_closes_1009(gw: ThreadGateway) -> None:
    ws = await connect(gw, max_size=None)
    await ws.send("x" * (2 << 20))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), BOUND)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    async with websockets.connect(gw.ws_url, additional_headers=AUTH) as again:
        assert orjson.loads(await asyncio.wait_for(again.recv(), BOUND))["type"] == "connection"
