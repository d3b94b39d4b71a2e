"""Pins `Client`'s two transports, httpx and keepalive (one raw HTTP/1.1 connection), on the wire.

Most tests run once per transport: the retry policy and the error mapping are one sans-I/O core, so
what must hold is that both transports put the same requests on the wire and report the same
answers and failures to it. The servers are tiny raw-socket ones written here (the network edge),
answering in ways uvicorn rarely does (chunked, `Connection: close`, closing idle or mid-request),
plus a real gateway for the last tests."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tradewire.protocol import messages as m
from tradewire.sdk import (
    AuthenticationError,
    Client,
    ConfigurationError,
    ConnectionLost,
    OrderNotFound,
    ProtocolViolation,
)
from tradewire.sdk import _requests as r
from tradewire.sdk._keepalive import KeepAliveSender
from tradewire.sdk.config import ClientConfig
from tradewire.sdk.transports.wire import rest_client

ACCOUNT = {
    "balance": "100.00",
    "equity": "100.00",
    "margin_used": "0",
    "margin_available": "100.00",
    "unrealized_pnl": "0",
    "currency": "USD",
}
ACCOUNT_BODY = json.dumps(ACCOUNT).encode()


# -- a raw-socket HTTP/1.1 server ----------------------------------------------------------------


class Peer:
    """One accepted connection: read requests, write raw answers."""

    def __init__(self, sock: socket.socket, server: RawServer) -> None:
        self.sock = sock
        self.server = server
        self.buffer = b""

    def read_request(self) -> bytes | None:
        """The next request (head + body), or None at EOF; logged on the server."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            rest += chunk
        request = head + b"\r\n\r\n" + rest[:length]
        self.buffer = rest[length:]
        with self.server.lock:
            self.server.requests.append(request)
        return request

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self, status: int, body: bytes, *headers: str, reason: str = "X") -> None:
        lines = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json", *headers]
        if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
            lines.append(f"Content-Length: {len(body)}")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


class RawServer:
    """Listens on 127.0.0.1; runs `handler(peer, connection_index)` in a thread per connection."""

    def __init__(self, handler: Callable[[Peer, int], None]) -> None:
        self.handler = handler
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[bytes] = []
        self.connections = 0
        self.lock = threading.Lock()
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            with self.lock:
                index = self.connections
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(sock, index), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, sock: socket.socket, index: int) -> None:
        sock.settimeout(10)
        try:
            self.handler(Peer(sock, self), index)
        except OSError:
            pass
        except BaseException as e:  # surfaced by the test
            self.errors.append(e)
        finally:
            sock.close()

    def paths(self) -> list[str]:
        return [req.split(b"\r\n", 1)[0].decode() for req in self.requests]

    @contextmanager
    def running(self) -> Iterator[RawServer]:
        acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        acceptor.start()
        try:
            yield self
        finally:
            self._stop.set()
            acceptor.join(5)
            self.listener.close()
            for t in self._threads:
                t.join(5)
            assert not self.errors, self.errors


def serve(handler: Callable[[Peer, int], None]) -> Any:
    return RawServer(handler).running()


def answer_every_request(peer: Peer, _: int) -> None:
    while peer.read_request() is not None:
        peer.answer(200, ACCOUNT_BODY)


UNAVAILABLE = json.dumps({"code": "PROVIDER_UNAVAILABLE", "message": "down"}).encode()
TRANSPORTS = ("httpx", "keepalive")


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def client_for(url: str, transport: str, api_key: str | None = None, **options: Any) -> Client:
    """A Client with fast retries (5 s timeout unless given) on `transport`."""
    settings: dict[str, Any] = {"backoff_base": 0.001, "timeout": 5, **options}
    return Client(url, api_key, transport=transport, **settings)  # type: ignore[arg-type]


def header(request: bytes, name: str) -> str | None:
    """A request header's value (names are case-insensitive: httpx writes them in lower case)."""
    head = request.partition(b"\r\n\r\n")[0].decode("latin-1")
    match = re.search(rf"^{name}: *(.*)$", head, flags=re.I | re.M)
    return match.group(1).strip() if match else None


# -- request format -------------------------------------------------------------------------------


def test_requests_carry_host_key_body_and_encoded_query(transport: str) -> None:
    with serve(answer_every_request) as srv, client_for(srv.url + "/prefix", transport, "k3y") as client:
        client.get_account()
        with pytest.raises(ProtocolViolation):  # an Account where a list is expected
            client.list_orders(symbol="BTC/USD", status=["filled", "cancelled"], limit=5)
        with pytest.raises(ProtocolViolation):
            client.submit_order(symbol="AAPL", side="buy", quantity="1", client_order_id="c-1")
    first, second, third = srv.requests
    port = srv.url.rsplit(":", 1)[1]
    assert first.startswith(b"GET /prefix/v1/account HTTP/1.1\r\n")
    assert header(first, "Host") == f"127.0.0.1:{port}"
    assert header(first, "Authorization") == "Bearer k3y"
    assert header(first, "Content-Length") is None
    assert second.startswith(
        b"GET /prefix/v1/orders?symbol=BTC%2FUSD&status=filled%2Ccancelled&limit=5 HTTP/1.1\r\n"
    )
    body = third.partition(b"\r\n\r\n")[2]
    assert third.startswith(b"POST /prefix/v1/orders HTTP/1.1\r\n")
    assert header(third, "Content-Type") == "application/json"
    assert header(third, "Content-Length") == str(len(body))
    assert json.loads(body)["client_order_id"] == "c-1"
    assert srv.connections == 1  # all three on one kept-alive connection


def test_both_transports_send_the_same_query() -> None:
    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            peer.answer(200, b"[]")

    kwargs: dict[str, Any] = {
        "symbol": "BTC/USD",
        "status": ["filled", m.OrderStatus.CANCELLED],
        "client_order_id": "a b&c",
        "since": "2024-01-01T00:00:00+01:00",
        "limit": 3,
    }
    seen: dict[str, list[str]] = {}
    with serve(handler) as srv:
        for transport in TRANSPORTS:
            with client_for(srv.url, transport) as client:
                assert client.list_order_history(**kwargs) == []
            seen[transport] = srv.paths()
            srv.requests.clear()
    assert seen["keepalive"] == seen["httpx"] and len(seen["httpx"]) == 1


# -- answer framing -------------------------------------------------------------------------------


def test_chunked_answer_then_the_connection_is_reused(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            peer.send(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            for piece in (ACCOUNT_BODY[:10], ACCOUNT_BODY[10:40], ACCOUNT_BODY[40:]):
                time.sleep(0.005)
                peer.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            peer.send(b"0\r\n\r\n")

    with serve(handler) as srv, client_for(srv.url, transport) as client:
        assert client.get_account().balance == "100.00"
        assert client.get_account().currency == "USD"
    assert srv.connections == 1 and len(srv.requests) == 2


def test_connection_close_answer_then_the_next_call_reconnects(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        if peer.read_request() is not None:
            peer.answer(200, ACCOUNT_BODY, "Connection: close")

    with serve(handler) as srv, client_for(srv.url, transport, max_retries=0) as client:
        for _ in range(3):
            assert client.get_account().equity == "100.00"
    assert srv.connections == 3 and len(srv.requests) == 3


def test_answer_without_length_runs_to_eof(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        if peer.read_request() is not None:
            peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + ACCOUNT_BODY[:20])
            time.sleep(0.01)
            peer.send(ACCOUNT_BODY[20:])

    with serve(handler) as srv, client_for(srv.url, transport, max_retries=0) as client:
        assert client.get_account().balance == "100.00"
        assert client.get_account().balance == "100.00"
    assert srv.connections == 2


def test_truncated_answer_is_a_lost_connection(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        if peer.read_request() is not None:
            peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{}")

    with serve(handler) as srv, client_for(srv.url, transport, max_retries=0) as client:
        with pytest.raises(ConnectionLost, match="unreachable"):
            client.get_account()


# -- stale keep-alive connections -----------------------------------------------------------------


def test_idle_connection_closed_by_the_server_is_replaced_transparently(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        if peer.read_request() is not None:
            peer.answer(200, ACCOUNT_BODY)  # keep-alive, then closed as if idle

    never_retried = r.get_account()
    never_retried.retryable = False
    with serve(handler) as srv, client_for(srv.url, transport, max_retries=0) as client:
        assert client.get_account().balance == "100.00"
        time.sleep(0.1)  # the server's close has arrived
        assert client.get_account().balance == "100.00"
        time.sleep(0.1)
        # even a call that is never retried: the closed connection is noticed before sending
        assert client._run(never_retried).balance == "100.00"
    assert srv.connections == 3 and len(srv.requests) == 3


def test_keepalive_resends_a_retryable_request_once_when_the_server_closed_in_the_race() -> None:
    def handler(peer: Peer, index: int) -> None:
        if peer.read_request() is None:
            return
        peer.answer(200, ACCOUNT_BODY)
        if index == 0:
            peer.read_request()  # read the second request, then close without a word (the race)
            return
        while peer.read_request() is not None:
            peer.answer(200, ACCOUNT_BODY)

    # max_retries=0: only the transparent stale-connection resend can save the call
    with serve(handler) as srv, client_for(srv.url, "keepalive", max_retries=0) as client:
        client.get_account()
        assert client.get_account().balance == "100.00"
    assert srv.connections == 2
    assert srv.paths() == ["GET /v1/account HTTP/1.1"] * 3


def test_non_retryable_request_is_never_sent_twice_after_a_stale_connection(transport: str) -> None:
    def handler(peer: Peer, index: int) -> None:
        if peer.read_request() is None:
            return
        peer.answer(200, ACCOUNT_BODY)
        peer.read_request()  # the PATCH: read it, then close without answering

    assert r.modify_order("o1", quantity="2").retryable is False
    with serve(handler) as srv, client_for(srv.url, transport) as client:  # max_retries stays 3
        client.get_account()
        with pytest.raises(ConnectionLost) as info:
            client.modify_order("o1", quantity="2")
        time.sleep(0.1)  # a resend would have arrived by now
    assert srv.connections == 1
    assert [p.split(" ")[0] for p in srv.paths()] == ["GET", "PATCH"]
    assert "PATCH /v1/orders/o1" in str(info.value)


# -- errors and the retry policy, as each transport reports them -----------------------------------


def test_error_body_raises_the_typed_error(transport: str) -> None:
    body = json.dumps({"code": "ORDER_NOT_FOUND", "message": "no order o9"}).encode()

    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            peer.answer(404, body)

    with serve(handler) as srv, client_for(srv.url, transport) as client:
        with pytest.raises(OrderNotFound, match="no order o9"):
            client.get_order("o9")
    assert len(srv.requests) == 1  # a 4xx is an answer: never retried


def test_401_without_a_body_is_an_authentication_error(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            peer.answer(401, b"", "Content-Type: text/plain")

    with serve(handler) as srv, client_for(srv.url, transport) as client, pytest.raises(AuthenticationError):
        client.get_account()


def test_503_is_retried_with_backoff_on_the_same_connection(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            if len(peer.server.requests) < 3:
                peer.answer(503, UNAVAILABLE, reason="Service Unavailable")
            else:
                peer.answer(200, ACCOUNT_BODY)

    with serve(handler) as srv, client_for(srv.url, transport, backoff_base=0.05, backoff_max=0.05) as client:
        started = time.perf_counter()
        account = client.get_account()
        elapsed = time.perf_counter() - started
    assert account.equity == "100.00" and len(srv.requests) == 3 and srv.connections == 1
    assert elapsed < 1.0


def test_503_retry_after_is_honoured(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            if len(peer.server.requests) == 1:
                peer.answer(503, UNAVAILABLE, "Retry-After: 0.2")
            else:
                peer.answer(200, ACCOUNT_BODY)

    with serve(handler) as srv, client_for(srv.url, transport) as client:
        started = time.perf_counter()
        client.get_account()
        assert time.perf_counter() - started >= 0.2
    assert len(srv.requests) == 2


def test_503_on_a_non_retryable_call_is_not_retried(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            peer.answer(503, UNAVAILABLE)

    with serve(handler) as srv, client_for(srv.url, transport) as client:
        with pytest.raises(Exception, match="down"):
            client.modify_order("o1", quantity="2")
    assert len(srv.requests) == 1


def test_timeout_is_a_lost_connection_after_the_retries(transport: str) -> None:
    def handler(peer: Peer, _: int) -> None:
        while peer.read_request() is not None:
            pass  # never answers

    with (
        serve(handler) as srv,
        client_for(srv.url, transport, "s3cret-key", timeout=0.2, max_retries=1) as client,
    ):
        started = time.perf_counter()
        with pytest.raises(ConnectionLost) as info:
            client.get_account()
        elapsed = time.perf_counter() - started
    assert 0.4 <= elapsed < 3
    assert len(srv.requests) == 2  # a read: retried once, each attempt timing out
    assert "s3cret-key" not in str(info.value)


def test_refused_connection_is_a_lost_connection(transport: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    with (
        client_for(url, transport, max_retries=1) as client,
        pytest.raises(ConnectionLost, match="unreachable"),
    ):
        client.livez()


# -- choosing the transport ---------------------------------------------------------------------------


def test_keepalive_is_plain_http_only_and_its_options_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="plain http"):
        Client("https://gateway.example", transport="keepalive")
    with pytest.raises(ConfigurationError, match="busy_poll_s"):
        Client("http://127.0.0.1:9", busy_poll_s=0.0)
    with pytest.raises(ConfigurationError, match="'httpx' or 'keepalive'"):
        Client("http://127.0.0.1:9", transport="keep-alive")  # type: ignore[arg-type]


def test_wire_runs_use_keepalive_for_http_and_httpx_for_https() -> None:
    secure = rest_client(ClientConfig(base_url="https://gateway.example"))
    assert not isinstance(secure._sender, KeepAliveSender)
    secure.close()
    wire_client = rest_client(ClientConfig(base_url="http://127.0.0.1:9"))
    assert isinstance(wire_client._sender, KeepAliveSender)
    assert wire_client._sender.busy_poll_s == 0.001  # the default: a backtest's lock-step calls
    wire_client.close()
    live = rest_client(ClientConfig(base_url="http://127.0.0.1:9"), busy_poll_s=0.0)  # `run` off backtest
    assert isinstance(live._sender, KeepAliveSender) and live._sender.busy_poll_s == 0.0
    live.close()


def test_keepalive_client_is_a_deprecated_alias() -> None:
    from tradewire.sdk import KeepAliveClient

    with pytest.warns(DeprecationWarning, match='transport="keepalive"'):
        client = KeepAliveClient("http://127.0.0.1:9", busy_poll_s=0.0, max_retries=5)
    assert type(client) is Client and isinstance(client._sender, KeepAliveSender)
    assert client._sender.busy_poll_s == 0.0 and client.config.max_retries == 5
    client.close()


def test_import_of_the_sdk_stays_lazy() -> None:
    code = (
        "import sys, tradewire.sdk; "
        "print([m for m in ('http.client', 'httpx', 'tradewire.sdk._keepalive') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- against the real gateway ---------------------------------------------------------------------


def test_same_answers_on_both_transports_from_a_real_gateway(gateway: Any) -> None:
    with (
        gateway("--platform", "backtest", key="k") as url,
        Client(url, "k", transport="keepalive") as ka,
        Client(url, "k") as hx,
    ):
        assert ka.livez() == hx.livez()
        assert ka.capabilities() == hx.capabilities()
        assert ka.get_account() == hx.get_account()
        assert ka.list_positions() == hx.list_positions() == []
        assert ka.list_orders(status=[m.OrderStatus.OPEN], limit=10) == hx.list_orders(
            status=[m.OrderStatus.OPEN], limit=10
        )
        assert ka.circuit_breakers() == hx.circuit_breakers()
        assert ka.metrics().strip() and ka.openapi() == hx.openapi()  # text and plain-JSON answers
        for client in (ka, hx):
            with pytest.raises(OrderNotFound):
                client.get_order("nope")
        with Client(url, "wrong", transport="keepalive") as bad, pytest.raises(AuthenticationError):
            bad.get_account()


def test_orders_on_a_real_mock_gateway(gateway: Any) -> None:
    with gateway("--platform", "mock") as url, Client(url, transport="keepalive") as client:
        handles = [
            client.submit_order(symbol="AAPL", side=side, quantity="1") for side in ("buy", "sell") * 20
        ]
        assert len({h.id for h in handles}) == 40
        assert len({h.client_order_id for h in handles}) == 40
        assert client.get_order(handles[0].id).id == handles[0].id


def test_uvicorn_closing_the_idle_connection_is_invisible(gateway: Any) -> None:
    """uvicorn closes a keep-alive connection idle for 5 s; the next call, even one never retried, works."""
    with gateway("--platform", "mock") as url, Client(url, transport="keepalive", max_retries=0) as client:
        handle = client.submit_order(
            symbol="AAPL", side="buy", quantity="1", order_type="limit", limit_price="1.00"
        )
        time.sleep(5.5)
        assert isinstance(client._sender, KeepAliveSender)
        sock = client._sender.connection.sock
        assert sock is not None and sock.recv(1, socket.MSG_PEEK) == b""  # uvicorn has closed it
        # PATCH is never retried, so it must go out on a live connection the first time
        assert r.modify_order(handle.id, quantity="2").retryable is False
        client.modify_order(handle.id, quantity="2")
        assert client.get_order(handle.id).quantity == "2"
