"""Each bracket leg's parent order, kept in the store: a leg's own Alpaca body names no parent.

Alpaca shows the link only by nesting the legs under their parent (`nested=true`, while the parent is
listed); once the entry has filled, the legs are listed, read and streamed on their own. The adapter
remembers each leg's parent from the first body that nests it (the submit's answer, a read, a list),
so REST and events carry `parent_order_id` while the leg works, across restarts too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tradewire.brokers._live.store import Store

__all__ = ["carry", "parent_of", "remember"]

_KEY: Final = "parent:"


def remember(store: Store, body: Mapping[str, Any]) -> None:
    """Keep the parent of each leg nested in `body`."""
    for leg in body.get("legs") or ():
        if store.value(_KEY + str(leg["id"])) is None:
            store.set_value(_KEY + str(leg["id"]), str(body["id"]))


def parent_of(store: Store, order_id: str) -> str | None:
    """The parent of the leg `order_id`; None when it is no leg this store has seen."""
    return store.value(_KEY + order_id)


def carry(store: Store, old_id: str, new_id: str) -> str | None:
    """A replaced leg's parent, now the parent of its replacement too (alpaca.md §6); None if no leg."""
    parent = parent_of(store, old_id)
    if parent is not None:
        store.set_value(_KEY + new_id, parent)
    return parent
