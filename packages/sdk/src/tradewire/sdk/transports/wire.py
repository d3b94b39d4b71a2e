"""The wire transport: run a Strategy against any gateway URL over REST + the `/v1/ws` event stream."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
import time
from collections.abc import Callable
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from tradewire.protocol import messages as m
from tradewire.sdk._frames import StreamState
from tradewire.sdk._requests import build_order
from tradewire.sdk._timeframes import candle_timeframe
from tradewire.sdk.config import ClientConfig
from tradewire.sdk.errors import ConnectionLost, TradewireError
from tradewire.sdk.failures import HandlerFailed, Interrupted, StrategyError, describe_event, strategy_frame
from tradewire.sdk.market import Candle
from tradewire.sdk.refusals import REFUSALS, Refusals
from tradewire.sdk.result import RunResult
from tradewire.sdk.router import Router
from tradewire.sdk.state import TradingState
from tradewire.sdk.strategy import Strategy, bind, unbind
from tradewire.sdk.stream import AsyncEventStream
from tradewire.sdk.transports import BACKTEST_ID_SEED, ClientOrderIds
from tradewire.sdk.transports.wire_samples import WireSamples

if TYPE_CHECKING:
    from tradewire.sdk.client_sync import Client

__all__ = ["WireTransport", "placed_order", "run_wire"]


def placed_order(request: m.SubmitOrderRequest, handle: m.OrderHandle, at: dt.datetime) -> m.Order:
    """The order a venue accepted at `at`, as far as its request and the answer's handle describe it."""
    return m.Order(
        id=handle.id,
        client_order_id=handle.client_order_id or request.client_order_id,
        symbol=request.symbol,
        side=request.side,
        order_type=request.order_type,
        # rest.md: an order sized by notional shows what filled until the venue says more
        quantity=request.quantity or "0",
        filled_quantity="0",
        remaining_quantity=request.quantity or "0",
        notional=request.notional,
        limit_price=request.limit_price,
        stop_price=request.stop_price,
        stop_loss=request.stop_loss,
        take_profit=request.take_profit,
        trailing_distance=request.trailing_distance,
        trailing_type=request.trailing_type,
        status=handle.status,
        reduce_only=request.reduce_only,
        post_only=request.post_only,
        oco_group_id=request.oco_group_id,
        correlation_id=handle.correlation_id,
        time_in_force=request.time_in_force or m.TimeInForce.GTC,  # rest.md: GTC when omitted
        created_at=at,
        updated_at=at,
    )


def rest_client(config: ClientConfig, busy_poll_s: float | None = None) -> Client:
    """The blocking REST client of a wire run: the keep-alive transport for http, httpx for https.

    Each call of a backtest step waits on the gateway, so the per-request cost of the client is on the
    critical path; the keep-alive transport cuts it to a fraction of httpx's. `busy_poll_s` is how long
    its reads poll before blocking (None: its default, 1 ms).
    """
    from tradewire.sdk.client_sync import Client

    if config.base_url.startswith("http://"):
        return Client(config=config, transport="keepalive", busy_poll_s=busy_poll_s)
    return Client(config=config)


class WireTransport:
    """Strategy commands as REST calls (blocking: a handler's order is placed before its batch is acked)."""

    def __init__(self, client: Client, platform: str, refusals: Refusals) -> None:
        self.client = client
        self.platform = platform
        self.refusals = refusals
        self.submitted = 0
        self.new_id = ClientOrderIds(BACKTEST_ID_SEED if platform == "backtest" else None)
        #: The strategy's state, told of each placed order (set when the strategy is bound).
        self.state: TradingState | None = None
        self.interrupted = False
        #: Called on interrupt (from the signal handler): ends a wait for the next delivery now.
        self.on_interrupt: Callable[[], None] | None = None

    def interrupt(self) -> None:
        self.interrupted = True
        if self.on_interrupt is not None:
            self.on_interrupt()

    def submit(self, request: m.SubmitOrderRequest | None, fields: dict[str, Any]) -> m.OrderHandle:
        self.submitted += 1
        order = build_order(request, new_id=self.new_id, **fields)
        try:
            handle = self.client.submit_order(order)
        except REFUSALS as e:
            return self.refusals.refused(e, order)
        if self.state is not None:
            self.state.submitted(placed_order(order, handle, self.refusals.clock()))
        return handle

    def cancel_order(self, order_id: str) -> m.CancelOrderResult:
        return self.client.cancel_order(order_id)

    def cancel_all_orders(self, symbol: str | None) -> m.CancelAllResult:
        return self.client.cancel_all_orders(symbol)

    def modify_order(self, order_id: str, **fields: Any) -> m.ModifyOrderResult:
        return self.client.modify_order(order_id, **fields)

    def close_position(self, position_id: str, request: m.ClosePositionRequest) -> m.OrderHandle:
        self.submitted += 1
        return self.client.close_position(
            position_id,
            quantity=request.quantity,
            order_type=request.order_type,
            limit_price=request.limit_price,
        )

    def get_bars(self, symbol: str, timeframe: str, limit: int) -> list[m.Bar]:
        return self.client.get_bars(symbol, timeframe, limit=limit)

    def get_account(self) -> m.Account:
        return self.client.get_account()

    def list_positions(self) -> list[m.Position]:
        return self.client.list_positions()

    def list_orders(self) -> list[m.Order]:
        return self.client.list_orders()


def _platform_and_run(client: Client) -> tuple[str, str | None]:
    """The gateway's platform ("unknown" when it does not say) and run id (None when it has none)."""
    try:
        health = client.health()
    except Exception:
        return "unknown", None
    if health.providers:
        from tradewire.protocol import codec

        return codec.enum_spelling(health.providers[0].platform), health.run_id or None
    return "unknown", health.run_id or None


async def run_wire(
    strategy: Strategy,
    *,
    config: ClientConfig | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    reconnect: bool = True,
    progress: Callable[[RunResult, Strategy], None] | None = None,
    events_log: IO[bytes] | None = None,
    busy_poll_s: float | None = None,
    strict: bool = False,
    samples: WireSamples | None = None,
    max_reconnects: int | None = None,
    on_connection: Callable[[StreamState], None] | None = None,
) -> RunResult:
    """Run `strategy` against a gateway until the stream ends (a backtest's `backtest_complete`).

    Every delivery is handled (state first, then handlers) and then acknowledged by batch id, which
    is what lets a backtest gateway advance. After a live reconnect the state is re-read over REST;
    a reconnect to a restarted gateway (another run id than `/health` gave at the start) raises
    RunChanged, since its orders, account and event ids started over.

    Args:
        strategy: The strategy instance.
        config: Client configuration (or `base_url`/`api_key`, else the environment).
        reconnect: Reconnect after drops (live platforms).
        progress: Called after each delivery with the running result and the strategy.
        events_log: A binary file that receives every frame's wire JSON, one per line.
        busy_poll_s: How long REST reads poll before blocking (None: the REST client's default).
        strict: Raise the venue's error when it refuses an order, instead of delivering
            ORDER_REJECTED and going on (see `tradewire.sdk.refusals`).
        samples: Receives every delivery's candles, for a backtest's results (`WireSamples`).
        max_reconnects: Give up (ConnectionLost) after this many failed reconnect attempts in a
            row; None: keep trying.
        on_connection: Called at once with every change of the connection (connected, disconnected,
            reconnecting with its delay, closed), e.g. to show a countdown.
    """
    config = config or ClientConfig.resolve(base_url, api_key)
    client = rest_client(config, busy_poll_s)
    router = Router(strategy)
    only = router.only
    timeframe = candle_timeframe(strategy)  # None: candles pass as the gateway streams them
    platform, run_id = _platform_and_run(client)
    result = RunResult(type(strategy).__name__, platform, "wire", run_id=run_id)
    transport = WireTransport(client, result.platform, Refusals(strict, lambda: strategy.now))
    transport.state = strategy.state
    states: list[StreamState] = []
    started = time.perf_counter()
    try:
        bind(strategy, transport)
        strategy.state.load(client.get_account(), client.list_positions(), client.list_orders())
        if strategy.state.account is not None:
            result.start_cash = Decimal(strategy.state.account.balance)
            result.start_equity = Decimal(strategy.state.account.equity)
        await _call(strategy.on_start)
        await _deliver_refusals(router, transport.refusals)

        # candles straight into the Candles handlers take (no protocol CandleEvent on the hot path)
        def on_state(state: StreamState) -> None:
            states.append(state)
            if on_connection is not None:
                on_connection(state)

        stream = AsyncEventStream(
            config,
            reconnect=reconnect,
            on_state=on_state,
            candles=True,
            run_id=run_id,
            max_reconnects=max_reconnects,
        )
        trades = result.trades
        # Ctrl-C stops before the next delivery is handled; when none comes (a quiet live stream, a
        # gateway being reconnected to) the wait for it is cancelled, or the run would go on.
        loop, consumer, waiting = asyncio.get_running_loop(), asyncio.current_task(), [False]

        def stop_waiting() -> None:
            if waiting[0] and consumer is not None:
                consumer.cancel()  # lands in the wait: the task has not resumed since it began

        def wake() -> None:  # from the signal handler: into the loop, which it may find asleep
            loop.call_soon_threadsafe(stop_waiting)

        transport.on_interrupt = wake
        async with stream:
            deliveries = aiter(stream)
            while True:
                waiting[0] = True
                try:
                    delivery = await anext(deliveries)
                except StopAsyncIteration:
                    break
                except asyncio.CancelledError:
                    if not transport.interrupted or consumer is None:
                        raise
                    consumer.uncancel()
                    raise Interrupted() from None
                finally:
                    waiting[0] = False
                if transport.interrupted:
                    raise Interrupted()  # before handling: the run ends at the last acknowledged instant
                if states:
                    await _connection_changes(states, router, strategy, client)
                if events_log is not None:
                    raw = delivery.raw
                    events_log.write((raw.encode() if isinstance(raw, str) else raw) + b"\n")
                events = delivery.events
                if only is None or not delivery.bars:
                    result.bars += delivery.bars
                else:  # the strategy's bars, as in-process (a gateway streams every symbol it serves)
                    result.bars += sum(1 for ev in events if isinstance(ev, Candle) and ev.symbol in only)
                if samples is not None:
                    samples.observe(events)
                if delivery.bars != len(events):
                    for ev in events:
                        t = type(ev)
                        if t is m.TradeEvent and ev.trade is not None:
                            trades.append(ev.trade)
                        elif t is m.ErrorEvent and _is_ack_timeout(ev):
                            # the gateway stopped the backtest (events.md rule 8): reconnecting cannot help
                            raise ConnectionLost(f"the gateway stopped the backtest: {ev.message}")
                await router.adeliver(events if timeframe is None else timeframe(events, delivery.complete))
                await _deliver_refusals(router, transport.refusals)
                await stream.ack(delivery)
                result.steps += 1
                result.events += len(events)
                if progress is not None:
                    progress(result, strategy)
                if strategy.stop_requested:
                    break
        result.run_id = stream.run_id
        if states:
            await _connection_changes(states, router, strategy, client)
        await _call(strategy.on_stop)
        await _deliver_refusals(router, transport.refusals)
        result.account = client.get_account()
    except HandlerFailed as e:
        when = strategy.now
        result.partial = True
        with contextlib.suppress(TradewireError):
            result.account = client.get_account()  # the account at the instant the strategy raised
        raise StrategyError(
            e.error, e.handler, when, describe_event(e.event), strategy_frame(e.error), result
        ) from e.error
    except Interrupted as e:
        # Ctrl-C: the last delivery handled was acknowledged; this one is not handled
        result.partial = True
        with contextlib.suppress(TradewireError):
            result.account = client.get_account()
        e.when, e.result = strategy.now, result
        raise
    finally:
        result.elapsed_s = time.perf_counter() - started
        result.orders = transport.submitted
        unbind(strategy)
        router.close()
        client.close()
    return result


async def _connection_changes(
    states: list[StreamState], router: Router, strategy: Strategy, client: Client
) -> None:
    pending = states[:]
    states.clear()
    for state in pending:
        if state.state == "connected" and state.attempt > 0:
            # live mode has no replay: re-read what may have changed while away
            strategy.state.load(client.get_account(), client.list_positions(), client.list_orders())
        if router.on_connection is not None:
            await _call(router.on_connection, state)


async def _deliver_refusals(router: Router, refusals: Refusals) -> None:
    """Deliver the ORDER_REJECTED events of refusals the gateway made no event for, before the ack (so
    at the same instant, and before the batches of the handlers' other orders, as in-process)."""
    events: list[Any] = refusals.take()
    while events:
        await router.adeliver(events)
        events = refusals.take()


def _is_ack_timeout(event: m.ErrorEvent) -> bool:
    from tradewire.protocol import codec

    details = codec.value_to_json(event.details) if event.details is not None else None
    return isinstance(details, dict) and details.get("reason") == "ack_timeout"


async def _call(fn: Callable[..., Any], *args: Any) -> None:
    try:
        result = fn(*args)
        if inspect.isawaitable(result):
            await result
    except Exception as e:
        raise HandlerFailed(e, fn.__name__, args[0] if args else None) from e
