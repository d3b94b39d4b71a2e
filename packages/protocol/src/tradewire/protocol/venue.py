"""The Venue interface: the async Python shape of the whole wire API, implemented by every platform."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Callable, Iterable
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


@dataclass(slots=True)
class EncodedBatch:
    """A paced venue's batch as wire JSON text (`PacedVenue.next_wire`), for a consumer that forwards it."""

    #: The simulated instant the batch belongs to (as `StreamBatch.step`).
    step: int | None
    #: One wire JSON text per message, in emission order: what `codec.encode` writes.
    texts: list[str]
    #: The `event_id` of each message, aligned with `texts` (None: a message without an id).
    event_ids: list[str | None]
    #: The simulated time of the batch (that of its first message), as wire timestamp text.
    timestamp: str
    #: The id of `backtest_complete` when the batch carries it.
    complete_id: str | None = None


class Venue(abc.ABC):
    """One trading venue: account, orders, positions, market data and the event stream.

    Every method takes and returns generated protocol messages and raises the typed errors of
    `tradewire.protocol.errors` (OrderNotFound, OrderRejected, ...). The gateway serves any Venue
    over REST + WebSocket; the SDK's in-process transport calls one directly.
    """

    #: Which platform this venue is (reported in `broker`, `/readyz`, `/health`).
    platform: TradingPlatform
    #: The run this venue's state belongs to: the gateway reports it as its `run_id`, read once
    #: `connect()` has returned. The engine's backtest and mock venues start afresh with a new one
    #: (in their order ids); a broker venue keeps one in its store across restarts, since its orders
    #: and positions outlive the process, so a client reconnecting after a restart continues.
    #: Empty: the gateway names a fresh run for each of its starts (`tradewire.protocol.run_ids`).
    run_id: str = ""

    @property
    def live(self) -> bool:
        """Whether orders here spend real money; then serving it needs both live opt-ins.

        Read before `connect()`. By default it follows `platform` (`tradewire.protocol.platforms`):
        False for backtest, mock and paper. A plugin venue that trades real money under another
        platform value overrides it (`live = True`).
        """
        from tradewire.protocol.platforms import is_live

        return is_live(self.platform)

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


class PacedVenue(Venue):
    """A venue whose time advances on acks (the backtest): the contract the gateway paces by.

    Pacing (spec `events.md`, "Backtest mode"):

    - The venue steps through simulated instants. Every message of an instant carries its own
      `event_id` (never reused within a run); the instant's messages form its step.
    - Time advances to the next instant only once every id of the current step has been released
      with `ack`. Unknown or repeated ids are ignored; an id acked before it was handed out is
      remembered and counts once it is. Nothing else (a timer, a consumer leaving) advances time.
    - Commands received while a step is held act at the held instant; the events they cause are
      further batches of the same step (same `step`, new ids), handed out before time advances.
    - The last step carries `backtest_complete` (with an id); once it is released the run is over
      and `finished` is True.

    Besides `stream()`, a paced venue hands its batches over synchronously, for a consumer that
    drives the pacing itself with no task switch between an ack and the next step (the gateway):
    `next_batch` (or `next_wire`, the same batch as wire text) returns what is ready; when it
    returns None, the consumer waits for its own `ack` call or for `on_events`. A consumer uses
    either the synchronous hand-over or `stream()`, not both.
    """

    #: Set by a `next_batch` / `next_wire` consumer: called, with no arguments, when a command has
    #: added events to the held step, so that they are fetched without waiting for an ack.
    on_events: Callable[[], None] | None = None

    @abc.abstractmethod
    def next_batch(self) -> StreamBatch | None:
        """The next batch if one is ready now, else None: the step's ids still pending, or the end.

        A batch holds at least one message, each with its `event_id`, and `step` numbers its
        simulated instant. Handing a batch out makes its ids pending.
        """

    def next_wire(self) -> EncodedBatch | None:
        """`next_batch` as wire JSON text; None as for `next_batch`.

        The default encodes `next_batch` with the codec. A venue may write the text itself more
        cheaply (the engine does), but byte for byte as the codec would, with the same pacing.
        """
        batch = self.next_batch()
        while batch is not None and not batch.messages:  # nothing to send: take the next
            batch = self.next_batch()
        return None if batch is None else _encoded(batch)

    @property
    @abc.abstractmethod
    def finished(self) -> bool:
        """True once the run is over: `backtest_complete` handed out and released, nothing follows."""

    @abc.abstractmethod
    async def ack(self, event_ids: Iterable[str]) -> None:
        """Release event ids; the next instant starts once every id of the held step is released."""


def _encoded(batch: StreamBatch) -> EncodedBatch:
    # Imported here: the codec is needed only by paced venues without their own `next_wire`, and
    # importing the interface stays cheap for the SDK's start-up.
    import datetime as dt

    from tradewire.protocol import codec

    messages = batch.messages
    ids: list[str | None] = (
        list(batch.event_ids)
        if len(batch.event_ids) == len(messages)
        else [getattr(codec.payload(m), "event_id", None) for m in messages]
    )
    complete_id = None
    for m, i in zip(messages, ids, strict=True):
        if m.backtest_complete is not None:
            complete_id = i
    # The batch's time is the simulated time of its first message (every stream message has one).
    stamp = getattr(codec.payload(messages[0]), "timestamp", None)
    timestamp = codec.timestamp_text(stamp if isinstance(stamp, dt.datetime) else dt.datetime.now(dt.UTC))
    return EncodedBatch(
        step=batch.step,
        texts=[codec.encode(m).decode() for m in messages],
        event_ids=ids,
        timestamp=timestamp,
        complete_id=complete_id,
    )
