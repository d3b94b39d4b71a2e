"""The state of an in-process run without event handlers, read from the engine when asked."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from tradewire.protocol import messages as m
from tradewire.sdk.marks import mark_account, signed_quantity
from tradewire.sdk.state import TradingState

if TYPE_CHECKING:
    from tradewire.engine import Embedding

__all__ = ["EngineState", "StateView"]

_ZERO = Decimal(0)


class EngineState(TradingState):
    """The state of a run without event handlers, read from the engine when asked.

    No event messages exist on this path, so the view is built from what the wire's events would
    have carried: positions from the engine's live ones (at its current prices, exactly what a
    position event marked at this instant says), the account from its report at the last account
    event (every fill, margin warnings and calls). Both are marked by `tradewire.sdk.marks`, the
    code that marks the wire's state, so the two transports agree digit for digit.
    """

    __slots__ = ("_acct", "_at", "_bt", "_frozen", "_frozen_marked", "_open")

    def __init__(self, bt: Embedding) -> None:
        # not TradingState.__init__: orders and fills are read from the engine, not kept
        self._version = 0
        self._marked = (-1, None, {})
        self._bt = bt
        self._acct: Any = bt.account_snapshot()
        self._open: dict[int, None] = {}  # instruments with an open position, in opening order
        self._at = bt.now_ns
        self._frozen: StateView | None = None
        # the frozen view's messages, built on its first read (the view does not change while kept)
        self._frozen_marked: tuple[int, m.Account | None, dict[str, m.Position]] | None = None
        has_position = bt.has_position

        def on_account(snapshot: Any) -> None:
            self._acct = snapshot
            self._version += 1

        def on_fill(f: Any) -> None:
            if has_position(f.sym):
                self._open[f.sym] = None
            else:
                self._open.pop(f.sym, None)
            self._version += 1

        bt.account_listeners.append(on_account)
        bt.fill_listeners.append(on_fill)

    @property
    def placing(self) -> bool:
        """Never: the engine knows every order from the moment it is placed."""
        return False

    def settle(self) -> None:
        """Nothing to settle (see `placing`)."""

    def observe(self, market: Any) -> None:
        """Nothing to keep: the engine's marks are the prices."""

    def apply(self, event: Any) -> None:
        """Nothing to keep: the engine is the source of this state (events are not built for it)."""

    def freeze(self, symbols: Sequence[str] | None = None) -> None:
        """Keep this delivery's view while the handler's own command on `symbols` changes the engine.

        Over the wire a command's events arrive as a later delivery, so what a handler reads does not
        move under it when it places, cancels or modifies an order; the view follows the engine again
        at the next instant (or `thaw`). Only a command's own symbol can fill at once, so its position
        is the one kept (every open one when `symbols` is None); the rest stays the engine's.
        """
        bt = self._bt
        frozen = self._view()
        if frozen is None:
            frozen = self._frozen = StateView(
                bt.now_ns, self._acct, dict(self._open), {}, bt.open_order_snapshots(), len(bt.fill_log)
            )
            self._frozen_marked = None
        kept, position_snapshot = frozen.positions, bt.position_snapshot
        index = bt.instrument_index
        for sym in list(self._open) if symbols is None else [index(s) for s in symbols]:
            if sym is not None and sym not in kept:
                kept[sym] = position_snapshot(sym)

    def thaw(self) -> None:
        """Follow the engine again (every event has been delivered)."""
        self._frozen = None

    def _view(self) -> StateView | None:
        frozen = self._frozen
        if frozen is not None and frozen.at == self._bt.now_ns:
            return frozen
        return None

    def quantity(self, symbol: str) -> Decimal:
        frozen = self._view()
        bt = self._bt
        if frozen is not None:
            sym = bt.instrument_index(symbol)
            snap = None if sym is None else frozen.positions.get(sym)
            if snap is not None:
                return signed_quantity(bt.messages.position(snap)) if snap[1] else _ZERO
        return bt.position(symbol)

    def _mark(self) -> tuple[int, m.Account | None, dict[str, m.Position]]:
        bt = self._bt
        frozen = self._view()
        if frozen is not None:
            marked = self._frozen_marked
            if marked is None:
                kept, position_snapshot = frozen.positions, bt.position_snapshot
                snapshots = [kept.get(s) or position_snapshot(s) for s in frozen.open]
                marked = self._frozen_marked = (-1, *self._messages(frozen.account, snapshots))
            return marked
        if bt.now_ns != self._at:
            self._at = bt.now_ns  # prices move with every instant
            self._version += 1
        marked = self._marked
        if marked[0] == self._version:
            return marked
        position_snapshot = bt.position_snapshot
        self._marked = marked = (
            self._version,
            *self._messages(self._acct, [position_snapshot(s) for s in self._open]),
        )
        return marked

    def _messages(self, account: Any, positions: list[Any]) -> tuple[m.Account, dict[str, m.Position]]:
        messages = self._bt.messages
        marked = {p.symbol: p for p in (messages.position(s) for s in positions)}
        return mark_account(messages.account(account), marked), marked

    @property
    def orders(self) -> dict[str, m.Order]:  # type: ignore[override]
        frozen = self._view()
        bt = self._bt
        snapshots = frozen.orders if frozen is not None else bt.open_order_snapshots()
        order = bt.messages.order
        return {o.id: o for o in (order(s) for s in snapshots)}

    @property
    def fills(self) -> int:  # type: ignore[override]
        frozen = self._view()
        return frozen.fills if frozen is not None else len(self._bt.fill_log)


class StateView(NamedTuple):
    """An EngineState's view kept at one instant (see `EngineState.freeze`)."""

    at: int
    account: Any  # the engine's account snapshot at the last account event before it
    open: dict[int, None]  # instruments with an open position
    positions: dict[int, Any]  # position snapshots of the instruments commands touched
    orders: list[Any]  # the engine's order snapshots, oldest first
    fills: int
