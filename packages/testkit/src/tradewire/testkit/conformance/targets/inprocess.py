"""`VenueClient`: the SDK client's methods called straight on a `Venue` object (no wire, no JSON)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m

__all__ = ["VenueClient"]


def _wire(value: Any) -> Any:
    """A keyword value as the wire would carry it (enums by spelling, decimals as text)."""
    if isinstance(value, Decimal):
        return codec.dec(value)
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, list | tuple):
        return [_wire(v) for v in value]
    if value is not None and not isinstance(value, str | bool | dict):
        try:
            return codec.enum_spelling(value)
        except Exception:
            return value
    return value


def _request(cls: type, fields: dict[str, Any]) -> Any:
    """Build a request message exactly as the server decodes one (same validation, same errors)."""
    return codec.from_dict(cls, {k: _wire(v) for k, v in fields.items() if v is not None})


class VenueClient:
    """Same method names, arguments, results and exceptions as `tradewire.sdk.AsyncClient`, in process.

    Like the SDK, `submit_order` adds a random `client_order_id` when none is given.
    """

    def __init__(self, venue: Any) -> None:
        self.venue = venue

    async def get_account(self) -> m.Account:
        return await self.venue.get_account()  # type: ignore[no-any-return]

    async def submit_order(
        self, request: m.SubmitOrderRequest | None = None, /, **fields: Any
    ) -> m.OrderHandle:
        if request is None:
            fields.setdefault("order_type", "MARKET")
            fields.setdefault("client_order_id", str(uuid.uuid4()))
            request = _request(m.SubmitOrderRequest, fields)
        return await self.venue.submit_order(request)  # type: ignore[no-any-return]

    async def list_orders(self, **filters: Any) -> list[m.Order]:
        return await self.venue.list_orders(_request(m.ListOrdersRequest, filters))  # type: ignore[no-any-return]

    async def list_order_history(self, **filters: Any) -> list[m.Order]:
        return await self.venue.list_order_history(_request(m.ListOrdersRequest, filters))  # type: ignore[no-any-return]

    async def get_order(self, order_id: str) -> m.Order:
        return await self.venue.get_order(order_id)  # type: ignore[no-any-return]

    async def modify_order(self, order_id: str, **fields: Any) -> m.ModifyOrderResult:
        return await self.venue.modify_order(order_id, _request(m.ModifyOrderRequest, fields))  # type: ignore[no-any-return]

    async def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        return await self.venue.cancel_order(order_id)  # type: ignore[no-any-return]

    async def cancel_all_orders(self, symbol: str | None = None) -> m.CancelAllResult:
        return await self.venue.cancel_all_orders(symbol)  # type: ignore[no-any-return]

    async def list_positions(self, symbol: str | None = None) -> list[m.Position]:
        return await self.venue.list_positions(symbol)  # type: ignore[no-any-return]

    async def get_position(self, position_id: str) -> m.Position:
        return await self.venue.get_position(position_id)  # type: ignore[no-any-return]

    async def close_position(
        self, position_id: str, *, quantity: Any = None, order_type: Any = None, limit_price: Any = None
    ) -> m.OrderHandle:
        req = _request(
            m.ClosePositionRequest,
            {"quantity": quantity, "order_type": order_type, "limit_price": limit_price},
        )
        return await self.venue.close_position(position_id, req)  # type: ignore[no-any-return]

    async def close_all_positions(self, symbol: str | None = None) -> list[m.OrderHandle]:
        return await self.venue.close_all_positions(symbol)  # type: ignore[no-any-return]

    async def modify_position_exits(
        self, position_id: str, *, stop_loss: Any = None, take_profit: Any = None
    ) -> m.ModifyPositionExitsResult:
        req = _request(m.ModifyPositionExitsRequest, {"stop_loss": stop_loss, "take_profit": take_profit})
        return await self.venue.modify_position_exits(position_id, req)  # type: ignore[no-any-return]

    async def list_trades(self, **filters: Any) -> list[m.Trade]:
        return await self.venue.list_trades(_request(m.ListTradesRequest, filters))  # type: ignore[no-any-return]

    async def get_quote(self, symbol: str) -> m.Quote:
        return await self.venue.get_quote(symbol)  # type: ignore[no-any-return]

    async def get_bars(
        self,
        symbol: str,
        timeframe: Any = "1m",
        *,
        start: Any = None,
        end: Any = None,
        limit: int | None = None,
    ) -> list[m.Bar]:
        req = _request(
            m.GetBarsRequest,
            {"symbol": symbol, "timeframe": timeframe, "start": start, "end": end, "limit": limit},
        )
        return await self.venue.get_bars(req)  # type: ignore[no-any-return]

    async def capabilities(self) -> m.Capabilities:
        return await self.venue.capabilities()  # type: ignore[no-any-return]

    async def status(self) -> m.ConnectionStatus:
        return await self.venue.status()  # type: ignore[no-any-return]

    async def circuit_breakers(self) -> m.CircuitBreakerStatusResponse:
        return await self.venue.circuit_breakers()  # type: ignore[no-any-return]

    async def reset_circuit_breakers(self) -> m.CircuitBreakerStatusResponse:
        return await self.venue.reset_circuit_breakers()  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Nothing to close: the venue is closed by the target."""
