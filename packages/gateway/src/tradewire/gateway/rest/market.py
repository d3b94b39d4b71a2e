"""Market data routes: latest quote and historical bars (rest.md)."""

from __future__ import annotations

from litestar import Response, get

from tradewire.gateway.http import (
    AnyRequest,
    gateway,
    ok,
    ok_list,
    path_param,
    query,
    query_error,
    query_params,
)
from tradewire.protocol import routes
from tradewire.protocol.messages import GetBarsRequest

# Symbols may contain '/' (BTC/USD arrives as BTC%2FUSD, which the server decodes to a slash).
QUOTE = routes.QUOTE.replace("{symbol}", "{symbol:path}")
BARS = routes.BARS.replace("{symbol}", "{symbol:path}")


@get(QUOTE)
async def get_quote(request: AnyRequest) -> Response[bytes]:
    """Latest bid/ask/last of one symbol."""
    return ok(await gateway(request).venue.get_quote(path_param(request, "symbol")))


@get(BARS)
async def get_bars(request: AnyRequest) -> Response[bytes]:
    """Historical bars, oldest first; `timeframe` is required."""
    params = query_params(request)
    if not params.get("timeframe") or params["timeframe"] == [""]:
        raise query_error("timeframe", "missing required field")
    params["symbol"] = [path_param(request, "symbol")]
    req = query(request, GetBarsRequest, params)
    return ok_list(await gateway(request).venue.get_bars(req))


ROUTES = [get_quote, get_bars]
