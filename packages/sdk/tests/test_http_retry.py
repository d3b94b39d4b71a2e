"""Pins the REST edge: retries, Retry-After, idempotent order submits and the error mapping.

The network edge is replaced by httpx.MockTransport (the only mock in the suite); the retry
decisions themselves (`_http.Attempts`, no I/O) are pinned directly at the end.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tradewire.protocol import messages as m
from tradewire.sdk import (
    AsyncClient,
    AuthenticationError,
    Client,
    ConnectionLost,
    InsufficientFunds,
    NotFound,
    OrderNotFound,
    OrderRejected,
    ProtocolViolation,
    RateLimited,
)
from tradewire.sdk import _requests as r
from tradewire.sdk._http import Attempts
from tradewire.sdk.config import ClientConfig

ACCOUNT = {
    "balance": "100.00",
    "equity": "100.00",
    "margin_used": "0",
    "margin_available": "100.00",
    "unrealized_pnl": "0",
    "currency": "USD",
}


def _json(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"content-type": "application/json", **headers}
    )


def _client(handler, **options) -> Client:  # type: ignore[no-untyped-def]
    return Client(
        "http://127.0.0.1:8080", transport=httpx.MockTransport(handler), backoff_base=0.001, **options
    )


def test_get_retries_on_503_then_succeeds() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            return _json(503, {"code": "PROVIDER_UNAVAILABLE", "message": "down"})
        return _json(200, ACCOUNT)

    account = _client(handler).get_account()
    assert account.equity == "100.00" and len(calls) == 3


def test_transport_errors_retry_then_raise_connection_lost() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ConnectionLost):
        _client(handler, max_retries=2).get_account()
    assert len(calls) == 3


def test_submit_always_carries_a_client_order_id_and_retries_with_the_same_one() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body["client_order_id"])
        if len(seen) == 1:
            raise httpx.ReadError("connection reset", request=request)
        return _json(201, {"id": "ord-1", "client_order_id": body["client_order_id"], "status": "OPEN"})

    handle = _client(handler).submit_order(symbol="AAPL", side="buy", quantity="10")
    assert len(seen) == 2 and seen[0] == seen[1] == handle.client_order_id
    assert len(handle.client_order_id or "") == 36  # a UUID4


def test_submit_body_is_exact_wire_json() -> None:
    bodies = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return _json(201, {"id": "ord-1", "status": "OPEN"})

    from decimal import Decimal

    _client(handler).submit_order(
        symbol="AAPL",
        side="buy",
        quantity=Decimal("66.66666666666666666666666667"),
        order_type="limit",
        limit_price="149.50",
        client_order_id="my-1",
    )
    assert bodies[0] == {
        "symbol": "AAPL",
        "side": "BUY",
        "quantity": "66.66666666666666666666666667",
        "order_type": "LIMIT",
        "limit_price": "149.50",
        "client_order_id": "my-1",
    }
    with pytest.raises(TypeError):
        _client(handler).submit_order(symbol="AAPL", side="buy", quantity=1.5)  # floats are never money


def test_patch_is_never_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return _json(503, {"code": "PROVIDER_UNAVAILABLE", "message": "down"})

    with pytest.raises(Exception, match="down"):
        _client(handler).modify_order("ord-1", limit_price="1.00")
    assert len(calls) == 1


def test_rate_limit_honours_retry_after() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return _json(429, {"code": "RATE_LIMITED", "message": "slow down"}, **{"Retry-After": "0"})

    with pytest.raises(RateLimited) as info:
        _client(handler, max_retries=1).list_positions()
    assert info.value.retry_after == 0.0 and len(calls) == 2


def test_error_bodies_become_typed_exceptions() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders":
            return _json(
                422,
                {
                    "code": "ORDER_REJECTED",
                    "message": "no money",
                    "details": {"reject_code": "INSUFFICIENT_FUNDS"},
                },
            )
        if request.url.path == "/v1/account":
            return _json(401, {"code": "UNAUTHORIZED", "message": "Unauthorized: Invalid API key"})
        return _json(
            404, {"code": "ORDER_NOT_FOUND", "message": "Order not found: x", "details": {"id": "x"}}
        )

    client = _client(handler)
    with pytest.raises(InsufficientFunds) as rejected:
        client.submit_order(symbol="AAPL", side="buy", quantity="1")
    assert isinstance(rejected.value, OrderRejected) and rejected.value.details == {
        "reject_code": "INSUFFICIENT_FUNDS"
    }
    with pytest.raises(AuthenticationError):
        client.get_account()
    with pytest.raises(OrderNotFound) as missing:
        client.get_order("x")
    assert isinstance(missing.value, NotFound)


def test_symbols_are_percent_encoded_once() -> None:
    paths = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return _json(
            200,
            {
                "symbol": "BTC/USD",
                "provider": "x",
                "bid": "1",
                "ask": "2",
                "last": "1.5",
                "timestamp": "2025-01-15T10:30:00Z",
            },
        )

    _client(handler).get_quote("BTC/USD")
    assert paths == ["/v1/quotes/BTC%2FUSD"]


def test_non_json_success_is_a_protocol_violation() -> None:
    with pytest.raises(ProtocolViolation):
        _client(lambda r: httpx.Response(200, text="<html>")).get_account()


def test_readyz_503_is_an_answer() -> None:
    body = {"ready": False, "providers": [], "provider_count": 0, "message": "Gateway is shutting down"}
    ready = _client(lambda r: _json(503, body)).readyz()
    assert ready.ready is False


def test_list_filters_become_query_parameters() -> None:
    urls = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return _json(200, [])

    _client(handler).list_orders(symbol="AAPL", status=[m.OrderStatus.OPEN, "PENDING"], limit=50)
    assert urls[0].endswith("/v1/orders?symbol=AAPL&status=OPEN%2CPENDING&limit=50")


async def test_async_client_retries_like_the_sync_one() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return (
            _json(502, {"code": "PROVIDER_ERROR", "message": "bad"})
            if len(calls) == 1
            else _json(200, ACCOUNT)
        )

    async with AsyncClient(
        "http://127.0.0.1:8080", transport=httpx.MockTransport(handler), backoff_base=0.001
    ) as c:
        account = await c.get_account()
    assert account.balance == "100.00" and len(calls) == 2


# -- the sans-I/O core both drivers (and both blocking transports) share ---------------------------


def _attempts(call: Any = None, **options: Any) -> Attempts:
    config = ClientConfig(base_url="http://127.0.0.1:8080", **options)
    return Attempts(call or r.get_account(), config)


def test_attempts_back_off_exponentially_with_jitter_then_give_up() -> None:
    attempts = _attempts(max_retries=3, backoff_base=0.5, backoff_max=1.5)
    error = ConnectionResetError("reset")
    delays = [attempts.after_error(error) for _ in range(3)]
    for delay, ceiling in zip(delays, (0.5, 1.0, 1.5), strict=True):
        assert 0 <= delay <= ceiling
    with pytest.raises(ConnectionLost, match=r"GET /v1/account: ConnectionResetError: reset") as info:
        attempts.after_error(error)
    assert info.value.__suppress_context__


def test_each_retry_after_a_timeout_is_said_at_once(caplog: pytest.LogCaptureFixture) -> None:
    # a gateway that takes the connection but never answers costs timeout x attempts: never in silence
    attempts = _attempts(max_retries=3)
    with caplog.at_level("WARNING", logger="tradewire.sdk.http"):
        attempts.after_error(ConnectionRefusedError("refused"))  # fast: the final error says it
        for _ in range(2):
            attempts.after_error(TimeoutError("timed out"), timed_out=True)
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "gateway http://127.0.0.1:8080 did not answer GET /v1/account"
    ] * 2
    assert [r.getMessage().rsplit(" (", 1)[1] for r in caplog.records] == ["retry 2 of 3)", "retry 3 of 3)"]


def test_a_client_says_when_the_gateway_took_the_connection_but_never_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import socket

    from tradewire.sdk import Client

    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (the backlog), never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        for transport in ("httpx", "keepalive"):
            caplog.clear()
            with (
                caplog.at_level("WARNING", logger="tradewire.sdk.http"),
                Client(url, timeout=0.2, max_retries=1, backoff_base=0.01, transport=transport) as client,
                pytest.raises(ConnectionLost, match="unreachable"),
            ):
                client.health()
            assert [r.getMessage().split(";")[0] for r in caplog.records] == [
                f"gateway {url} did not answer GET /health (ReadTimeout: timed out)"
                if transport == "httpx"
                else f"gateway {url} did not answer GET /health (TimeoutError: timed out)"
            ], transport


def test_attempts_honour_retry_after_up_to_the_cap() -> None:
    attempts = _attempts(max_retries=5, backoff_max=2.0)
    assert attempts.after_answer(503, {"retry-after": "1.5"}) == 1.5
    assert attempts.after_answer(429, {"retry-after": "60"}) == 2.0
    assert attempts.after_answer(503, {"retry-after": "soon"}) is not None  # unreadable: backoff


def test_attempts_treat_answers_by_status_and_call() -> None:
    assert _attempts().after_answer(200, {}) is None
    assert _attempts().after_answer(404, {}) is None  # an answer, final
    assert _attempts().after_answer(500, {}) is None  # the server may have acted: never repeated
    assert _attempts(max_retries=0).after_answer(503, {}) is None
    patch = r.modify_order("o1", quantity="2")
    assert _attempts(patch).after_answer(503, {}) is None
    assert _attempts(patch).after_answer(429, {}) is not None  # refused before doing anything
    with pytest.raises(ConnectionLost):
        _attempts(patch).after_error(OSError("broken pipe"))


def test_a_submit_is_repeated_only_with_its_client_order_id() -> None:
    with_id = r.submit_order(r.build_order(symbol="AAPL", side="buy", quantity="1"))
    assert _attempts(with_id).after_answer(502, {}) is not None
    bare = m.SubmitOrderRequest(symbol="AAPL", side=m.Side.BUY, quantity="1", order_type=m.OrderType.MARKET)
    without_id = r.submit_order(bare)
    assert without_id.retryable is False
    assert _attempts(without_id).after_answer(502, {}) is None
