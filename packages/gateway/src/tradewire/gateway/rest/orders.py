"""Order routes: submit, list, history, get, modify, cancel, cancel all (rest.md)."""

from __future__ import annotations

from litestar import Response, delete, get, patch, post

from tradewire.gateway.http import AnyRequest, body, gateway, ok, ok_list, path_param, query, query_symbol
from tradewire.gateway.rest.raw import JsonBody
from tradewire.protocol import codec, routes
from tradewire.protocol.messages import ListOrdersRequest, ModifyOrderRequest, SubmitOrderRequest
from tradewire.protocol.order_rules import check_modify, check_submit

# Litestar wants typed path parameters.
ORDER = routes.ORDER.replace("{order_id}", "{order_id:str}")


@post(routes.ORDERS, status_code=201)
async def submit_order(request: AnyRequest) -> JsonBody:
    """Submit an order; 201 with its handle. A repeated client_order_id returns the known order's handle."""
    gw = gateway(request)
    gw.refuse_if_stopping()
    req = await body(request, SubmitOrderRequest)
    check_submit(req)
    return JsonBody(codec.encode(await gw.venue.submit_order(req)), 201)


@get(routes.ORDERS)
async def list_orders(request: AnyRequest) -> Response[bytes]:
    """Working orders, newest first."""
    return ok_list(await gateway(request).venue.list_orders(query(request, ListOrdersRequest)))


@get(routes.ORDERS_HISTORY)
async def order_history(request: AnyRequest) -> Response[bytes]:
    """Finished orders, newest first."""
    return ok_list(await gateway(request).venue.list_order_history(query(request, ListOrdersRequest)))


@delete(routes.ORDERS, status_code=200)
async def cancel_all_orders(request: AnyRequest) -> Response[bytes]:
    """Cancel every working order (optionally of one symbol)."""
    return ok(await gateway(request).venue.cancel_all_orders(query_symbol(request)))


@get(ORDER)
async def get_order(request: AnyRequest) -> Response[bytes]:
    """One order in any state."""
    return ok(await gateway(request).venue.get_order(path_param(request, "order_id")))


@patch(ORDER)
async def modify_order(request: AnyRequest) -> Response[bytes]:
    """Amend a working order."""
    gw = gateway(request)
    gw.refuse_if_stopping()
    req = await body(request, ModifyOrderRequest)
    check_modify(req)
    return ok(await gw.venue.modify_order(path_param(request, "order_id"), req))


@delete(ORDER, status_code=200)
async def cancel_order(request: AnyRequest) -> Response[bytes]:
    """Cancel one order (idempotent for an already cancelled order)."""
    return ok(await gateway(request).venue.cancel_order(path_param(request, "order_id")))


ROUTES = [submit_order, list_orders, order_history, cancel_all_orders, get_order, modify_order, cancel_order]
