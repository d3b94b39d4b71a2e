"""Client order ids as the client gave them (rest.md: "echo when given"), never the ones the adapter made.

Alpaca needs a client order id on every order, so the adapter sends `tw-<session>-<n>` when the client
gave none, and a fresh one for each replacement a modify makes (Alpaca's ids are unique per account).
The store knows which id the client gave for each of them; orders it does not know (placed
elsewhere, position closes, bracket legs Alpaca made) had none given through this gateway.
"""

from __future__ import annotations

from tradewire.brokers._live.store import Store
from tradewire.protocol.messages import Order

__all__ = ["as_given", "given_for"]


def given_for(store: Store, broker_client_id: str | None) -> str | None:
    """The id the client gave for the order Alpaca knows by `broker_client_id`, or None."""
    if broker_client_id is None:
        return None
    known = store.order_by_client_id(broker_client_id)
    return None if known is None else known.given_client_id


def as_given(store: Store, order: Order) -> Order:
    """`order` (read from Alpaca) with the client order id the client gave, or none."""
    order.client_order_id = given_for(store, order.client_order_id)
    return order
