"""The adapter's `Venue`: the protocol's interface over the broker's REST client and event stream.

Required: every abstract method of `tradewire.protocol.venue.Venue`. The shape of a finished one:
- `platform` is the broker's `TradingPlatform` member (paper and live are two members, one class);
  `live` follows it, and `connect()` runs `_live.config.check_live` before opening anything;
- `connect()` opens the store (`_live.store.Store.open`), the HTTP client and the stream, and rebuilds
  state (armed exit rules, seen fills) from the store;
- `submit_order` validates with `tradewire.protocol.order_rules`, normalizes with `precision`, takes a
  client order id (`_live.submit.ClientIdFactory`, or the client's checked with the broker's
  `ClientIdRule`), records it in the store, then `submit_idempotent`;
- the rest map one call each, through `mapping` and `errors`.

Until then every method raises `TemplateNotFilled`, naming the method: the template never pretends to
trade.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.protocol.messages import (
    Account,
    Bar,
    CancelAllResult,
    CancelOrderResult,
    Capabilities,
    ClosePositionRequest,
    GetBarsRequest,
    ListOrdersRequest,
    ListTradesRequest,
    ModifyOrderRequest,
    ModifyOrderResult,
    Order,
    OrderHandle,
    Position,
    Quote,
    SubmitOrderRequest,
    Trade,
    TradingPlatform,
)
from tradewire.protocol.venue import StreamBatch, Venue

__all__ = ["TemplateVenue"]


def _todo(method: str) -> TemplateNotFilled:
    return TemplateNotFilled(f"TemplateVenue.{method}", "venue")


class TemplateVenue(Venue):
    """The skeleton venue; every method raises `TemplateNotFilled`."""

    #: Set the broker's member; UNSPECIFIED is no platform, and not live.
    platform = TradingPlatform.UNSPECIFIED

    async def connect(self) -> None:
        raise _todo("connect")

    async def get_account(self) -> Account:
        raise _todo("get_account")

    async def submit_order(self, request: SubmitOrderRequest) -> OrderHandle:
        raise _todo("submit_order")

    async def get_order(self, order_id: str) -> Order:
        raise _todo("get_order")

    async def list_orders(self, request: ListOrdersRequest) -> list[Order]:
        raise _todo("list_orders")

    async def list_order_history(self, request: ListOrdersRequest) -> list[Order]:
        raise _todo("list_order_history")

    async def modify_order(self, order_id: str, request: ModifyOrderRequest) -> ModifyOrderResult:
        raise _todo("modify_order")

    async def cancel_order(self, order_id: str) -> CancelOrderResult:
        raise _todo("cancel_order")

    async def cancel_all_orders(self, symbol: str | None = None) -> CancelAllResult:
        raise _todo("cancel_all_orders")

    async def list_positions(self, symbol: str | None = None) -> list[Position]:
        raise _todo("list_positions")

    async def get_position(self, position_id: str) -> Position:
        raise _todo("get_position")

    async def close_position(self, position_id: str, request: ClosePositionRequest) -> OrderHandle:
        raise _todo("close_position")

    async def close_all_positions(self, symbol: str | None = None) -> list[OrderHandle]:
        raise _todo("close_all_positions")

    async def list_trades(self, request: ListTradesRequest) -> list[Trade]:
        raise _todo("list_trades")

    async def get_quote(self, symbol: str) -> Quote:
        raise _todo("get_quote")

    async def get_bars(self, request: GetBarsRequest) -> list[Bar]:
        raise _todo("get_bars")

    async def capabilities(self) -> Capabilities:
        raise _todo("capabilities")

    def stream(self) -> AsyncIterator[StreamBatch]:
        raise _todo("stream")
