"""Which client order id an answer shows: the one the client gave (rest.md), never one the adapter made up.

Every order leaves with a `newClientOrderId`: the client's, or `tw-<session>-<n>` when it gave none
(binance.md §12: a fresh id per logical order, for idempotent submit). rest.md echoes only what the
client gave: an `Order` shows the id "as given at submission", a handle echoes it "when given". The
store keeps, per sent id, what the client gave (empty: nothing), so a restart shows the same; a
modify's replacement shows the original order's given id. Ids of orders placed elsewhere are shown
as they are.
"""

from __future__ import annotations

import re
from typing import Final

from tradewire.brokers._live.store import Store
from tradewire.protocol.messages import Order

__all__ = ["GivenIds", "with_list_exits"]

#: What `_live.submit.ClientIdFactory` makes: `tw-<8 hex>-<n>`.
_MADE_UP: Final = re.compile(r"tw-[0-9a-f]{8}-\d+")


class GivenIds:
    """The client's own ids per sent client order id, kept in the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, sent: str, given: str | None) -> None:
        """`sent` went to Binance for an order the client gave `given` for (None: it gave none)."""
        self.store.set_value(f"given:{sent}", given or "")

    def shown(self, sent: str | None) -> str | None:
        """The client order id an answer shows for the id Binance holds."""
        if not sent:
            return None
        known = self.store.value(f"given:{sent}")
        if known is not None:
            return known or None
        return None if _MADE_UP.fullmatch(sent) else sent


def with_list_exits(store: Store, order: Order, sent_as: str | None) -> Order:
    """The entry of a native OTO / OTOCO list shows the exits it was sent with (rest.md), as a managed
    entry does: Binance's order has no field for them. Kept in the store under the id the entry was
    sent with (known before Binance answers, so the stream's first report of it finds them) and under
    our order id."""
    if order.stop_loss is not None or order.take_profit is not None:
        return order
    exits = store.value(f"exits:{order.id}")
    if exits is None and sent_as:
        exits = store.value(f"exits:{sent_as}")
    if exits:
        stop, take = exits.split("|")
        order.stop_loss, order.take_profit = stop or None, take or None
    return order
