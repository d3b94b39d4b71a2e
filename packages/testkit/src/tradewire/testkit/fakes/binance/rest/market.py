"""Public REST routes: ping, time, exchangeInfo, bookTicker, ticker price, avgPrice, depth, klines."""

from __future__ import annotations

import json

from aiohttp import web

from tradewire.testkit.fakes.binance import errors, render
from tradewire.testkit.fakes.binance.market import INTERVAL_MS, SymbolMarket
from tradewire.testkit.fakes.binance.rest.common import FAKE, json_response, params_of
from tradewire.testkit.fakes.binance.wire import Json, d8, int_param


async def ping(request: web.Request) -> web.Response:
    return json_response({})


async def server_time(request: web.Request) -> web.Response:
    return json_response({"serverTime": request.app[FAKE].clock.now_ms()})


def _symbols(request: web.Request) -> list[str] | None:
    params = params_of(request)
    if "symbol" in params:
        return [params["symbol"].upper()]
    if "symbols" in params:
        try:
            names = json.loads(params["symbols"])
        except ValueError:
            raise errors.mandatory("symbols") from None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise errors.mandatory("symbols")
        return [n.upper() for n in names]
    return None


async def exchange_info(request: web.Request) -> web.Response:
    fake = request.app[FAKE]
    wanted = _symbols(request)
    specs = fake.exchange.specs
    if wanted is not None and any(w not in specs for w in wanted):
        raise errors.bad_symbol()
    chosen = [specs[w] for w in wanted] if wanted is not None else list(specs.values())
    return json_response(
        {
            "timezone": "UTC",
            "serverTime": fake.clock.now_ms(),
            "rateLimits": fake.limiter.exchange_info(),
            "exchangeFilters": [],
            "symbols": [render.symbol_info(s, fake.exchange.status[s.symbol]) for s in chosen],
        }
    )


def _ticker(market: SymbolMarket) -> dict[str, Json]:
    bid, ask = market.best_bid(), market.best_ask()
    return {
        "symbol": market.symbol,
        "bidPrice": d8(bid.price),
        "bidQty": d8(bid.qty),
        "askPrice": d8(ask.price),
        "askQty": d8(ask.qty),
    }


async def book_ticker(request: web.Request) -> web.Response:
    exchange = request.app[FAKE].exchange
    wanted = _symbols(request)
    if wanted is None:
        return json_response([_ticker(m) for m in exchange.markets.values()])
    rows = [_ticker(exchange.market(s)) for s in wanted]
    return json_response(rows[0] if "symbol" in params_of(request) else rows)


async def ticker_price(request: web.Request) -> web.Response:
    exchange = request.app[FAKE].exchange
    wanted = _symbols(request)
    markets = list(exchange.markets.values()) if wanted is None else [exchange.market(s) for s in wanted]
    rows = [{"symbol": m.symbol, "price": d8(m.last)} for m in markets]
    return json_response(rows[0] if "symbol" in params_of(request) else rows)


async def avg_price(request: web.Request) -> web.Response:
    """The 5-minute average the filters use for MARKET orders (the fake's is the last price)."""
    fake = request.app[FAKE]
    market = fake.exchange.market(params_of(request).get("symbol", "").upper())
    return json_response({"mins": 5, "price": d8(market.last), "closeTime": fake.clock.now_ms()})


async def depth(request: web.Request) -> web.Response:
    params = params_of(request)
    market = request.app[FAKE].exchange.market(params.get("symbol", "").upper())
    limit = int_param(params, "limit") or 100
    return json_response(
        {
            "lastUpdateId": market.book_update_id,
            "bids": [[d8(lv.price), d8(lv.qty)] for lv in market.bids[:limit] if lv.qty > 0],
            "asks": [[d8(lv.price), d8(lv.qty)] for lv in market.asks[:limit] if lv.qty > 0],
        }
    )


async def klines(request: web.Request) -> web.Response:
    params = params_of(request)
    if not params.get("symbol"):
        raise errors.mandatory("symbol")
    market = request.app[FAKE].exchange.market(params["symbol"].upper())
    interval = params.get("interval")
    if not interval:
        raise errors.mandatory("interval")
    if interval not in INTERVAL_MS:
        raise errors.bad_interval()
    limit = int_param(params, "limit") or 500
    if not 0 < limit <= 1000:
        raise errors.invalid_value("limit")
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    return json_response(market.klines(interval, start, end, limit))


def routes() -> list[web.RouteDef]:
    return [
        web.get("/api/v3/ping", ping),
        web.get("/api/v3/time", server_time),
        web.get("/api/v3/exchangeInfo", exchange_info),
        web.get("/api/v3/ticker/bookTicker", book_ticker),
        web.get("/api/v3/ticker/price", ticker_price),
        web.get("/api/v3/avgPrice", avg_price),
        web.get("/api/v3/depth", depth),
        web.get("/api/v3/klines", klines),
    ]
