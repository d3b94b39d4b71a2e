"""Internal event records: tuples the kernel appends only when someone consumes events."""

# A record is (kind, n, now_ns, payload): `n` is the event number (evt-<n>), 0 for the id-less error
# notice; payloads hold scaled ints and frozen snapshots, turned into protocol messages by
# `tradewire.engine.messages` only on demand.

from __future__ import annotations

__all__ = ["K_ACCOUNT", "K_CANDLE", "K_COMPLETE", "K_ERROR", "K_ORDER", "K_POSITION", "K_QUOTE", "K_TRADE"]

K_CANDLE, K_QUOTE, K_ORDER, K_TRADE, K_POSITION, K_ACCOUNT, K_ERROR, K_COMPLETE = range(1, 9)

#: Account event types (equal to the protocol's AccountEventType values).
ACC_BALANCE, ACC_MARGIN_WARNING, ACC_MARGIN_CALL = 1, 2, 3


def id_prefixes(run_id: str) -> tuple[str, str]:
    """The trade and order id prefixes of a run: `trd-` and `ord-`, with `<run_id>-` after each when set.

    In-process backtests have no run id, so their ids (`ord-000001`) are the same on every run; a
    gateway's venue has one per start, so an id of an earlier start never names a later order.
    """
    tail = f"{run_id}-" if run_id else ""
    return f"trd-{tail}", f"ord-{tail}"


class Fill:
    """One execution, as the in-process API and the results see it (scaled ints; see `Backtest` for views)."""

    __slots__ = ("commission", "id", "is_maker", "order_id", "price", "qty", "side", "sym", "ts")

    def __init__(
        self,
        fid: str,
        order_id: str,
        sym: int,
        side: int,
        qty: int,
        price: int,
        commission: int,
        is_maker: bool,
        ts: int,
    ) -> None:
        self.id = fid
        self.order_id = order_id
        self.sym = sym
        self.side = side
        self.qty = qty
        self.price = price
        self.commission = commission
        self.is_maker = is_maker
        self.ts = ts


class FillLog:
    """Every fill of the run in compact columns (about 50 bytes a fill instead of ~200 for objects),
    so long runs keep their full trade history without per-fill Python objects. Indexing and
    iteration build `Fill` objects on demand. `run_id` (empty: none) goes into every trade and order id."""

    def __init__(self, run_id: str = "") -> None:
        from array import array

        self.trade_prefix, self.order_prefix = id_prefixes(run_id)

        self.order_seq = array("q")
        self.sym = array("i")
        self.side = array("b")
        self.qty = array("q")
        self.price = array("q")
        self.ts = array("q")
        self.maker = array("b")
        self.fees: dict[int, int] = {}  # index -> commission; most fills are free in research runs

    def append(
        self, order_seq: int, sym: int, side: int, qty: int, price: int, fee: int, maker: bool, ts: int
    ) -> int:
        i = len(self.ts)
        self.order_seq.append(order_seq)
        self.sym.append(sym)
        self.side.append(side)
        self.qty.append(qty)
        self.price.append(price)
        self.ts.append(ts)
        self.maker.append(maker)
        if fee:
            self.fees[i] = fee
        return i

    def __len__(self) -> int:
        return len(self.ts)

    def __getitem__(self, i: int) -> Fill:
        if i < 0:
            i += len(self.ts)
        if not 0 <= i < len(self.ts):
            raise IndexError(i)
        return Fill(
            f"{self.trade_prefix}{i + 1:06d}",
            f"{self.order_prefix}{self.order_seq[i]:06d}",
            self.sym[i],
            self.side[i],
            self.qty[i],
            self.price[i],
            self.fees.get(i, 0),
            bool(self.maker[i]),
            self.ts[i],
        )

    def __iter__(self):  # type: ignore[no-untyped-def]
        for i in range(len(self.ts)):
            yield self[i]

    def __reversed__(self):  # type: ignore[no-untyped-def]
        for i in range(len(self.ts) - 1, -1, -1):
            yield self[i]

    def count_side(self, side: int) -> int:
        return self.side.tolist().count(side)
