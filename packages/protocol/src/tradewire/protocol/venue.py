"""The Venue interface: the async Python shape of the whole wire API, implemented by every platform."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from tradewire.protocol.messages import (
    Account,
    Bar,
    CancelAllResult,
    CancelOrderResult,
    Capabilities,
    CircuitBreaker,
    CircuitBreakerState,
    CircuitBreakerStatusResponse,
    ClosePositionRequest,
    ConnectionStatus,
    GetBarsRequest,
    ListOrdersRequest,
    ListTradesRequest,
    ModifyOrderRequest,
    ModifyOrderResult,
    ModifyPositionExitsRequest,
    ModifyPositionExitsResult,
    Order,
    OrderHandle,
    Position,
    Quote,
    ServerMessage,
    SubmitOrderRequest,
    Trade,
    TradingPlatform,
)


@dataclass(slots=True)
class StreamBatch:
    """Messages a venue emits together.

    In backtest mode one simulated step may yield several batches (the step's market data first,
    then the events of orders placed while the step was held); every message then carries an
    `event_id` and `step` numbers the simulated instant. Live venues yield whatever is ready,
    with no ids and `step` None.
    """

    messages: list[ServerMessage]
    step: int | None = None
    event_ids: list[str] = field(default_factory=list)


class Venue(abc.ABC):
    """One trading venue: account, orders, positions, market data and the event stream.

    Every method takes and returns generated protocol messages and raises the typed errors of
    `tradewire.protocol.errors` (OrderNotFound, OrderRejected, ...). The gateway serves any Venue
    over REST + WebSocket; the SDK's in-process transport calls one directly.
    """

    #: Which platform this venue is (reported in `broker`, `/readyz`, `/health`).
    platform: TradingPlatform

    # -- lifecycle -------------------------------------------------------------------------
    async def connect(self) -> None:  # noqa: B027 - optional hook
        """Open connections to the venue. Called once before use."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections. Working orders and positions are left as they are."""

    # -- account ---------------------------------------------------------------------------
    @abc.abstractmethod
    async def get_account(self) -> Account:
        """Balances and margin."""

    # -- orders ----------------------------------------------------------------------------
    @abc.abstractmethod
    async def submit_order(self, request: SubmitOrderRequest) -> OrderHandle:
        """Submit an order. A repeated client_order_id of a known order returns that order's handle."""

    @abc.abstractmethod
    async def get_order(self, order_id: str) -> Order:
        """One order in any state; OrderNotFound if unknown."""

    @abc.abstractmethod
    async def list_orders(self, request: ListOrdersRequest) -> list[Order]:
        """Working orders (PENDING, OPEN, PARTIALLY_FILLED, PENDING_CANCEL), newest first."""

    @abc.abstractmethod
    async def list_order_history(self, request: ListOrdersRequest) -> list[Order]:
        """Finished orders (FILLED, CANCELLED, REJECTED, EXPIRED), newest first."""

    @abc.abstractmethod
    async def modify_order(self, order_id: str, request: ModifyOrderRequest) -> ModifyOrderResult:
        """Amend a working order; OrderNotModifiable when finished."""

    @abc.abstractmethod
    async def cancel_order(self, order_id: str) -> CancelOrderResult:
        """Cancel one order; idempotent for an already cancelled order."""

    @abc.abstractmethod
    async def cancel_all_orders(self, symbol: str | None = None) -> CancelAllResult:
        """Cancel every working order, optionally of one symbol."""

    # -- positions -------------------------------------------------------------------------
    @abc.abstractmethod
    async def list_positions(self, symbol: str | None = None) -> list[Position]:
        """Open positions."""

    @abc.abstractmethod
    async def get_position(self, position_id: str) -> Position:
        """One open position; PositionNotFound if unknown."""

    @abc.abstractmethod
    async def close_position(self, position_id: str, request: ClosePositionRequest) -> OrderHandle:
        """Close a position fully or partly with an opposite order."""

    @abc.abstractmethod
    async def close_all_positions(self, symbol: str | None = None) -> list[OrderHandle]:
        """Close every open position at market; [] when nothing was open."""

    async def modify_position_exits(
        self, position_id: str, request: ModifyPositionExitsRequest
    ) -> ModifyPositionExitsResult:
        """Move a position's protective stop-loss / take-profit."""
        from tradewire.protocol.errors import UnsupportedOperation

        raise UnsupportedOperation(f"{self.platform.name.lower()} does not manage position exits")

    # -- fills and market data -------------------------------------------------------------
    @abc.abstractmethod
    async def list_trades(self, request: ListTradesRequest) -> list[Trade]:
        """Fills, newest first."""

    @abc.abstractmethod
    async def get_quote(self, symbol: str) -> Quote:
        """Latest bid/ask/last; SymbolNotFound if unknown."""

    @abc.abstractmethod
    async def get_bars(self, request: GetBarsRequest) -> list[Bar]:
        """Historical bars, oldest first; never bars from the simulated future."""

    # -- venue facts -----------------------------------------------------------------------
    @abc.abstractmethod
    async def capabilities(self) -> Capabilities:
        """What the venue supports."""

    async def status(self) -> ConnectionStatus:
        """Venue connection state. The default reports connected with no latency."""
        import datetime as dt

        return ConnectionStatus(connected=True, latency_ms=0, last_heartbeat=dt.datetime.now(dt.UTC))

    async def circuit_breakers(self) -> CircuitBreakerStatusResponse:
        """Breaker states; a venue without breakers reports both closed with 0 failures."""
        closed = CircuitBreaker(state=CircuitBreakerState.CLOSED, failure_count=0)
        return CircuitBreakerStatusResponse(adapter=closed, exit_order=closed)

    async def reset_circuit_breakers(self) -> CircuitBreakerStatusResponse:
        """Close both breakers."""
        return await self.circuit_breakers()

    def stale_symbols(self) -> list[str]:
        """Instruments whose data is stale now (for /health and the STALE event on connect)."""
        return []

    # -- the event stream ------------------------------------------------------------------
    @abc.abstractmethod
    def stream(self) -> AsyncIterator[StreamBatch]:
        """The venue's events, batch by batch, from one consumer (the gateway or a client transport).

        A backtest venue yields the first step's batch only when iteration starts and does not
        advance simulated time until every `event_id` of the current step is released with `ack`.
        Live venues ignore acks. Iteration ends after the final `backtest_complete` (backtest) or
        when the venue is closed.
        """

    async def ack(self, event_ids: Iterable[str]) -> None:  # noqa: B027 - live venues ignore acks
        """Release event ids (backtest pacing). Unknown or repeated ids are ignored."""
