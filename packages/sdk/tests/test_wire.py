"""Pins transport equivalence: the same strategy over the wire (a real gateway on 127.0.0.1) and
in-process gives the same fills and the same final equity, exactly (the gateway's order and trade ids
carry its run id, which is taken out to compare); plus the wire's auth and limits."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tradewire.protocol import messages as m
from tradewire.sdk import AuthenticationError, Client, ConfigurationError, backtest, run
from tradewire.testkit.differential.ids import without_run


@pytest.mark.parametrize(
    "name", ["sma_crossover", "rsi_mean_reversion", "bracket_breakout", "multi_symbol_rotation"]
)
def test_wire_equals_inprocess(gateway: Any, name: str, example: Any) -> None:
    cls = example(name)
    local = backtest(cls(), sample=True)
    with gateway("--platform", "backtest") as url:
        remote = run(cls(), platform="backtest", gateway=url)
    assert remote.transport == "wire" and remote.platform == "backtest" and remote.run_id
    assert without_run(remote.trade_dicts(), remote.run_id) == local.trade_dicts()
    assert remote.final_equity == local.final_equity
    assert remote.account is not None and local.account is not None
    assert remote.account.balance == local.account.balance


def test_async_handlers_over_the_wire_equal_inprocess(gateway: Any, example: Any, stream_driver: str) -> None:
    """Async handlers run to completion before their batch is acked, over the wire as in-process."""
    import asyncio

    base = example("sma_crossover")

    class AsyncSma(base):  # type: ignore[misc, valid-type]
        async def on_candle(self, bar: Any) -> None:
            await asyncio.sleep(0)
            super().on_candle(bar)

    local = backtest(AsyncSma(), sample=True)
    with gateway("--platform", "backtest") as url:
        remote = run(AsyncSma(), platform="backtest", gateway=url)
    assert local.trade_dicts() and without_run(remote.trade_dicts(), remote.run_id) == local.trade_dicts()
    assert remote.final_equity == local.final_equity


def test_wire_event_log_equals_the_inprocess_one(gateway: Any, example: Any) -> None:
    """Every simulated event, its bytes and its grouping into batches are the same both ways (but for
    the gateway's run id in its order ids); the wire adds only its own id-less notices (CONNECTED)."""
    import json

    cls = example("sma_crossover")
    local, remote = io.BytesIO(), io.BytesIO()
    backtest(cls(), sample=True, symbols=["AAPL", "MSFT", "BTC/USD"], events_log=local)
    with gateway("--platform", "backtest") as url:
        run_id = run(cls(), platform="backtest", gateway=url, events_log=remote).run_id

    def batches(buf: io.BytesIO) -> list[tuple[str, list[Any]]]:
        frames = [json.loads(line) for line in buf.getvalue().splitlines()]
        out = [(f["timestamp"], [e for e in f["events"] if "event_id" in e]) for f in frames]
        return [b for b in out if b[1]]

    assert without_run(batches(remote), run_id) == batches(local)
    assert sum(len(b[1]) for b in batches(local)) == 1950


def test_api_key_required_and_checked(gateway: Any, example: Any) -> None:
    with gateway("--platform", "backtest", key="s3cret") as url:
        with Client(url, "wrong") as bad, pytest.raises(AuthenticationError):
            bad.get_account()
        with pytest.raises(AuthenticationError):
            run(example("sma_crossover")(), platform="backtest", gateway=url, api_key="wrong")
        with Client(url, "s3cret") as client:
            assert client.get_account().currency == "USD"
            assert client.capabilities().position_mode == m.PositionMode.NETTING


def test_platform_mismatch_is_refused(gateway: Any, example: Any) -> None:
    with gateway("--platform", "backtest") as url:
        with pytest.raises(ConfigurationError, match="serves backtest, not alpaca-paper"):
            run(example("sma_crossover")(), platform="alpaca-paper", gateway=url)


def test_rest_surface_against_a_backtest_gateway(gateway: Any) -> None:
    with gateway("--platform", "backtest") as url, Client(url) as c:
        assert c.livez().status == "ok"
        assert c.health().providers
        assert c.list_positions() == [] and c.list_orders() == [] and c.list_trades() == []
        assert c.circuit_breakers().adapter is not None
        assert c.get_account().balance


def test_compatible_single_event_framing_runs_to_the_end(
    gateway: Any, example: Any, stream_driver: str
) -> None:
    # One event per frame (what compatible clients get) acks event by event and ends cleanly. It cannot
    # show an instant's events together, so a candle handler runs before that instant's fills are
    # known: exact equality with in-process needs the batched framing, the SDK's default.
    cls = example("sma_crossover")
    with gateway("--platform", "backtest") as url:
        single = run(cls(), platform="backtest", gateway=url, framing="single")
    assert single.bars == 1044 and single.trades and single.account is not None  # AAPL and MSFT bars


def test_live_mock_platform_runs_until_the_strategy_stops(gateway: Any) -> None:
    from decimal import Decimal

    from tradewire.sdk import Candle, Strategy, StreamState

    class Probe(Strategy):
        symbols = ("AAPL",)

        def on_start(self) -> None:
            self.candles = 0
            self.states: list[str] = []
            self.fills: list[str] = []

        def on_candle(self, bar: Candle) -> None:
            self.candles += 1
            if self.candles == 1:
                self.buy("AAPL", Decimal("3"))
            if self.candles == 3:
                self.stop()

        def on_trade(self, event: m.TradeEvent) -> None:
            self.fills.append(event.trade.quantity)

        def on_connection(self, event: Any) -> None:
            if isinstance(event, StreamState):
                self.states.append(event.state)

    probe = Probe()
    with gateway("--platform", "mock", "--symbols", "AAPL", "--candle-interval", "0.05") as url:
        result = run(probe, platform="mock", gateway=url)
    assert result.platform == "mock" and probe.candles == 3
    assert probe.fills == ["3"] and probe.position("AAPL") == 3
    assert probe.states[0] == "connected"


def test_sync_client_stream_acks_a_backtest_to_its_end(gateway: Any) -> None:
    with (
        gateway("--platform", "backtest") as url,
        Client(url) as client,
        client.stream(reconnect=False) as events,
    ):
        kinds: set[str] = set()
        for delivery in events:
            kinds.update(type(e).__name__ for e in delivery.events)
            events.ack(delivery)
    assert {"CandleEvent", "BacktestCompleteEvent"} <= kinds


def test_stop_ends_an_inprocess_backtest_early(example: Any) -> None:
    from tradewire.sdk import Candle, Strategy

    class Three(Strategy):
        def on_start(self) -> None:
            self.n = 0

        def on_candle(self, bar: Candle) -> None:
            self.n += 1
            if self.n == 3:
                self.stop()

    fast = Three()
    backtest(fast, sample=True, symbols=["AAPL"])
    multi = Three()
    backtest(multi, sample=True)
    assert fast.n == 3 and multi.n == 3


def test_gateway_ack_timeout_ends_the_run_with_one_error(gateway: Any, stream_driver: str) -> None:
    import time as _time

    from tradewire.sdk import Candle, ConnectionLost, Strategy

    class Slow(Strategy):
        def on_candle(self, bar: Candle) -> None:
            _time.sleep(0.6)  # longer than the gateway's per-step ack timeout

    with gateway("--platform", "backtest", "--ack-timeout", "0.2") as url:
        with pytest.raises(ConnectionLost, match="stopped the backtest"):
            run(Slow(), platform="backtest", gateway=url)


async def test_async_client_against_a_backtest_gateway(gateway: Any) -> None:
    from tradewire.sdk import AsyncClient, OrderNotFound

    with gateway("--platform", "backtest") as url:
        async with AsyncClient(url) as c:
            account = await c.get_account()
            assert account.currency == "USD"
            with pytest.raises(OrderNotFound):
                await c.get_order("ord-nope")
            handle = await c.submit_order(
                symbol="AAPL", side="buy", quantity="1", order_type="limit", limit_price="1.00"
            )
            again = await c.submit_order(
                symbol="AAPL",
                side="buy",
                quantity="1",
                order_type="limit",
                limit_price="1.00",
                client_order_id=handle.client_order_id,
            )
            assert again.id == handle.id  # a repeated client_order_id never makes a second order
            assert [o.id for o in await c.list_orders(symbol="AAPL")] == [handle.id]
            cancelled = await c.cancel_order(handle.id)
            assert cancelled.order is not None and cancelled.order.status == m.OrderStatus.CANCELLED
            assert (await c.cancel_order(handle.id)).success  # idempotent
            caps = await c.capabilities()
            assert m.OrderType.MARKET in caps.supported_order_types


def survivor() -> Any:
    """A mock strategy that buys 3 AAPL on its first candle, sets `first_up` on its third, and after a
    reconnect records its position on each candle, stopping after two."""
    import threading
    from decimal import Decimal

    from tradewire.sdk import Candle, Strategy, StreamState

    class Survivor(Strategy):
        symbols = ("AAPL",)

        def on_start(self) -> None:
            self.candles = 0
            self.states: list[str] = []
            self.first_up = threading.Event()
            self.after: list[Decimal] = []

        def on_candle(self, bar: Candle) -> None:
            self.candles += 1
            if self.candles == 1:
                self.buy("AAPL", Decimal("3"))
            if self.candles == 3:
                self.first_up.set()
            if "reconnecting" in self.states:
                self.after.append(self.position("AAPL"))
                if len(self.after) == 2:
                    self.stop()

        def on_connection(self, event: Any) -> None:
            if isinstance(event, StreamState):
                self.states.append(event.state)

    return Survivor()


def _run_in_thread(s: Any, url: str, errors: list[BaseException]) -> Any:
    import threading

    def go() -> None:
        try:
            run(s, platform="mock", gateway=url, reconnect_max_delay=0.2)
        except BaseException as e:
            errors.append(e)

    worker = threading.Thread(target=go, daemon=True)
    worker.start()
    return worker


def _wait_first_up(s: Any) -> None:
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (hasattr(s, "first_up") and s.first_up.wait(0.05)):
        time.sleep(0.01)
    assert s.first_up.is_set()


def test_a_reconnect_to_a_restarted_gateway_stops_with_run_changed() -> None:
    """Gateway A stops and gateway B comes up on the same port (a fresh mock account, orders from 1
    again): the reconnect sees B's run id, and the run stops with RunChanged instead of going on."""
    import httpx

    from tradewire.sdk import RunChanged
    from tradewire.testkit.harness import free_port, running_gateway

    port = free_port()
    mock = {"symbols": ("AAPL",), "candle_interval": 0.05}
    s = survivor()
    errors: list[BaseException] = []
    with running_gateway("mock", port=port, mock=mock) as a:
        first_run = httpx.get(a.url + "/health").json()["run_id"]
        worker = _run_in_thread(s, a.url, errors)
        _wait_first_up(s)
    with running_gateway("mock", port=port, mock=mock) as b:
        second_run = httpx.get(b.url + "/health").json()["run_id"]
        worker.join(30)
    assert not worker.is_alive() and len(errors) == 1 and isinstance(errors[0], RunChanged), errors
    e = errors[0]
    assert (e.before, e.after) == (first_run, second_run) and first_run != second_run
    assert str(e) == (
        f"the gateway restarted: run {first_run} is gone and run {second_run} started over "
        "(new orders, account and event ids); stopping"
    )
    assert s.after == []  # not one event of the new run reached the strategy


def test_a_reconnect_to_the_same_run_rereads_state_and_goes_on() -> None:
    """The stream drops but the gateway did not restart: same run id, so the run goes on, with the
    state re-read over REST (the position bought before the drop is still there)."""
    from decimal import Decimal

    from tradewire.testkit.harness import running_gateway

    s = survivor()
    errors: list[BaseException] = []
    with running_gateway("mock", mock={"symbols": ("AAPL",), "candle_interval": 0.05}) as gw:
        worker = _run_in_thread(s, gw.url, errors)
        _wait_first_up(s)
        hub = gw.gateway.hub
        gw.call(lambda: [session.close(1012, "test: drop the stream") for session in list(hub.sessions)])
        worker.join(30)
    assert not worker.is_alive() and not errors, errors
    assert s.states[:3] == ["connected", "disconnected", "reconnecting"] and "connected" in s.states[3:]
    assert s.after and s.after[0] == Decimal("3")


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_each_driver_on_each_server_loop_equals_inprocess(
    example: Any, stream_driver: str, loop: str
) -> None:
    """Both stream drivers against the gateway on both of its loops (each busy-polling its own way)."""
    from tradewire.testkit.harness import running_gateway

    cls = example("sma_crossover")
    local = backtest(cls(), sample=True)
    with running_gateway(mode="process", extra_args=("--platform", "backtest"), loop=loop) as gateway:
        remote = run(cls(), platform="backtest", gateway=gateway.url)
    assert without_run(remote.trade_dicts(), remote.run_id) == local.trade_dicts()
    assert remote.final_equity == local.final_equity
