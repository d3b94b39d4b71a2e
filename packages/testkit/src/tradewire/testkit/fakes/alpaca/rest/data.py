"""Market Data v2 routes: latest quotes and trades, and bars, for stocks and crypto (numbers, not strings)."""

from __future__ import annotations

import base64

from aiohttp import web

from tradewire.testkit.fakes.alpaca import errors
from tradewire.testkit.fakes.alpaca.market import SymbolMarket, parse_timeframe
from tradewire.testkit.fakes.alpaca.rest.common import FAKE, json_response
from tradewire.testkit.fakes.alpaca.wire import Json, parse_time


def _market(request: web.Request, symbol: str, crypto: bool) -> SymbolMarket | None:
    broker = request.app[FAKE].broker
    asset = broker.assets.find(symbol)
    if asset is None or asset.crypto != crypto or asset.symbol != symbol:
        return None
    return broker.markets[asset.symbol]


def _symbols(request: web.Request) -> list[str]:
    raw = request.query.get("symbols", "")
    symbols = [s for s in raw.split(",") if s]
    if not symbols:
        raise errors.AlpacaError(400, None, "missing symbols")
    return symbols


def _latest(kind: str, m: SymbolMarket) -> dict[str, Json]:
    return m.quote_json() if kind == "quote" else m.trade_json(m.trades[-1])


def _single_latest(kind: str):  # type: ignore[no-untyped-def]
    async def handler(request: web.Request) -> web.Response:
        symbol = request.match_info["symbol"]
        m = _market(request, symbol, crypto=False)
        if m is None or (kind == "trade" and not m.trades):
            raise errors.not_found(f"no {kind} found for {symbol}")
        return json_response({"symbol": symbol, kind: _latest(kind, m)})

    return handler


def _multi_latest(kind: str, crypto: bool):  # type: ignore[no-untyped-def]
    async def handler(request: web.Request) -> web.Response:
        rows: dict[str, Json] = {}
        for symbol in _symbols(request):
            m = _market(request, symbol, crypto)
            if m is not None and (kind == "quote" or m.trades):
                rows[symbol] = _latest(kind, m)
        return json_response({kind + "s": rows})

    return handler


def _bar_query(request: web.Request) -> tuple[str, int | None, int | None, int, int | None]:
    q = request.query
    timeframe = q.get("timeframe", "")
    try:
        parse_timeframe(timeframe)
        start = parse_time(q["start"]) if q.get("start") else None
        end = parse_time(q["end"]) if q.get("end") else None
    except ValueError:
        raise errors.AlpacaError(400, None, f"invalid timeframe or time range: {timeframe}") from None
    raw_limit = q.get("limit", "1000")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 10000:
        raise errors.AlpacaError(400, None, "invalid limit")
    token = q.get("page_token")
    after = int(base64.urlsafe_b64decode(token.encode()).decode().rsplit("|", 1)[1]) if token else None
    return timeframe, start, end, int(raw_limit), after


def _page(
    markets: list[SymbolMarket],
    timeframe: str,
    start: int | None,
    end: int | None,
    limit: int,
    after: int | None,
) -> tuple[dict[str, list[Json]], str | None]:
    """Bars of every symbol in order, `limit` in all, continuing after the token's (symbol, start)."""
    out: dict[str, list[Json]] = {}
    taken = 0
    for m in markets:
        for bar in m.bars(timeframe, start, end):
            if after is not None and bar.start_ns <= after:
                continue
            if taken == limit:
                raw = f"{m.asset.symbol}|{bar.start_ns - 1}"
                return out, base64.urlsafe_b64encode(raw.encode()).decode()
            out.setdefault(m.asset.symbol, []).append(bar.json())
            taken += 1
        after = None
    return out, None


async def stock_bars(request: web.Request) -> web.Response:
    symbol = request.match_info["symbol"]
    m = _market(request, symbol, crypto=False)
    timeframe, start, end, limit, after = _bar_query(request)
    bars, token = _page([m] if m else [], timeframe, start, end, limit, after)
    return json_response({"bars": bars.get(symbol) or None, "symbol": symbol, "next_page_token": token})


def _multi_bars(crypto: bool):  # type: ignore[no-untyped-def]
    async def handler(request: web.Request) -> web.Response:
        timeframe, start, end, limit, after = _bar_query(request)
        markets = [m for s in _symbols(request) if (m := _market(request, s, crypto)) is not None]
        bars, token = _page(markets, timeframe, start, end, limit, after)
        return json_response({"bars": bars, "next_page_token": token})

    return handler


def routes(base: str) -> list[web.RouteDef]:
    stocks, crypto = base + "/v2/stocks", base + "/v1beta3/crypto/us"
    return [
        web.get(stocks + "/quotes/latest", _multi_latest("quote", crypto=False)),
        web.get(stocks + "/trades/latest", _multi_latest("trade", crypto=False)),
        web.get(stocks + "/bars", _multi_bars(crypto=False)),
        web.get(stocks + "/{symbol}/quotes/latest", _single_latest("quote")),
        web.get(stocks + "/{symbol}/trades/latest", _single_latest("trade")),
        web.get(stocks + "/{symbol}/bars", stock_bars),
        web.get(crypto + "/latest/quotes", _multi_latest("quote", crypto=True)),
        web.get(crypto + "/latest/trades", _multi_latest("trade", crypto=True)),
        web.get(crypto + "/bars", _multi_bars(crypto=True)),
    ]
