"""OpenAPI links: which response supplies the ids and symbols the item routes take."""

# With these, a client generator (or a stateful fuzzer) can follow a submitted order to
# /v1/orders/{order_id}, a listed position to /v1/positions/{position_id}, and any of them to the
# symbol's quote and bars, instead of guessing ids.

from __future__ import annotations

from typing import Any

ORDER_ITEM = ("getOrder", "modifyOrder", "cancelOrder")
POSITION_ITEM = ("getPosition", "closePosition", "modifyPositionExits")
SYMBOL_ITEM = ("getQuote", "getBars")

#: source operationId → [(target operationIds, parameter, runtime expression)], for its success response.
LINKS: dict[str, list[tuple[tuple[str, ...], str, str]]] = {
    "submitOrder": [
        (ORDER_ITEM, "order_id", "$response.body#/id"),
        (("listPositions", *SYMBOL_ITEM), "symbol", "$request.body#/symbol"),
    ],
    "listOrders": [
        (ORDER_ITEM, "order_id", "$response.body#/0/id"),
        (SYMBOL_ITEM, "symbol", "$response.body#/0/symbol"),
    ],
    "listOrderHistory": [
        (("getOrder",), "order_id", "$response.body#/0/id"),
        (SYMBOL_ITEM, "symbol", "$response.body#/0/symbol"),
    ],
    "getOrder": [
        (("modifyOrder", "cancelOrder", "listTrades"), "order_id", "$response.body#/id"),
        (SYMBOL_ITEM, "symbol", "$response.body#/symbol"),
    ],
    "modifyOrder": [(("getOrder", "cancelOrder"), "order_id", "$response.body#/order/id")],
    "listPositions": [
        (POSITION_ITEM, "position_id", "$response.body#/0/id"),
        (SYMBOL_ITEM, "symbol", "$response.body#/0/symbol"),
    ],
    "getPosition": [
        (("closePosition", "modifyPositionExits"), "position_id", "$response.body#/id"),
        (SYMBOL_ITEM, "symbol", "$response.body#/symbol"),
    ],
    "closePosition": [(("getOrder",), "order_id", "$response.body#/id")],
    "closeAllPositions": [(("getOrder",), "order_id", "$response.body#/0/id")],
    "listTrades": [
        (("getOrder",), "order_id", "$response.body#/0/order_id"),
        (SYMBOL_ITEM, "symbol", "$response.body#/0/symbol"),
    ],
}


def links(operation_id: str) -> dict[str, Any]:
    """The `links` object of an operation's success response (empty when it links nowhere)."""
    out: dict[str, Any] = {}
    for targets, parameter, expression in LINKS.get(operation_id, ()):
        for target in targets:
            name = target[0].upper() + target[1:]
            out.setdefault(name, {"operationId": target, "parameters": {}})["parameters"][parameter] = (
                expression
            )
    return out
