"""Netting positions and account money in scaled integers: cash, equity, margin, realized PnL."""

from __future__ import annotations

from tradewire.engine.core.instrument import Instrument

__all__ = ["Ledger", "PositionState"]

POS_OPENED, POS_MODIFIED, POS_CLOSED = 1, 2, 3


class PositionState:
    """One symbol's netting position: signed quantity, cost basis (qty*price scale), realized PnL (money)."""

    __slots__ = ("cost", "last_cost", "last_qty", "opened", "qty", "realized", "sym", "updated")

    def __init__(self, sym: int) -> None:
        self.sym = sym
        self.last_qty = 0  # the position just before it closed: POSITION_CLOSED reports its side and price
        self.last_cost = 0
        self.qty = 0
        self.cost = 0
        self.realized = 0
        self.opened = 0
        self.updated = 0


class Ledger:
    """Cash and positions of the one account. Money is an int scaled by 10**money_scale."""

    def __init__(self, instruments: list[Instrument], qty_scale: int, cash: int) -> None:
        self.instruments = instruments
        self.qty_scale = qty_scale
        self.price_scale = max((i.price_scale for i in instruments), default=0)
        for inst in instruments:
            inst.factor = 10 ** (self.price_scale - inst.price_scale)
        self.money_scale = qty_scale + self.price_scale
        self.cash = cash
        self.positions = [PositionState(i.index) for i in instruments]
        self.open: dict[int, PositionState] = {}  # symbols with a non-zero position, insertion-ordered
        self.shorts = 0  # how many open positions are short
        self.fees = 0

    def apply_fill(self, sym: int, signed_qty: int, price: int, fee: int, now: int) -> int:
        """Book one fill; returns the position event (POS_OPENED / POS_MODIFIED / POS_CLOSED)."""
        p = self.positions[sym]
        was_short = p.qty < 0
        event = self._book(p, signed_qty, price, fee, now)
        self.shorts += (p.qty < 0) - was_short
        return event

    def _book(self, p: PositionState, signed_qty: int, price: int, fee: int, now: int) -> int:
        sym = p.sym
        inst = self.instruments[sym]
        f = inst.factor
        self.cash -= signed_qty * price * f + fee
        self.fees += fee
        q0 = p.qty
        if q0 == 0:
            p.qty, p.cost, p.realized, p.opened, p.updated = signed_qty, signed_qty * price, 0, now, now
            self.open[sym] = p
            return POS_OPENED
        p.updated = now
        if (q0 > 0) == (signed_qty > 0):
            p.qty += signed_qty
            p.cost += signed_qty * price
            return POS_MODIFIED
        closing = -signed_qty if abs(signed_qty) <= abs(q0) else q0  # signed like q0
        if closing == q0:
            removed = p.cost
        else:
            # average cost leaves with the closed part; half-even at the finest scale keeps it deterministic
            num, den = p.cost * closing, q0
            removed, rem = divmod(num, den)
            if 2 * rem > den or (2 * rem == den and removed % 2):
                removed += 1
        p.realized += (closing * price - removed) * f
        p.qty -= closing
        p.cost -= removed
        rest = signed_qty + closing  # what remains after flattening (non-zero only on a flip)
        if p.qty == 0 and rest == 0:
            p.last_qty, p.last_cost = q0, removed
            del self.open[sym]
            return POS_CLOSED
        if p.qty == 0:
            p.qty, p.cost, p.opened = rest, rest * price, now
        return POS_MODIFIED

    def position_totals(self, sym: int, mark: int) -> tuple[int, int, int]:
        """`sym`'s share of `totals` at `mark` (zero when flat); the same terms as its loop."""
        p = self.positions[sym]
        if p.qty == 0:
            return 0, 0, 0
        f = self.instruments[sym].factor
        v = p.qty * mark * f
        return v, v if v >= 0 else -v, v - p.cost * f

    def totals(self, marks: list[int]) -> tuple[int, int, int]:
        """(market value, gross exposure, unrealized PnL) at `marks`, money scale, in one pass."""
        mv = gross = unreal = 0
        ins = self.instruments
        for s, p in self.open.items():
            f = ins[s].factor
            v = p.qty * marks[s] * f
            mv += v
            gross += v if v >= 0 else -v
            unreal += v - p.cost * f
        return mv, gross, unreal
