"""State is exact whoever reads it and from wherever, and open positions are marked at every instant."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tradewire.sdk import Candle, Strategy, backtest, run
from tradewire.testkit.differential.ids import without_run


def size(strategy: Strategy, price: float) -> Decimal:
    """A module-level sizing helper: a tenth of the cash, in whole shares (reads state outside the class)."""
    return Decimal(int(strategy.cash / 10 / Decimal(str(price))))


class HelperSized(Strategy):
    """Buys a tenth of its cash every 20th AAPL bar and sells every 20th+10; never names cash itself."""

    symbols = ("AAPL",)
    timeframe = "1d"

    def on_start(self) -> None:
        self.n = 0

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        if self.n % 20 == 0:
            self.buy(bar.symbol, size(self, bar.close))
        elif self.n % 20 == 10 and self.position(bar.symbol):
            self.sell(bar.symbol, self.position(bar.symbol))


class ClassSized(HelperSized):
    """The same rule, with the state read in the class itself."""

    def on_candle(self, bar: Candle) -> None:
        _ = self.cash
        super().on_candle(bar)


class EquityWatcher(Strategy):
    """Holds 600 AAPL from the 5th bar on and records what it sees of its account at every bar."""

    symbols = ("AAPL",)
    timeframe = "1d"

    def on_start(self) -> None:
        self.seen: list[tuple[str, Decimal, Decimal, Decimal, str, str, str]] = []
        self.n = 0

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        if self.n == 5:
            self.buy(bar.symbol, 600)
        held = self.positions.get(bar.symbol)
        account = self.account
        assert account is not None
        self.seen.append(
            (
                bar.exact.close,
                self.cash,
                self.equity,
                Decimal(account.unrealized_pnl),
                held.current_price if held else "",
                held.unrealized_pnl if held else "",
                held.quantity if held else "",
            )
        )


class EquityWatcherWithEvents(EquityWatcher):
    """The same, with an order handler: the in-process run takes its general path (event messages)."""

    def on_order(self, event: Any) -> None:
        pass


def test_state_read_from_a_helper_is_the_state_read_in_the_class() -> None:
    helper = backtest(HelperSized(), sample=True)
    in_class = backtest(ClassSized(), sample=True)
    assert len(helper.trade_dicts()) > 4
    assert helper.trade_dicts() == in_class.trade_dicts()
    assert helper.final_equity == in_class.final_equity
    # the sizes shrink and grow with the cash: they are not all a tenth of the starting 100,000
    quantities = {t["quantity"] for t in helper.trade_dicts() if t["side"] == "BUY"}
    assert len(quantities) > 1


def test_equity_is_marked_to_market_at_every_bar() -> None:
    for cls in (EquityWatcher, EquityWatcherWithEvents):
        strategy = cls()
        backtest(strategy, sample=True)
        held = [row for row in strategy.seen if row[6]]
        assert len(held) > 100, cls.__name__
        for close, cash, equity, unrealized, current, pos_pnl, qty in held:
            assert current == close
            assert equity == cash + Decimal(qty) * Decimal(close)
            assert unrealized == Decimal(pos_pnl)
        # equity moves with the close between fills
        assert len({row[2] for row in held}) > 50


def test_marked_state_is_the_same_in_process_and_over_the_wire(gateway: Any) -> None:
    local_fast, local_general = EquityWatcher(), EquityWatcherWithEvents()
    backtest(local_fast, sample=True)
    backtest(local_general, sample=True)
    remote = EquityWatcher()
    with gateway("--platform", "backtest") as url:
        run(remote, platform="backtest", gateway=url)
    assert local_fast.seen == local_general.seen
    assert remote.seen == local_fast.seen


def test_helper_sizing_over_the_wire_equals_in_process(gateway: Any) -> None:
    local = backtest(HelperSized(), sample=True)
    with gateway("--platform", "backtest") as url:
        remote = run(HelperSized(), platform="backtest", gateway=url)
    assert without_run(remote.trade_dicts(), remote.run_id) == local.trade_dicts()
    assert remote.final_equity == local.final_equity


class Intra(Strategy):
    """Places and cancels far-away orders and reads its state before and after, in the same handler."""

    symbols = ("AAPL",)
    timeframe = "1d"

    def on_start(self) -> None:
        self.n = 0
        self.seen: list[tuple[int, int, int, Decimal, Decimal]] = []

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        before = len(self.open_orders)
        if self.n in (3, 4):
            self.buy("AAPL", 1, limit=Decimal("1"))
        if self.n == 5:
            self.buy("AAPL", 5)
        if self.n == 6:
            self.cancel_all_orders()
        self.seen.append((self.n, before, len(self.open_orders), self.position("AAPL"), self.cash))


class IntraWithEvents(Intra):
    def on_order(self, event: Any) -> None:
        pass


def test_a_handlers_own_commands_show_in_state_with_their_events(gateway: Any) -> None:
    """Over the wire a command's events are a later delivery: the state a handler reads does not move
    under it. In-process gives the same on both paths (it froze nothing before: the fast path showed
    a just-placed order at once)."""
    fast, general, remote = Intra(), IntraWithEvents(), Intra()
    backtest(fast, sample=True)
    backtest(general, sample=True)
    with gateway("--platform", "backtest") as url:
        run(remote, platform="backtest", gateway=url)
    assert fast.seen[2][:3] == (3, 0, 0)  # the order placed at bar 3 is not seen until bar 4
    assert fast.seen[3][:3] == (4, 1, 1)
    assert fast.seen == general.seen == remote.seen


class IntraMany(Strategy):
    """Several symbols: an order placed in one symbol's handler, read in the next symbol's handler."""

    symbols = ("AAPL", "MSFT")
    timeframe = "1d"

    def on_start(self) -> None:
        self.n = 0
        self.seen: list[tuple[str, int, Decimal, Decimal, str]] = []

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        if bar.symbol == "AAPL" and self.n % 10 == 1:
            self.buy("AAPL", 5, limit=bar.exact.close)
        if bar.symbol == "AAPL" and self.n % 10 == 5 and self.position("AAPL"):
            self.sell("AAPL", self.position("AAPL"))
        if bar.symbol == "MSFT" and self.n % 7 == 0:
            self.buy("MSFT", 3)
        account = self.account
        assert account is not None
        self.seen.append(
            (bar.symbol, len(self.open_orders), self.position("AAPL"), self.equity, account.unrealized_pnl)
        )


class IntraManyWithEvents(IntraMany):
    def on_trade(self, event: Any) -> None:
        pass


def test_many_symbols_share_the_one_symbol_rules(gateway: Any) -> None:
    """Several symbols without event handlers run on the engine-backed state too; it agrees with the
    event-fed state in-process and over the wire at every handler call."""
    fast, general, remote = IntraMany(), IntraManyWithEvents(), IntraMany()
    local = backtest(fast, sample=True)
    backtest(general, sample=True)
    with gateway("--platform", "backtest") as url:
        wire = run(remote, platform="backtest", gateway=url)
    assert len(local.trade_dicts()) > 10
    assert fast.seen == general.seen == remote.seen
    assert local.trade_dicts() == without_run(wire.trade_dicts(), wire.run_id)
