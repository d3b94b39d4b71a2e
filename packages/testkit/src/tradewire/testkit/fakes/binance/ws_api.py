"""The WebSocket API (binance.md §7): request/response frames, session logon, the user-data
subscription (`userDataStream.subscribe.signature`), events wrapped with their `subscriptionId`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from tradewire.testkit.fakes.binance import errors, signing
from tradewire.testkit.fakes.binance.rest.common import FAKE
from tradewire.testkit.fakes.binance.sockets import Socket
from tradewire.testkit.fakes.binance.wire import Json, loads

if TYPE_CHECKING:
    from tradewire.testkit.fakes.binance.faults import Faults
    from tradewire.testkit.fakes.binance.server import FakeBinance

_REMOVED = frozenset({"userDataStream.start", "userDataStream.ping", "userDataStream.stop"})


class ApiConnection:
    def __init__(self, socket: Socket, connected_ms: int) -> None:
        self.socket = socket
        self.connected_ms = connected_ms
        self.logged_in: str | None = None  # the API key of session.logon
        self.authorized_since: int | None = None
        self.subscriptions: list[int] = []
        self.next_subscription = 0
        self.after_answer: list[Json] = []  # frames that follow the answer (eventStreamTerminated)


class ApiHub:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.connections: set[ApiConnection] = set()

    def publish(self, event: dict[str, Json]) -> None:
        listeners = [c for c in self.connections if c.subscriptions]
        trade = event.get("e") == "executionReport" and event.get("x") == "TRADE"
        drop = self.faults.take_stream_drop() if trade and listeners else None
        for conn in listeners:
            if drop == "before_fill":
                conn.socket.drop_later()  # what was sent before arrives; this fill never does
                continue
            for sub in conn.subscriptions:
                conn.socket.send({"subscriptionId": sub, "event": event})
            if drop == "after_fill":
                conn.socket.drop_later()

    def shutdown_notice(self, now_ms: int) -> None:
        for conn in self.connections:
            conn.socket.send({"event": {"e": "serverShutdown", "E": now_ms}})


def _status(fake: FakeBinance, conn: ApiConnection) -> dict[str, Json]:
    return {
        "apiKey": conn.logged_in,
        "authorizedSince": conn.authorized_since,
        "connectedSince": conn.connected_ms,
        "returnRateLimits": True,
        "serverTime": fake.clock.now_ms(),
        "userDataStream": bool(conn.subscriptions),
    }


def _verify(fake: FakeBinance, params: dict[str, Any], ed25519_only: bool = False) -> str:
    """A signed WS API request: key, signature over the sorted params, timestamp window."""
    name = params.get("apiKey")
    if not isinstance(name, str) or not name:
        raise errors.mandatory("apiKey")
    key = fake.keys.get(name)
    if key is None:
        raise errors.rejected_key()
    if ed25519_only and key.secret is not None:
        raise errors.hmac_not_supported()
    if params.get("timestamp") is None:
        raise errors.mandatory("timestamp")
    signature = params.get("signature")
    if not isinstance(signature, str) or not signature:
        raise errors.mandatory("signature")
    signing.check_window(params["timestamp"], params.get("recvWindow"), fake.clock.now_ms())
    if not key.verify(signing.ws_payload(params), signature):
        raise errors.bad_signature()
    return name


def _subscribe(fake: FakeBinance, conn: ApiConnection) -> dict[str, Json]:
    if conn.subscriptions:
        raise errors.subscription_active()
    sub = conn.next_subscription
    conn.next_subscription += 1
    conn.subscriptions.append(sub)
    return {"subscriptionId": sub}


def _call(fake: FakeBinance, conn: ApiConnection, method: str, params: dict[str, Any]) -> Json:
    if method in _REMOVED:
        raise errors.removed_endpoint()
    if method == "ping":
        return {}
    if method == "time":
        return {"serverTime": fake.clock.now_ms()}
    if method == "session.logon":
        conn.logged_in = _verify(fake, params, ed25519_only=True)
        conn.authorized_since = fake.clock.now_ms()
        return _status(fake, conn)
    if method == "session.status":
        return _status(fake, conn)
    if method == "session.logout":
        conn.logged_in = conn.authorized_since = None
        _terminate(fake, conn, list(conn.subscriptions))
        return _status(fake, conn)
    if method == "userDataStream.subscribe.signature":
        _verify(fake, params)
        return _subscribe(fake, conn)
    if method == "userDataStream.subscribe":
        if conn.logged_in is None:
            raise errors.not_logged_in()
        return _subscribe(fake, conn)
    if method == "userDataStream.unsubscribe":
        wanted = params.get("subscriptionId")
        subs = list(conn.subscriptions) if wanted is None else [s for s in conn.subscriptions if s == wanted]
        if not subs:
            raise errors.subscription_inactive()
        _terminate(fake, conn, subs)
        return {}
    if method == "session.subscriptions":
        return [{"subscriptionId": s} for s in conn.subscriptions]
    raise errors.unsupported()


def _terminate(fake: FakeBinance, conn: ApiConnection, subs: list[int]) -> None:
    for sub in subs:
        conn.subscriptions.remove(sub)
        event = {"e": "eventStreamTerminated", "E": fake.clock.now_ms()}
        conn.after_answer.append({"subscriptionId": sub, "event": event})


def _answer(fake: FakeBinance, conn: ApiConnection, text: str) -> dict[str, Json]:
    request_id: Json = None
    try:
        try:
            message = loads(text)
        except ValueError:
            raise errors.invalid_json() from None
        if not isinstance(message, dict):
            raise errors.invalid_json()
        request_id = message.get("id")
        method, params = message.get("method"), message.get("params", {})
        if not isinstance(method, str) or not isinstance(params, dict):
            raise errors.mandatory("method")
        fake.limiter.gate()
        fake.limiter.spend(1 if method != "session.logon" else 2)
        result = _call(fake, conn, method, params)
    except errors.BinanceError as error:
        body: dict[str, Json] = {"id": request_id, "status": error.status, "error": error.body()}
        if error.status in (418, 429):
            body["error"]["data"] = {
                "serverTime": fake.clock.now_ms(),
                "retryAfter": fake.limiter.retry_after_ms(),
            }
        body["rateLimits"] = fake.limiter.rate_limits()
        return body
    return {"id": request_id, "status": 200, "result": result, "rateLimits": fake.limiter.rate_limits()}


async def handler(request: web.Request) -> web.WebSocketResponse:
    fake = request.app[FAKE]
    cfg = fake.config
    socket = Socket(request, cfg.ping_interval, cfg.pong_timeout, cfg.max_lifetime)
    await socket.prepare()
    conn = ApiConnection(socket, fake.clock.now_ms())
    fake.api_hub.connections.add(conn)
    try:
        async for text in socket.messages():
            socket.send(_answer(fake, conn, text))
            for frame in conn.after_answer:
                socket.send(frame)
            conn.after_answer.clear()
    finally:
        fake.api_hub.connections.discard(conn)
        await socket.finish()
    return socket.ws
