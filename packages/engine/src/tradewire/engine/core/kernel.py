"""The simulation kernel: one account, its orders and positions, advanced by market data the shells feed."""

# No I/O, no clock: `now` is set by the driver from the data. Both the async BacktestVenue and the
# in-process Backtest drive this class, so they produce the same event records.

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tradewire.engine.config import BacktestConfig
from tradewire.engine.core import matching
from tradewire.engine.core.events import (
    ACC_BALANCE,
    ACC_MARGIN_CALL,
    ACC_MARGIN_WARNING,
    K_ACCOUNT,
    K_ERROR,
    K_ORDER,
    K_POSITION,
    K_TRADE,
    Fill,
    FillLog,
)
from tradewire.engine.core.instrument import Instrument
from tradewire.engine.core.ledger import POS_CLOSED, Ledger
from tradewire.engine.core.models import NoCommission
from tradewire.engine.core.numbers import parse_scaled, round_scaled
from tradewire.engine.core.orders import (
    BUY,
    CANCELLED,
    DAY,
    EV_BRACKET_CREATED,
    EV_BRACKET_MODIFIED,
    EV_CANCELLED,
    EV_CREATED,
    EV_EXPIRED,
    EV_FILLED,
    EV_MODIFIED,
    EV_PARTIAL,
    EV_REJECTED,
    EXPIRED,
    FILLED,
    FOK,
    IOC,
    LIMIT,
    MARKET,
    PARTIALLY_FILLED,
    R_INSUFFICIENT_BALANCE,
    R_INSUFFICIENT_MARGIN,
    R_POST_ONLY,
    R_REDUCE_ONLY,
    REJECTED,
    SELL,
    STOP,
    STOP_LIMIT,
    TRAILING_STOP,
    OrderState,
)

__all__ = ["Kernel"]

DAY_NS = 86_400 * 10**9


class Kernel:
    """State and rules of one simulated account. Prices/quantities are scaled ints (see `Ledger`)."""

    def __init__(self, config: BacktestConfig, instruments: list[Instrument], run_id: str = "") -> None:
        self.config = config
        self.instruments = instruments
        self.qs = config.quantity_decimals
        self.ledger = Ledger(instruments, self.qs, 0)
        self.ms = self.ledger.money_scale
        self.ledger.cash = parse_scaled(Decimal(config.cash), self.ms)
        self.cash_account = config.account == "cash"
        self.leverage = Decimal(config.leverage)
        self.lev1 = self.leverage == 1
        self.mm = Decimal(config.maintenance_margin)
        self.warn_ratio = Decimal(config.margin_warning)
        self.allow_short = config.allow_short and not self.cash_account
        self.fill_at_close = config.fill_at == "close"
        self.participation = None if config.participation is None else Decimal(config.participation)
        self.slippage = config.slippage
        self.commission = config.commission
        self.free = type(config.commission) is NoCommission  # skip fee arithmetic entirely
        n = len(instruments)
        self.now = 0  # simulated time (ns since epoch, UTC)
        self.evt = 0  # last event number handed out
        self.rec: list[tuple[int, int, int, object]] | None = None  # event records, when consumed
        # market state: bar columns of each symbol's current chunk and its current row, or a quote
        self.cols: list[Any] = [None] * n  # per symbol: the Chunk holding its current bar
        self.row = [-1] * n
        self.quote: list[tuple[int, int, int, int | None, int | None] | None] = [None] * n
        self.quote_mark = [False] * n
        self.marks = [0] * n
        self.has_price = [False] * n
        # orders
        self.orders: dict[str, OrderState] = {}
        self.by_cid: dict[str, OrderState] = {}
        self.working: list[list[OrderState]] = [[] for _ in range(n)]
        self.n_working = 0
        self.seq = 0
        self.trade_seq = 0
        self.fills = FillLog(run_id)
        self.order_prefix = self.fills.order_prefix
        # finished orders are kept for get_order/history up to this many (memory stays flat on long runs)
        self.retain = config.order_history
        self.finished: deque[OrderState] = deque()
        self.fill_listeners: list[Callable[[Fill], None]] = []
        #: Called with the account snapshot of every account event (each fill, margin warnings and calls).
        self.account_listeners: list[Callable[[tuple[int, int, int, int, int]], None]] = []
        self.warned = False
        self.liquidations = 0
        self.slippage_cost = 0  # money scale: the price moved against the trader times the quantity
        self.watch = False  # margin must be checked every step (leverage or shorts open); set on fills
        # Account totals (market value, gross, unrealized) are cached until a price moves: whatever
        # applies market data bumps `market_version`; a fill adjusts the cache by its one position.
        self.market_version = 0
        self._totals = (0, 0, 0)
        self._totals_version = -1

    # ----------------------------------------------------------------- events
    def _ev(self, kind: int, payload: object) -> None:
        self.evt += 1
        if self.rec is not None:
            self.rec.append((kind, self.evt, self.now, payload))

    def _order_ev(self, event: int, o: OrderState) -> None:
        self.evt += 1
        if self.rec is not None:
            self.rec.append((K_ORDER, self.evt, self.now, (event, o.snapshot())))

    def position_snapshot(self, sym: int) -> tuple[int, ...]:
        p = self.ledger.positions[sym]
        if p.qty == 0:  # closed: keep the last side and entry cost for POSITION_CLOSED
            return (sym, 0, 0, self.mark(sym), p.realized, p.opened, p.updated, p.last_qty, p.last_cost)
        return (sym, p.qty, p.cost, self.mark(sym), p.realized, p.opened, p.updated, p.qty, p.cost)

    def account_snapshot(self) -> tuple[int, int, int, int, int]:
        """(balance, equity, margin_used, margin_available, unrealized) in money scale."""
        led = self.ledger
        mv, gross, unreal = self.totals()
        equity = led.cash + mv
        if self.cash_account:
            return led.cash, equity, 0, led.cash, unreal
        used = gross if self.lev1 else round_scaled(Decimal(gross) / self.leverage, 0)
        return led.cash, equity, used, max(equity - used, 0), unreal

    def _account_ev(self, event: int = ACC_BALANCE) -> None:
        self.evt += 1
        if self.rec is not None or self.account_listeners:
            snap = self.account_snapshot()
            if self.rec is not None:
                self.rec.append((K_ACCOUNT, self.evt, self.now, (event, snap)))
            for cb in self.account_listeners:
                cb(snap)

    def _error(self, code: int, message: str, details: dict[str, object]) -> None:
        if self.rec is not None:
            self.rec.append((K_ERROR, 0, self.now, (code, message, details)))

    # ----------------------------------------------------------------- prices
    def mark(self, sym: int) -> int:
        """Latest price of `sym`: the last bar's close, or the quote mid (rounded down to the tick)."""
        if self.quote_mark[sym]:
            return self.marks[sym]
        c = self.cols[sym]
        if c is None or self.row[sym] < 0:
            return self.marks[sym]
        return c.d[self.row[sym]]  # type: ignore[no-any-return]

    def totals(self) -> tuple[int, int, int]:
        """(market value, gross exposure, unrealized PnL) of the open positions, money scale."""
        if self._totals_version != self.market_version:
            self._totals = self.ledger.totals(self.current_marks())
            self._totals_version = self.market_version
        return self._totals

    def current_marks(self) -> list[int]:
        marks = self.marks
        for s in self.ledger.open:
            marks[s] = self.mark(s)
        return marks

    def equity(self) -> int:
        return self.ledger.cash + self.totals()[0]

    # ----------------------------------------------------------------- market data
    def on_quote(
        self, sym: int, ts: int, bid: int, ask: int, bid_size: int | None, ask_size: int | None
    ) -> None:
        """A new quote for `sym`: working orders trade against it at once."""
        self.market_version += 1
        self.quote[sym] = (ts, bid, ask, bid_size, ask_size)
        self.quote_mark[sym] = True
        self.marks[sym] = (bid + ask) // 2
        self.has_price[sym] = True
        if self.working[sym]:
            self._match_quote(sym)

    # ----------------------------------------------------------------- matching
    def _cap(self, volume: int | None) -> int | None:
        if self.participation is None or volume is None:
            return None
        return int(Decimal(volume) * self.participation)

    def _match_bar(self, sym: int, start: int, o: int, h: int, lo: int, v: int) -> None:
        day = start // DAY_NS
        cap = self._cap(v)
        for order in list(self.working[sym]):
            if not order.working:
                continue
            if order.tif == DAY and order.created // DAY_NS != day:
                # Tradewire's choice: a DAY order expires at the first bar of a later UTC date
                self._finish(order, EXPIRED, EV_EXPIRED)
                continue
            res = matching.bar_price(order, o, h, lo)
            self._execute(order, res, cap, None)

    def _match_quote(self, sym: int, order: OrderState | None = None) -> None:
        q = self.quote[sym]
        assert q is not None
        qts, bid, ask, bsz, asz = q
        day = qts // DAY_NS
        targets = [order] if order is not None else list(self.working[sym])
        for o in targets:
            if not o.working:
                continue
            if o.tif == DAY and o.created // DAY_NS != day:
                self._finish(o, EXPIRED, EV_EXPIRED)
                continue
            res = matching.quote_price(o, bid, ask)
            cap = self._cap(asz if o.side == BUY else bsz)
            self._execute(o, res, cap, ask - bid)

    def _execute(
        self, order: OrderState, res: tuple[int, bool] | None, cap: int | None, spread: int | None
    ) -> None:
        """Fill `order` at `res` (price, maker) within the participation cap, then apply its TIF."""
        if res is not None:
            price, maker = res
            if order.notional is not None and order.qty == 0 and not self._size(order, price, spread):
                return
            qty = order.remaining
            if order.reduce_only:
                pos = self.ledger.positions[order.sym].qty
                room = -pos if order.side == BUY else pos
                if room <= 0:
                    self._finish(order, CANCELLED, EV_CANCELLED)
                    return
                qty = min(qty, room)
            if cap is not None and cap < qty:
                if order.tif == FOK:
                    self._finish(order, EXPIRED, EV_EXPIRED)
                    return
                qty = cap
            if qty > 0:
                if maker:
                    self.fill(order, qty, price, maker)
                else:
                    slipped = self.slippage.slip(price, order.side == BUY, spread)
                    if self.fill(order, qty, slipped, maker) and slipped != price:
                        # what slippage cost, at money scale, for the results' cost line
                        self.slippage_cost += abs(slipped - price) * qty * self.instruments[order.sym].factor
        if order.working and order.tif in (IOC, FOK):
            self._finish(order, EXPIRED, EV_EXPIRED)

    def _size(self, order: OrderState, price: int, spread: int | None) -> bool:
        """Fix the quantity of an order sized by notional at its first execution: the notional over the
        fill price (a market order is a taker, so slipped) floored to the lot step. An order too small for
        one lot ends EXPIRED unfilled; returns whether it may fill."""
        fill_price = self.slippage.slip(price, order.side == BUY, spread)
        unit = fill_price * self.instruments[order.sym].factor  # one lot's cost, money scale
        qty = order.notional // unit if order.notional is not None and unit > 0 else 0
        if qty <= 0:
            self._finish(order, EXPIRED, EV_EXPIRED)
            return False
        order.qty = qty
        return True

    def _fee(self, order: OrderState, qty: int, price: int, maker: bool) -> int:
        """The commission of a fill of `qty` at `price`, money scale."""
        if self.free:
            return 0
        fee_dec = self.commission.fee(
            Decimal(qty).scaleb(-self.qs),
            Decimal(price).scaleb(-self.instruments[order.sym].price_scale),
            maker,
            order.fills == 0,
        )
        return round_scaled(fee_dec, self.ms) if fee_dec else 0

    def fill(self, order: OrderState, qty: int, price: int, maker: bool) -> bool:
        """Book one fill of `order` and emit order, trade, position, account events (in that order)."""
        led = self.ledger
        is_buy = order.side == BUY
        signed = qty if is_buy else -qty
        fee = self._fee(order, qty, price, maker)
        # the account is checked again at the fill: the price may have gapped since submission
        reason = self._afford(order.sym, signed, price, fee)
        if reason is not None:
            order.reject = reason
            self._finish(order, REJECTED, EV_REJECTED)
            return False
        now = self.now
        cached = self._totals_version == self.market_version
        if cached:
            mark = self.mark(order.sym)
            before = led.position_totals(order.sym, mark)
        pev = led.apply_fill(order.sym, signed, price, fee, now)
        if cached:
            after = led.position_totals(order.sym, mark)
            mv, gross, unreal = self._totals
            self._totals = (
                mv + after[0] - before[0],
                gross + after[1] - before[1],
                unreal + after[2] - before[2],
            )
        self.watch = self.needs_margin_watch()
        order.filled += qty
        order.cost += qty * price
        order.fills += 1
        order.updated = now
        done = order.filled >= order.qty
        order.status = FILLED if done else PARTIALLY_FILLED
        self.trade_seq += 1
        fi = self.fills.append(order.seq, order.sym, order.side, qty, price, fee, maker, now)
        if done:
            self._unwork(order)
            self._retire(order)
        self._order_ev(EV_FILLED if done else EV_PARTIAL, order)
        if self.rec is not None or self.fill_listeners or self.account_listeners:
            f = self.fills[fi]
            if self.rec is not None:
                self._ev(K_TRADE, f)
                self._ev(K_POSITION, (pev, self.position_snapshot(order.sym)))
            else:
                self.evt += 2  # the same event numbers as when they are recorded
            self._account_ev()
            for cb in self.fill_listeners:
                cb(f)
        else:
            self.evt += 3
        if order.oco is not None:
            self._cancel_oco(order)
        if done and (order.stop_loss is not None or order.take_profit is not None) and not order.is_leg:
            self._place_legs(order, order.filled)
        if order.is_leg and done and order.parent is not None:
            self._cancel_siblings(order)
        if pev == POS_CLOSED:
            for o in list(self.working[order.sym]):
                if o.is_leg and o.working:
                    self._finish(o, CANCELLED, EV_CANCELLED)
        return True

    def _afford(self, sym: int, signed: int, price: int, fee: int, spend: int | None = None) -> int | None:
        """Reject reason if the account cannot take a fill of `signed` qty at `price`, else None.

        `spend` (money scale) is a buy sized by notional: all of it may be spent, so it stands for the
        cost of the quantity (`signed` being that notional's quantity at `price`) when the buy adds to a
        long or flat position."""
        led = self.ledger
        pos = led.positions[sym].qty
        f = self.instruments[sym].factor
        if self.cash_account:
            if spend is not None:
                return R_INSUFFICIENT_BALANCE if spend + fee > led.cash else None
            if signed > 0:
                return R_INSUFFICIENT_BALANCE if signed * price * f + fee > led.cash else None
            return R_INSUFFICIENT_BALANCE if -signed > pos else None
        if spend is not None and pos >= 0:
            added = spend
        else:
            new = pos + signed
            if new < 0 and not self.allow_short and new < min(pos, 0):
                return R_INSUFFICIENT_BALANCE
            if abs(new) <= abs(pos) and (new == 0 or (new > 0) == (pos > 0)):
                return None  # reducing exposure is always allowed
            added = (abs(new) - (abs(pos) if (new > 0) == (pos > 0) else 0)) * price * f
        if self.lev1 and not self.watch:
            # unlevered and long or flat everywhere: prices are > 0, so gross exposure equals market
            # value and equity - margin used is the cash; no pass over the positions is needed
            return R_INSUFFICIENT_MARGIN if added + fee > led.cash else None
        _, equity, used, _, _ = self.account_snapshot()
        need = Decimal(added) / self.leverage + fee
        return R_INSUFFICIENT_MARGIN if used + need > equity else None

    # ----------------------------------------------------------------- order lifecycle
    def _unwork(self, order: OrderState) -> None:
        lst = self.working[order.sym]
        if order in lst:
            lst.remove(order)
            self.n_working -= 1

    def _retire(self, order: OrderState) -> None:
        """Remember a finished order; forget the oldest finished ones beyond `retain`."""
        fin = self.finished
        fin.append(order)
        while len(fin) > self.retain:
            old = fin.popleft()
            self.orders.pop(old.id, None)
            if old.client_order_id is not None and self.by_cid.get(old.client_order_id) is old:
                del self.by_cid[old.client_order_id]

    def _finish(self, order: OrderState, status: int, event: int) -> None:
        order.status = status
        order.updated = self.now
        self._unwork(order)
        self._retire(order)
        self._order_ev(event, order)
        if (
            order.filled
            and not order.is_leg
            and (order.stop_loss is not None or order.take_profit is not None)
        ):
            if order.legs is None:
                self._place_legs(order, order.filled)  # a partly filled entry still gets protected

    def _cancel_oco(self, order: OrderState) -> None:
        for o in list(self.working[order.sym]):
            if o is not order and o.oco == order.oco and o.working:
                self._finish(o, CANCELLED, EV_CANCELLED)

    def _cancel_siblings(self, leg: OrderState) -> None:
        for o in list(self.working[leg.sym]):
            if o is not leg and o.is_leg and o.parent == leg.parent and o.working:
                self._finish(o, CANCELLED, EV_CANCELLED)

    def _place_legs(self, entry: OrderState, qty: int) -> None:
        exit_side = SELL if entry.side == BUY else BUY
        for kind, price in ((STOP, entry.stop_loss), (LIMIT, entry.take_profit)):
            if price is None:
                continue
            leg = self.new_order(entry.sym, exit_side, kind, qty, entry.tif if entry.tif in (1, 2) else 1)
            if kind == STOP:
                leg.stop = price
            else:
                leg.limit = price
            leg.parent = entry.id
            leg.is_leg = True
            leg.reduce_only = True
            if entry.legs is None:
                entry.legs = []
            entry.legs.append(leg.id)
            self.accept(leg)

    def new_order(self, sym: int, side: int, otype: int, qty: int, tif: int) -> OrderState:
        """A fresh order with the next id; not yet accepted (call `accept`)."""
        self.seq += 1
        oid = f"{self.order_prefix}{self.seq:06d}"
        o = OrderState(oid, self.seq, sym, side, otype, qty, tif, self.now)
        self.orders[oid] = o
        return o

    def _reference(self, o: OrderState) -> int:
        """The price a market order would trade at now: the quote's ask/bid when quoting, else the mark."""
        q = self.quote[o.sym]
        if q is not None and self.quote_mark[o.sym]:
            return q[2] if o.side == BUY else q[1]
        return self.mark(o.sym)

    def _precheck_notional(self, o: OrderState) -> int | None:
        """Reject reason for a new order sized by notional. Its quantity is worked out at the fill, which
        checks it as any fill is checked; here the least it can trade (one lot) must pass the reduce-only,
        holdings and short rules, and a buy's notional plus the commission at the current price must be
        affordable as a quantity order's cost would be (unchecked before the first price, as for one)."""
        pos = self.ledger.positions[o.sym].qty
        lot = 1 if o.side == BUY else -1
        if o.reduce_only and (pos == 0 or (pos > 0) == (lot > 0)):
            return R_REDUCE_ONLY
        if o.side == SELL:
            if self.cash_account:
                held = pos - sum(x.remaining for x in self.working[o.sym] if x.side == SELL)
                return R_INSUFFICIENT_BALANCE if held < 1 else None
            if not self.allow_short and pos < 1:
                return R_INSUFFICIENT_BALANCE
            return None
        if not self.has_price[o.sym] or o.notional is None:
            return None
        ref = self._reference(o)
        unit = ref * self.instruments[o.sym].factor
        qty = o.notional // unit if unit > 0 else 0
        fee = self._fee(o, qty, ref, False) if qty else 0
        return self._afford(o.sym, qty, ref, fee, spend=o.notional)

    def precheck(self, o: OrderState) -> int | None:
        """Reject reason for a new order at submission, from the current account and price."""
        if o.notional is not None:
            return self._precheck_notional(o)
        pos = self.ledger.positions[o.sym].qty
        signed = o.qty if o.side == BUY else -o.qty
        if o.reduce_only and (pos == 0 or (pos > 0) == (signed > 0) or abs(signed) > abs(pos)):
            return R_REDUCE_ONLY
        ref = o.limit if o.otype in (LIMIT, STOP_LIMIT) else o.stop if o.otype == STOP else None
        if ref is None:
            if not self.has_price[o.sym]:
                return None  # no price yet: checked again when it fills
            ref = self.mark(o.sym)
            q = self.quote[o.sym]
            if q is not None and self.quote_mark[o.sym]:
                ref = q[2] if o.side == BUY else q[1]
        if o.post_only and o.otype == LIMIT and self.has_price[o.sym]:
            last = self.mark(o.sym)
            if (o.side == BUY and o.limit >= last) or (o.side == SELL and o.limit <= last):  # type: ignore[operator]
                return R_POST_ONLY
        if self.cash_account and signed < 0:
            held = pos - sum(x.remaining for x in self.working[o.sym] if x.side == SELL)
            return R_INSUFFICIENT_BALANCE if -signed > held else None
        if not self.allow_short and signed < 0 and pos + signed < 0:
            return R_INSUFFICIENT_BALANCE
        return self._afford(o.sym, signed, ref, 0)

    def accept(self, o: OrderState) -> None:
        """Make `o` working: emit its creation event and let it act now if the fill model says so."""
        bracket = not o.is_leg and (o.stop_loss is not None or o.take_profit is not None)
        self._order_ev(EV_BRACKET_CREATED if bracket else EV_CREATED, o)
        if o.otype == TRAILING_STOP and self.has_price[o.sym]:
            o.trail_anchor = self.mark(o.sym)
        self.working[o.sym].append(o)
        self.n_working += 1
        self.act_now(o)

    def act_now(self, o: OrderState) -> None:
        """Orders placed while a step is held act at this instant: against the live quote, or at the
        bar's close when fill_at="close"; otherwise they wait for the next bar."""
        if not o.working:
            return
        sym = o.sym
        if self.quote_mark[sym] and self.quote[sym] is not None:
            self._match_quote(sym, o)
        elif self.fill_at_close and self.has_price[sym] and self.cols[sym] is not None:
            c = self.mark(sym)
            res = matching.bar_price(o, c, c, c) if o.otype != TRAILING_STOP else None
            self._execute(o, res, None, None)

    def reject(self, o: OrderState, reason: int) -> None:
        o.status = REJECTED
        o.reject = reason
        self._retire(o)
        self._order_ev(EV_REJECTED, o)

    def cancel(self, o: OrderState) -> None:
        self._finish(o, CANCELLED, EV_CANCELLED)

    def modified(self, o: OrderState, exits_changed: bool) -> None:
        o.updated = self.now
        bracket = exits_changed and not o.is_leg
        self._order_ev(EV_BRACKET_MODIFIED if bracket else EV_MODIFIED, o)
        self.act_now(o)

    # ----------------------------------------------------------------- risk
    def check_margin(self) -> None:
        """Margin account: warn, then liquidate every position when equity < maintenance requirement."""
        led = self.ledger
        if self.cash_account or not led.open:
            return
        mv, gross, _ = self.totals()
        equity = led.cash + mv
        maint = Decimal(gross) * self.mm
        if equity < maint:
            self._account_ev(ACC_MARGIN_CALL)
            self.liquidations += 1
            self._error(
                4,
                "equity fell below the maintenance margin; all positions were liquidated",
                {
                    "equity": str(Decimal(equity).scaleb(-self.ms)),
                    "maintenance_margin": str((maint.scaleb(-self.ms)).normalize()),
                },
            )
            for s in list(led.open):
                self.liquidate(s, self.mark(s))
            self.warned = False
        elif equity < maint * self.warn_ratio:
            if not self.warned:
                self.warned = True
                self._account_ev(ACC_MARGIN_WARNING)
        else:
            self.warned = False

    def liquidate(self, sym: int, price: int) -> None:
        for o in list(self.working[sym]):
            if o.working:
                self._finish(o, CANCELLED, EV_CANCELLED)
        pos = self.ledger.positions[sym].qty
        o = self.new_order(sym, SELL if pos > 0 else BUY, MARKET, abs(pos), IOC)
        self._order_ev(EV_CREATED, o)
        self.working[sym].append(o)
        self.n_working += 1
        # forced close at the mark, bypassing buying-power checks (it only reduces exposure)
        self.fill(o, abs(pos), price, False)

    def needs_margin_watch(self) -> bool:
        """Whether equity can breach maintenance: only with leverage or short positions."""
        if self.cash_account or not self.ledger.open:
            return False
        return not self.lev1 or self.ledger.shorts > 0
