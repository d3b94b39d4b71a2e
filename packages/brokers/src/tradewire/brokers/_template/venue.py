"""The adapter's `Venue`: the protocol's interface over the broker's REST client and event stream.

Required: subclass `_live.live_venue.LiveVenue[<Broker>Http, <Broker>Stream]`, which already has the
event queue and `stream()`, `status()`, the `store` / `http` / `exits` parts (ProviderUnavailable before
`connect()`), `close()`, `_handle` and `cancel_order`. Write the rest:
- `platform` is the broker's `TradingPlatform` member (paper and live are two members, one class);
  `live` follows it, and `connect()` runs `_live.config.check_live` before opening anything;
- `connect()` opens the store (`_live.store.Store.open`) into `_store`, the HTTP client into `_http` and
  the stream into `_stream` (its `emit` is `_from_broker`), and rebuilds state (armed exit rules, seen
  fills) from the store; `_close_feeds()` stops anything else it started (market data, timers);
- `submit_order` validates with `tradewire.protocol.order_rules`, normalizes with `precision`, takes a
  client order id (`self._ids`, or the client's checked with the broker's `ClientIdRule`), records it
  in the store, then `submit_idempotent`;
- `_order` (a broker order as the protocol's `Order`) and `_cancel_at_broker` (the broker's cancel);
- the rest map one call each, through `mapping` and `errors`.

Until then every one of them raises `TemplateNotFilled`, naming the method: the template never pretends
to trade.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tradewire.brokers._live.backoff import Backoff
from tradewire.brokers._live.live_venue import LiveVenue
from tradewire.brokers._live.submit import ClientIdRule
from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.brokers._template.http import TemplateHttp
from tradewire.brokers._template.stream import TemplateStream
from tradewire.protocol.messages import (
    Account,
    Bar,
    CancelAllResult,
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

__all__ = ["TemplateVenue"]

#: The broker's client order id rule (required: its length and characters; see `_live.submit`).
TEMPLATE_CLIENT_ID = ClientIdRule("template", 36, re.compile(r"[A-Za-z0-9_-]{1,36}"))


def _todo(method: str) -> TemplateNotFilled:
    return TemplateNotFilled(f"TemplateVenue.{method}", "venue")


class TemplateVenue(LiveVenue[TemplateHttp, TemplateStream]):
    """The skeleton venue; every method the broker supplies raises `TemplateNotFilled`."""

    broker_name = "Template"

    def __init__(
        self,
        platform: TradingPlatform = TradingPlatform.UNSPECIFIED,  # set the broker's members
        *,
        allow_live_orders: bool = False,
        env: Mapping[str, str] | None = None,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        exit_poll: float = 1.0,
    ) -> None:
        super().__init__(
            platform,
            TEMPLATE_CLIENT_ID,
            allow_live_orders=allow_live_orders,
            env=env,
            timeout=timeout,
            backoff=backoff,
            exit_poll=exit_poll,
        )

    async def connect(self) -> None:
        raise _todo("connect")

    def _order(self, body: dict[str, Any]) -> Order:
        raise _todo("_order")

    async def _cancel_at_broker(self, order_id: str) -> Order:
        raise _todo("_cancel_at_broker")

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
