"""Account and trade routes (rest.md)."""

from __future__ import annotations

from litestar import Response, get

from tradewire.gateway.http import AnyRequest, gateway, ok, ok_list, query
from tradewire.protocol import routes
from tradewire.protocol.messages import ListTradesRequest


@get(routes.ACCOUNT)
async def get_account(request: AnyRequest) -> Response[bytes]:
    """Balances and margin."""
    return ok(await gateway(request).venue.get_account())


@get(routes.TRADES)
async def list_trades(request: AnyRequest) -> Response[bytes]:
    """Fills, newest first."""
    return ok_list(await gateway(request).venue.list_trades(query(request, ListTradesRequest)))


ROUTES = [get_account, list_trades]
