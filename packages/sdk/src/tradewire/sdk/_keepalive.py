"""One persistent HTTP/1.1 connection to a plain-http gateway, cheaper per request than httpx on loopback."""

# Why: a backtest over the wire is a lock-step ping-pong, and each order a handler places is on its
# critical path. httpx's client layer costs over 100 µs per request; formatting the request here and
# parsing the answer with httptools (llhttp, uvicorn's own parser) costs a few. Reads poll the socket
# for a short budget before blocking, like `tradewire.protocol.busy_poll`, because waking a sleeping
# CPU on a VM costs tens of microseconds.

from __future__ import annotations

import socket
import time
from urllib.parse import urlencode, urlsplit

import httptools

from tradewire.protocol.busy_poll import DEFAULT_BUDGET_S
from tradewire.sdk._http import Call

__all__ = ["Connection", "KeepAliveSender", "RemoteProtocolError"]

_CHUNK = 65536


class RemoteProtocolError(ConnectionError):
    """The server broke HTTP/1.1: an unparsable answer, or the connection closed mid-answer."""


class _Stale(Exception):
    """A reused connection turned out closed before the request reached a live server."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _Response:
    """The httptools callbacks for one response: status, lower-cased headers, body."""

    __slots__ = ("body", "complete", "headers", "headers_complete", "keep_alive", "parser", "until_eof")

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.headers_complete = False
        self.complete = False
        self.keep_alive = False
        self.until_eof = False

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        old = self.headers.get(key)
        self.headers[key] = text if old is None else f"{old}, {text}"

    def on_headers_complete(self) -> None:
        self.headers_complete = True
        self.keep_alive = self.parser.should_keep_alive()
        # Neither a length nor chunking: the body runs to the end of the connection.
        self.until_eof = (
            "content-length" not in self.headers
            and "chunked" not in self.headers.get("transfer-encoding", "").lower()
        )

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.complete:  # a second message in the same read: nothing we asked for
            self.keep_alive = False
        self.complete = True


class Connection:
    """A keep-alive HTTP/1.1 connection to `base_url` (plain http), one request at a time, not thread-safe.

    Args:
        base_url: `http://host[:port][/prefix]`.
        headers: Sent with every request (the config's, with Authorization when there is a key).
        timeout: Seconds for connecting, for each read and for a blocked send.
        busy_poll_s: How long a read polls the socket before it blocks (0: block at once).
    """

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        timeout: float,
        *,
        busy_poll_s: float = DEFAULT_BUDGET_S,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"a keep-alive connection needs an http:// URL, not {parts.scheme!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.busy_poll_s = busy_poll_s
        host = parts.netloc.rpartition("@")[2]
        lines = [f"Host: {host}"]
        lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "host"]
        self._head = ("\r\n".join(lines) + "\r\n").encode("ascii")
        self._sock: socket.socket | None = None
        self._used = False  # the open socket has carried a complete exchange

    # -- public -----------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        retry_stale: bool = False,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request and read its answer: (status, lower-cased headers, body).

        `target` is the path below the base URL plus its already-encoded query. When the reused
        connection proves closed by the server before any answer (an idle keep-alive timeout), the
        request is sent once more on a fresh connection if `retry_stale`, which the caller must allow
        only when a second delivery is harmless. Raises OSError (TimeoutError, ConnectionError, ...).
        """
        data = self._encode(method, target, body, headers)
        try:
            return self._exchange(data)
        except _Stale as e:
            if not retry_stale:
                raise RemoteProtocolError(f"server closed the kept-alive connection: {e.cause}") from None
        return self._exchange(data)

    def close(self) -> None:
        """Close the socket (the next request opens a new one)."""
        sock, self._sock = self._sock, None
        self._used = False
        if sock is not None:
            sock.close()

    # -- internals --------------------------------------------------------------------------------
    def _encode(self, method: str, target: str, body: bytes | None, headers: dict[str, str] | None) -> bytes:
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items()) if headers else ""
        if body is not None or method in ("POST", "PUT", "PATCH"):
            extra += f"Content-Length: {len(body) if body is not None else 0}\r\n"
        start = f"{method} {self.prefix}{target} HTTP/1.1\r\n"
        data = start.encode("ascii") + self._head + extra.encode("ascii") + b"\r\n"
        return data + body if body else data

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self._used = False
        return sock

    def _live_socket(self) -> socket.socket:
        """The open socket when the server has not closed it meanwhile, else a new one."""
        sock = self._sock
        if sock is None:
            return self._connect()
        try:
            sock.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            return sock  # nothing to read: still open
        except OSError:
            pass
        # EOF, a reset, or bytes nobody asked for: this connection is done
        self.close()
        return self._connect()

    def _exchange(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        sock = self._live_socket()
        reused = self._used
        try:
            self._send(sock, data)
        except OSError as e:
            self.close()
            if reused and not isinstance(e, TimeoutError):
                raise _Stale(e) from None
            raise
        response = _Response()
        feed = response.parser.feed_data
        received = False
        try:
            while not response.complete:
                try:
                    chunk = self._recv(sock)
                except ConnectionResetError as e:
                    if reused and not received:
                        raise _Stale(e) from None
                    raise
                if not chunk:
                    if response.headers_complete and response.until_eof:
                        break
                    if reused and not received:
                        raise _Stale(EOFError("closed before answering"))
                    raise RemoteProtocolError("server closed the connection mid-answer")
                received = True
                feed(chunk)
        except httptools.HttpParserError as e:
            self.close()
            raise RemoteProtocolError(f"invalid HTTP answer: {e}") from None
        except BaseException:
            self.close()
            raise
        if response.keep_alive and response.complete:
            self._used = True
        else:
            self.close()
        return response.parser.get_status_code(), response.headers, b"".join(response.body)

    def _send(self, sock: socket.socket, data: bytes) -> None:
        try:
            sent = sock.send(data)
        except BlockingIOError:
            sent = 0
        if sent < len(data):  # the send buffer is full: block for the rest
            sock.settimeout(self.timeout)
            try:
                sock.sendall(data[sent:])
            finally:
                sock.setblocking(False)

    def _recv(self, sock: socket.socket) -> bytes:
        """Some bytes (b"" at EOF): poll without blocking for the budget, then block up to the timeout."""
        recv = sock.recv
        try:
            return recv(_CHUNK)
        except BlockingIOError:
            pass
        budget = self.busy_poll_s
        if budget > 0:
            clock = time.perf_counter
            end = clock() + budget
            while clock() < end:
                try:
                    return recv(_CHUNK)
                except BlockingIOError:
                    pass
        sock.settimeout(self.timeout)
        try:
            return recv(_CHUNK)
        except TimeoutError:
            raise TimeoutError(f"no answer within {self.timeout} s") from None
        finally:
            sock.setblocking(False)


class KeepAliveSender:
    """`Call`s over one `Connection`, for `Client(transport="keepalive")`.

    A call goes out a second time on a fresh connection after a stale kept-alive one only when
    `Call.retryable` allows it; any other failure is an OSError, which the retry policy judges.
    """

    errors: tuple[type[BaseException], ...] = (OSError,)

    def __init__(
        self, base_url: str, headers: dict[str, str], timeout: float, busy_poll_s: float | None
    ) -> None:
        budget = DEFAULT_BUDGET_S if busy_poll_s is None else busy_poll_s
        self.connection = Connection(base_url, headers, timeout, busy_poll_s=budget)

    def send(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        target = call.path
        if call.params:
            target += "?" + urlencode([(k, _query_value(v)) for k, v in call.params])
        return self.connection.request(
            call.method, target, call.body, call.headers(), retry_stale=call.retryable
        )

    def close(self) -> None:
        self.connection.close()


def _query_value(value: str | int | float | bool | None) -> str:
    # as httpx spells query values
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)
