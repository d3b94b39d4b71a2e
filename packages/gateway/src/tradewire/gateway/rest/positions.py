"""Position routes: list, get, close one (optional body), close all, move exits (rest.md)."""

from __future__ import annotations

from litestar import Response, delete, get, patch

from tradewire.gateway.http import (
    AnyRequest,
    body,
    gateway,
    ok,
    ok_list,
    optional_body,
    path_param,
    query_symbol,
)
from tradewire.protocol import routes
from tradewire.protocol.messages import ClosePositionRequest, ModifyPositionExitsRequest
from tradewire.protocol.order_rules import check_close, check_exits

# Position ids may embed a symbol with '/' (pos-BTC/USD arrives as pos-BTC%2FUSD): match the rest of the path.
POSITION = routes.POSITION.replace("{position_id}", "{position_id:path}")


@get(routes.POSITIONS)
async def list_positions(request: AnyRequest) -> Response[bytes]:
    """Open positions (optionally of one symbol)."""
    return ok_list(await gateway(request).venue.list_positions(query_symbol(request)))


@delete(routes.POSITIONS, status_code=200)
async def close_all_positions(request: AnyRequest) -> Response[bytes]:
    """Close every open position at market; [] when nothing was open."""
    gw = gateway(request)
    gw.refuse_if_stopping()
    return ok_list(await gw.venue.close_all_positions(query_symbol(request)))


@get(POSITION)
async def get_position(request: AnyRequest) -> Response[bytes]:
    """One open position."""
    return ok(await gateway(request).venue.get_position(path_param(request, "position_id")))


@delete(POSITION, status_code=200)
async def close_position(request: AnyRequest) -> Response[bytes]:
    """Close a position; the body is optional (absent, empty or {} = all at market)."""
    gw = gateway(request)
    gw.refuse_if_stopping()
    req = await optional_body(request, ClosePositionRequest)
    check_close(req)
    return ok(await gw.venue.close_position(path_param(request, "position_id"), req))


@patch(POSITION)
async def modify_position_exits(request: AnyRequest) -> Response[bytes]:
    """Move a position's protective stop-loss / take-profit."""
    gw = gateway(request)
    gw.refuse_if_stopping()
    req = await body(request, ModifyPositionExitsRequest)
    check_exits(req)
    return ok(await gw.venue.modify_position_exits(path_param(request, "position_id"), req))


ROUTES = [list_positions, close_all_positions, get_position, close_position, modify_position_exits]
