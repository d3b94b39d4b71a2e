"""Order events and fills exactly once and in broker order, across stream gaps, from snapshot + stream.

Neither broker replays a stream after a disconnect (alpaca.md §10, binance.md §12). After a gap the
adapter reads the missed state over REST (a snapshot: order states and fills) while the new stream is
already delivering; the two overlap with each other and with what was emitted before the gap. The
`Sequencer` keeps what was emitted (fill ids, and each order's last state version), holds stream
updates back while a resync runs, and then releases the union once, deduplicated, in broker order.

    seq = Sequencer(seen_fills=SeenIds(store.seen_fills()))
    emit(seq.feed(update))              # live: passes each new update, drops repeats
    seq.begin_gap()                     # stream lost: later stream updates are held back
    emit(seq.feed(update))              # -> [] while the gap is open
    emit(seq.finish(snapshot_updates))  # -> missed + held, each once, in broker order

What an update means on the wire (ORDER_FILLED + TRADE_FILLED, ...) is the adapter's mapping; this
module only decides which updates go out, and in which order.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Generic, TypeVar

__all__ = ["FillUpdate", "OrderUpdate", "SeenIds", "Sequencer", "Update", "Version"]

PayloadT = TypeVar("PayloadT")

#: An order's state version, totally ordered per order and growing as the order changes: e.g.
#: Alpaca (updated_at in ns, filled_qty, status rank), Binance (event time E, cumulative qty z, ...).
Version = tuple[int | Decimal, ...]


@dataclass(frozen=True, slots=True)
class FillUpdate(Generic[PayloadT]):
    """One execution, deduplicated by `execution_id` (Alpaca `execution_id` / activity id, Binance `I`)."""

    execution_id: str
    order_id: str
    #: Broker time of the execution, ns since the epoch: the emission order.
    at_ns: int
    payload: PayloadT = field(compare=False)


@dataclass(frozen=True, slots=True)
class OrderUpdate(Generic[PayloadT]):
    """One order state, emitted only when its `version` is newer than the last one emitted."""

    order_id: str
    version: Version
    #: Broker time of this state, ns since the epoch: the emission order.
    at_ns: int
    payload: PayloadT = field(compare=False)


Update = FillUpdate[PayloadT] | OrderUpdate[PayloadT]


class SeenIds:
    """The most recent `capacity` execution ids, oldest dropped first (persisted by the store).

    Bounded because a run may last months; a resync only ever looks back over one gap, far fewer
    fills than the capacity.
    """

    def __init__(self, ids: Iterable[str] = (), capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        for execution_id in ids:
            self.add(execution_id)

    def __contains__(self, execution_id: object) -> bool:
        return execution_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, execution_id: str) -> bool:
        """Remember an id; False when it was already known."""
        if execution_id in self._ids:
            return False
        self._ids[execution_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def recent(self) -> list[str]:
        """The ids, oldest first (what the store saves)."""
        return list(self._ids)


def _order_key(indexed: tuple[int, Update[PayloadT]]) -> tuple[int, int, int]:
    arrival, update = indexed
    # At one broker instant a fill goes before the order state it produced (ORDER_FILLED after
    # TRADE_FILLED's execution); otherwise arrival order breaks ties (snapshot lists are in broker
    # order already).
    return update.at_ns, 0 if isinstance(update, FillUpdate) else 1, arrival


class Sequencer(Generic[PayloadT]):
    """Decides which updates are emitted: each fill once, each order state only when newer.

    Args:
        seen_fills: Execution ids already emitted (from the store after a restart).
        versions: Last emitted version per order id (from the store, or empty).
    """

    def __init__(self, seen_fills: SeenIds | None = None, versions: dict[str, Version] | None = None) -> None:
        self.seen_fills = SeenIds() if seen_fills is None else seen_fills
        self.versions: dict[str, Version] = {} if versions is None else dict(versions)
        self._held: list[Update[PayloadT]] | None = None

    @property
    def in_gap(self) -> bool:
        """True between `begin_gap` and `finish`: stream updates are held back."""
        return self._held is not None

    def _accept(self, update: Update[PayloadT]) -> bool:
        if isinstance(update, FillUpdate):
            return self.seen_fills.add(update.execution_id)
        last = self.versions.get(update.order_id)
        if last is not None and update.version <= last:
            return False
        self.versions[update.order_id] = update.version
        return True

    def feed(self, update: Update[PayloadT]) -> list[Update[PayloadT]]:
        """A stream update: `[update]` if it is new, `[]` if seen (or held while a gap is open)."""
        if self._held is not None:
            self._held.append(update)
            return []
        return [update] if self._accept(update) else []

    def begin_gap(self) -> None:
        """The stream dropped: hold stream updates until `finish`. A second call keeps what is held."""
        if self._held is None:
            self._held = []

    def finish(self, snapshot: Iterable[Update[PayloadT]]) -> list[Update[PayloadT]]:
        """The resync's REST snapshot is in: every missed and held update, once each, in broker order.

        Emit the result before reporting BROKER_RECONNECTED; afterwards `feed` passes updates through
        again. Calling it without `begin_gap` merges a snapshot the same way (e.g. at start-up).
        """
        held, self._held = self._held or [], None
        merged = sorted(enumerate([*snapshot, *held]), key=_order_key)
        return [update for _, update in merged if self._accept(update)]

    def forget_order(self, order_id: str) -> None:
        """Drop a finished order's version once nothing more can arrive for it (bounds memory)."""
        self.versions.pop(order_id, None)
