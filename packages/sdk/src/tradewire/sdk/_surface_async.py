"""The REST surface of `AsyncClient`: one method per route of the wire API, and the retry driver.

`_surface_async.py` (asyncio) is the source; `_surface.py` (blocking, for `Client`) is written from it
by `python scripts/unasync.py`, and `nox -s lint` fails when that file is stale.
"""

# `_run` is typed Any once here; each method states the decoded type it returns.
# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tradewire.protocol import messages as m
from tradewire.sdk import _requests as r
from tradewire.sdk._http import Answer, Attempts, Call, read_response
from tradewire.sdk._requests import DecimalLike

if TYPE_CHECKING:
    from tradewire.sdk.config import ClientConfig

__all__ = ["AsyncRestSurface"]


class AsyncRestSurface:
    """Every route of the wire API, sent by `_run` under the retry policy of `_http.Attempts`.

    A client supplies `config`, `_send` (one attempt: the answer, or one of `_transport_errors`)
    and the transport errors it raises.
    """

    config: ClientConfig
    _transport_errors: tuple[type[BaseException], ...] = ()
    #: Which of them mean no answer came in time.
    _timeout_errors: tuple[type[BaseException], ...] = ()

    async def _send(self, call: Call) -> Answer:  # pragma: no cover - implemented by the clients
        raise NotImplementedError

    async def _run(self, call: Call) -> Any:
        """Send `call`, repeating it while `Attempts` allows, and decode the final answer."""
        attempts = Attempts(call, self.config)
        while True:
            try:
                status, headers, content = await self._send(call)
            except self._transport_errors as e:
                await asyncio.sleep(attempts.after_error(e, timed_out=isinstance(e, self._timeout_errors)))
                continue
            delay = attempts.after_answer(status, headers)
            if delay is None:
                return read_response(call, status, headers, content)
            await asyncio.sleep(delay)

    # -- account ----------------------------------------------------------------------------------
    async def get_account(self) -> m.Account:
        """`GET /v1/account`: balances and margin."""
        return await self._run(r.get_account())

    # -- orders -----------------------------------------------------------------------------------
    async def submit_order(
        self, request: m.SubmitOrderRequest | None = None, /, **fields: Any
    ) -> m.OrderHandle:
        """`POST /v1/orders`: submit an order, from a SubmitOrderRequest or keywords.

        Always carries a `client_order_id` (a UUID4 is generated when absent), so the automatic retry
        after a transport error or 502/503/504 can never create a second order.
        Keywords: symbol, side, quantity, order_type (default MARKET), time_in_force, limit_price,
        stop_price, trailing_distance, trailing_type, stop_loss, take_profit, client_order_id,
        oco_group_id, position_id, reduce_only, post_only, hidden, display_quantity, leverage, margin_mode,
        notional (a MARKET order sized by an amount of the quote currency instead of quantity, on
        venues whose capabilities list `notional_orders`).

        Raises:
            OrderRejected: the venue refused it (InsufficientFunds when for lack of money).
            InvalidRequest, InvalidValue, ValidationError: the request is malformed.
        """
        return await self._run(r.submit_order(r.build_order(request, **fields)))

    async def list_orders(
        self,
        *,
        symbol: str | None = None,
        status: Iterable[m.OrderStatus | str] | None = None,
        side: m.Side | str | None = None,
        client_order_id: str | None = None,
        oco_group_id: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        limit: int | None = None,
    ) -> list[m.Order]:
        """`GET /v1/orders`: working orders, newest first."""
        return await self._run(r.list_orders(False, **_filters(locals())))

    async def list_order_history(
        self,
        *,
        symbol: str | None = None,
        status: Iterable[m.OrderStatus | str] | None = None,
        side: m.Side | str | None = None,
        client_order_id: str | None = None,
        oco_group_id: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        limit: int | None = None,
    ) -> list[m.Order]:
        """`GET /v1/orders/history`: finished orders, newest first."""
        return await self._run(r.list_orders(True, **_filters(locals())))

    async def get_order(self, order_id: str) -> m.Order:
        """`GET /v1/orders/{id}`: one order in any state (OrderNotFound if unknown)."""
        return await self._run(r.get_order(order_id))

    async def modify_order(
        self,
        order_id: str,
        *,
        quantity: DecimalLike | None = None,
        limit_price: DecimalLike | None = None,
        stop_price: DecimalLike | None = None,
        stop_loss: DecimalLike | None = None,
        take_profit: DecimalLike | None = None,
        trailing_distance: DecimalLike | None = None,
    ) -> m.ModifyOrderResult:
        """`PATCH /v1/orders/{id}`: amend a working order (`quantity` is the new total). Never retried."""
        fields = _filters(locals())
        fields.pop("order_id")
        return await self._run(r.modify_order(order_id, **fields))

    async def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        """`DELETE /v1/orders/{id}`: cancel one order (idempotent)."""
        return await self._run(r.cancel_order(order_id))

    async def cancel_all_orders(self, symbol: str | None = None) -> m.CancelAllResult:
        """`DELETE /v1/orders`: cancel every working order, optionally of one symbol."""
        return await self._run(r.cancel_all_orders(symbol))

    # -- positions --------------------------------------------------------------------------------
    async def list_positions(self, symbol: str | None = None) -> list[m.Position]:
        """`GET /v1/positions`: open positions."""
        return await self._run(r.list_positions(symbol))

    async def get_position(self, position_id: str) -> m.Position:
        """`GET /v1/positions/{id}`: one open position (PositionNotFound if unknown)."""
        return await self._run(r.get_position(position_id))

    async def close_position(
        self,
        position_id: str,
        *,
        quantity: DecimalLike | None = None,
        order_type: m.OrderType | str | None = None,
        limit_price: DecimalLike | None = None,
        cancel_associated_orders: bool | None = None,
    ) -> m.OrderHandle:
        """`DELETE /v1/positions/{id}`: close a position fully (default) or partly.

        A closed position's exits are always cleaned up; `cancel_associated_orders=True` asks a broker
        to cancel them on a partial close too (rest.md).
        """
        return await self._run(
            r.close_position(position_id, quantity, order_type, limit_price, cancel_associated_orders)
        )

    async def close_all_positions(self, symbol: str | None = None) -> list[m.OrderHandle]:
        """`DELETE /v1/positions`: close every open position at market."""
        return await self._run(r.close_all_positions(symbol))

    async def modify_position_exits(
        self,
        position_id: str,
        *,
        stop_loss: DecimalLike | None = None,
        take_profit: DecimalLike | None = None,
    ) -> m.ModifyPositionExitsResult:
        """`PATCH /v1/positions/{id}`: move a position's protective stop-loss / take-profit."""
        return await self._run(r.modify_position_exits(position_id, stop_loss, take_profit))

    # -- fills and market data --------------------------------------------------------------------
    async def list_trades(
        self,
        *,
        symbol: str | None = None,
        order_id: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        limit: int | None = None,
    ) -> list[m.Trade]:
        """`GET /v1/trades`: fills, newest first."""
        return await self._run(r.list_trades(**_filters(locals())))

    async def get_quote(self, symbol: str) -> m.Quote:
        """`GET /v1/quotes/{symbol}`: latest bid/ask/last."""
        return await self._run(r.get_quote(symbol))

    async def get_bars(
        self,
        symbol: str,
        timeframe: m.Timeframe | str = "1m",
        *,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        limit: int | None = None,
    ) -> list[m.Bar]:
        """`GET /v1/bars/{symbol}`: historical bars, oldest first (never from the simulated future)."""
        return await self._run(r.get_bars(symbol, timeframe, start, end, limit))

    # -- venue facts and probes -------------------------------------------------------------------
    async def capabilities(self) -> m.Capabilities:
        """`GET /v1/capabilities`: what the connected venue supports."""
        return await self._run(r.capabilities())

    async def status(self) -> m.ConnectionStatus:
        """`GET /v1/status`: venue connection state."""
        return await self._run(r.status())

    async def circuit_breakers(self) -> m.CircuitBreakerStatusResponse:
        """`GET /v1/circuit-breakers`: breaker states."""
        return await self._run(r.circuit_breakers())

    async def reset_circuit_breakers(self) -> m.CircuitBreakerStatusResponse:
        """`POST /v1/circuit-breakers/reset`: close both breakers (ResetCooldown if too soon)."""
        return await self._run(r.reset_circuit_breakers())

    async def livez(self) -> m.HealthStatus:
        """`GET /livez`: liveness probe."""
        return await self._run(r.livez())

    async def readyz(self) -> m.ReadyStatus:
        """`GET /readyz`: readiness (a 503 answer is returned as `ready=False`, not raised)."""
        return await self._run(r.readyz())

    async def health(self) -> m.DetailedHealthStatus:
        """`GET /health`: detailed health and gateway version."""
        return await self._run(r.health())

    async def metrics(self) -> str:
        """`GET /metrics`: Prometheus text."""
        return await self._run(r.metrics())

    async def openapi(self) -> Any:
        """`GET /api-docs/openapi.json`: the gateway's OpenAPI document as plain JSON."""
        return await self._run(r.openapi())


def _filters(scope: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in scope.items() if k != "self"}
