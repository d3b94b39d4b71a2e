"""Market streams (binance.md §8): raw `/ws/<name>` and combined `/stream?streams=`, live SUBSCRIBE,
trade / aggTrade / kline / bookTicker payloads on every scripted price step."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aiohttp import web

from tradewire.testkit.fakes.binance.market import INTERVAL_MS, MarketTrade, SymbolMarket, kline_values
from tradewire.testkit.fakes.binance.rest.common import FAKE
from tradewire.testkit.fakes.binance.sockets import Socket
from tradewire.testkit.fakes.binance.wire import Json, d8, loads

if TYPE_CHECKING:
    from tradewire.testkit.fakes.binance.server import FakeBinance

_NAME = re.compile(r"^([a-z0-9]+)@(trade|aggTrade|bookTicker|kline_(\w+))$")
MAX_STREAMS = 1024


def valid(name: str, symbols: set[str]) -> bool:
    match = _NAME.match(name)
    if match is None or match.group(1).upper() not in symbols:
        return False
    return match.group(3) is None or match.group(3) in INTERVAL_MS


class StreamConnection:
    def __init__(self, socket: Socket, combined: bool) -> None:
        self.socket, self.combined = socket, combined
        self.streams: list[str] = []

    def deliver(self, stream: str, data: dict[str, Json]) -> None:
        self.socket.send({"stream": stream, "data": data} if self.combined else data)


class StreamHub:
    def __init__(self) -> None:
        self.connections: set[StreamConnection] = set()

    def tick(self, market: SymbolMarket, trade: MarketTrade | None, now_ms: int) -> None:
        prefix = market.symbol.lower() + "@"
        for conn in self.connections:
            for stream in conn.streams:
                if not stream.startswith(prefix):
                    continue
                kind = stream[len(prefix) :]
                if kind == "bookTicker":
                    conn.deliver(stream, _book_ticker(market))
                elif trade is None:
                    continue
                elif kind == "trade":
                    conn.deliver(stream, _trade(market, trade, now_ms))
                elif kind == "aggTrade":
                    conn.deliver(stream, _agg_trade(market, trade, now_ms))
                elif kind.startswith("kline_"):
                    for data in _klines(market, trade, kind[len("kline_") :], now_ms):
                        conn.deliver(stream, data)

    def shutdown_notice(self, now_ms: int) -> None:
        data = {"e": "serverShutdown", "E": now_ms}
        for conn in self.connections:
            conn.socket.send({"stream": "!serverShutdown", "data": data} if conn.combined else data)


def _book_ticker(market: SymbolMarket) -> dict[str, Json]:
    bid, ask = market.best_bid(), market.best_ask()
    return {
        "u": market.book_update_id,
        "s": market.symbol,
        "b": d8(bid.price),
        "B": d8(bid.qty),
        "a": d8(ask.price),
        "A": d8(ask.qty),
    }


def _trade(market: SymbolMarket, trade: MarketTrade, now_ms: int) -> dict[str, Json]:
    return {
        "e": "trade",
        "E": now_ms,
        "s": market.symbol,
        "t": trade.id,
        "p": d8(trade.price),
        "q": d8(trade.qty),
        "T": trade.time,
        "m": trade.buyer_maker,
        "M": True,
    }


def _agg_trade(market: SymbolMarket, trade: MarketTrade, now_ms: int) -> dict[str, Json]:
    return {
        "e": "aggTrade",
        "E": now_ms,
        "s": market.symbol,
        "a": trade.id,
        "p": d8(trade.price),
        "q": d8(trade.qty),
        "f": trade.id,
        "l": trade.id,
        "T": trade.time,
        "m": trade.buyer_maker,
        "M": True,
    }


def _klines(market: SymbolMarket, trade: MarketTrade, interval: str, now_ms: int) -> list[dict[str, Json]]:
    """The bar this trade updates (`x:false`); first the previous bar, final (`x:true`), if this trade
    opened a new one."""
    size = INTERVAL_MS[interval]
    open_time = trade.time - trade.time % size
    out: list[dict[str, Json]] = []
    if len(market.trades) >= 2 and market.trades[-2].time < open_time:
        prev_open = market.trades[-2].time - market.trades[-2].time % size
        prev = [t for t in market.trades if prev_open <= t.time < prev_open + size]
        out.append(_kline_event(market, interval, kline_values(prev_open, size, prev), True, now_ms))
    current = [t for t in market.trades if t.time >= open_time]
    out.append(_kline_event(market, interval, kline_values(open_time, size, current), False, now_ms))
    return out


def _kline_event(
    market: SymbolMarket, interval: str, k: dict[str, object], final: bool, now_ms: int
) -> dict[str, Json]:
    def dec(key: str) -> str:
        return d8(k[key])  # type: ignore[arg-type]

    return {
        "e": "kline",
        "E": now_ms,
        "s": market.symbol,
        "k": {
            "t": k["t"], "T": k["T"], "s": market.symbol, "i": interval, "f": k["f"], "L": k["L"],
            "o": dec("o"), "c": dec("c"), "h": dec("h"), "l": dec("l"), "v": dec("v"), "n": k["n"],
            "x": final, "q": dec("q"), "V": dec("V"), "Q": dec("Q"), "B": "0",
        },
    }  # fmt: skip


def _control(fake: FakeBinance, conn: StreamConnection, text: str) -> None:
    try:
        message = loads(text)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        conn.socket.send({"error": {"code": 3, "msg": "Invalid JSON: expected an object"}, "id": None})
        return
    request_id, method, params = message.get("id"), message.get("method"), message.get("params")
    symbols = set(fake.exchange.specs)
    if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
        names = params if isinstance(params, list) else None
        if names is None or not all(isinstance(n, str) and valid(n, symbols) for n in names):
            conn.socket.send(
                {"error": {"code": 2, "msg": "Invalid request: unknown stream name"}, "id": request_id}
            )
            return
        if method == "SUBSCRIBE":
            conn.streams += [n for n in names if n not in conn.streams][: MAX_STREAMS - len(conn.streams)]
        else:
            conn.streams = [s for s in conn.streams if s not in names]
        conn.socket.send({"result": None, "id": request_id})
    elif method == "LIST_SUBSCRIPTIONS":
        conn.socket.send({"result": list(conn.streams), "id": request_id})
    elif method == "SET_PROPERTY" and isinstance(params, list) and params[:1] == ["combined"]:
        conn.combined = bool(params[1]) if len(params) > 1 else conn.combined
        conn.socket.send({"result": None, "id": request_id})
    elif method == "GET_PROPERTY" and isinstance(params, list) and params[:1] == ["combined"]:
        conn.socket.send({"result": conn.combined, "id": request_id})
    else:
        conn.socket.send({"error": {"code": 1, "msg": "Invalid request: unknown method"}, "id": request_id})


async def _serve(request: web.Request, names: list[str], combined: bool) -> web.StreamResponse:
    fake = request.app[FAKE]
    symbols = set(fake.exchange.specs)
    if not all(valid(n, symbols) for n in names) or len(names) > MAX_STREAMS:
        return web.Response(status=400, text="Invalid request")
    cfg = fake.config
    socket = Socket(request, cfg.ping_interval, cfg.pong_timeout, cfg.max_lifetime)
    await socket.prepare()
    conn = StreamConnection(socket, combined)
    conn.streams = list(dict.fromkeys(names))
    fake.stream_hub.connections.add(conn)
    try:
        async for text in socket.messages():
            _control(fake, conn, text)
    finally:
        fake.stream_hub.connections.discard(conn)
        await socket.finish()
    return socket.ws


async def raw(request: web.Request) -> web.StreamResponse:
    tail = request.match_info.get("names", "")
    return await _serve(request, [n for n in tail.split("/") if n], combined=False)


async def combined(request: web.Request) -> web.StreamResponse:
    names = request.query.get("streams", "")
    return await _serve(request, [n for n in names.split("/") if n], combined=True)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/ws", raw),
        web.get("/ws/{names:.*}", raw),
        web.get("/stream", combined),
    ]
