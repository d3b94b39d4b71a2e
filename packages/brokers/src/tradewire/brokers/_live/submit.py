"""Idempotent submit: a client order id on every order before it leaves; an unknown outcome is looked up.

mapping.md §7 and the brokers' §12: on a timeout, a connection reset or a 5xx (Binance also -1007) the
order may or may not exist. Look it up by its client order id: found, adopt it; not found, resend with
the same id, so the broker's own uniqueness check stops a second order if the first one surfaces
late. A "duplicate client order id" answer means the first attempt got through: adopt it. No path
sends an order under a new id, so no path can create a second order for one request.

The adapter implements `BrokerOrders` over its HTTP client and raises `OutcomeUnknown` /
`DuplicateClientId` from its error mapping; every other error passes through unchanged.

Binance keeps a client order id unique only among open orders: a first send that surfaces late,
already filled, would not stop the resend. Its lookup (`GET /api/v3/order?origClientOrderId=`) finds
finished orders too, so a resend follows only a lookup that found nothing; raise `lookups` / `pause`
where the broker is slow to show a new order.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from tradewire.protocol.errors import ProviderError, ValidationError

__all__ = [
    "ALPACA_CLIENT_ID",
    "BINANCE_CLIENT_ID",
    "BrokerOrders",
    "ClientIdFactory",
    "ClientIdRule",
    "DuplicateClientId",
    "OutcomeUnknown",
    "Submitted",
    "submit_idempotent",
]

OrderT = TypeVar("OrderT")
OrderT_co = TypeVar("OrderT_co", covariant=True)


class OutcomeUnknown(Exception):
    """The request may or may not have reached the broker: timeout, reset, 5xx, Binance -1007."""


class DuplicateClientId(Exception):
    """The broker already holds an order with this client order id (Alpaca 422, Binance -2010)."""


class BrokerOrders(Protocol[OrderT_co]):
    """The two broker calls idempotent submit needs; an adapter's HTTP client implements them."""

    async def submit(self, payload: Mapping[str, object]) -> OrderT_co:
        """Send one new order (its client order id is in `payload`); the broker's order.

        Raises:
            OutcomeUnknown: no answer, or one that does not say whether the order exists.
            DuplicateClientId: the broker has an order with this client order id already.
        """
        ...

    async def find_by_client_id(self, client_order_id: str) -> OrderT_co | None:
        """The broker's order with this client order id, or None when the broker has none.

        Raises:
            OutcomeUnknown: the lookup itself failed.
        """
        ...


@dataclass(frozen=True, slots=True)
class Submitted(Generic[OrderT]):
    """The order a submit ended with."""

    order: OrderT
    #: True when it was found by its client order id rather than returned by the submit.
    adopted: bool
    #: How many times the order was sent (1 unless an unknown outcome forced a resend).
    sends: int


@dataclass(frozen=True, slots=True)
class ClientIdRule:
    """What client order ids a broker accepts."""

    broker: str
    max_length: int
    pattern: re.Pattern[str]

    def check(self, value: str) -> str:
        """`value` if the broker takes it as a client order id.

        Raises:
            ValidationError: too long or a character the broker refuses (mapping.md §2: a client-supplied
                id the platform cannot take is a VALIDATION_ERROR, never silently replaced).
        """
        if len(value) > self.max_length or self.pattern.fullmatch(value) is None:
            raise ValidationError(
                f"client_order_id is not valid on {self.broker}: at most {self.max_length} characters "
                f"matching {self.pattern.pattern}",
                details={"field": "client_order_id", "max_length": self.max_length},
            )
        return value


#: Alpaca: at most 48 characters (alpaca.md §3, §5); no character set is documented, so printable ASCII.
ALPACA_CLIENT_ID = ClientIdRule("alpaca", 48, re.compile(r"[!-~]{1,48}"))
#: Binance `newClientOrderId`: its documented pattern `^[\.A-Z\:/a-z0-9_-]{1,36}$`.
BINANCE_CLIENT_ID = ClientIdRule("binance", 36, re.compile(r"[.A-Z:/a-z0-9_-]{1,36}"))


class ClientIdFactory:
    """Client order ids `tw-<session>-<n>`: one per logical order, never reused, valid on the broker.

    The session is fresh for each process (e.g. `secrets.token_hex(4)`), so a restart never repeats an
    id of the previous run; `n` counts up from 1. The format is fixed so an operator can tell the
    gateway's orders from others in the broker's own UI.
    """

    def __init__(self, session: str, rule: ClientIdRule) -> None:
        self._prefix = f"tw-{session}-"
        self._rule = rule
        self._next = 1
        rule.check(self._prefix + "0")

    def next_id(self) -> str:
        """A new client order id."""
        value = f"{self._prefix}{self._next}"
        self._next += 1
        return self._rule.check(value)


async def _look_up(
    orders: BrokerOrders[OrderT],
    client_order_id: str,
    lookups: int,
    pause: float,
    sleep: Callable[[float], Awaitable[object]],
) -> OrderT | None:
    for attempt in range(1, lookups + 1):
        try:
            return await orders.find_by_client_id(client_order_id)
        except OutcomeUnknown:
            if attempt == lookups:
                break
            await sleep(pause)
    raise ProviderError(
        f"the broker did not confirm order {client_order_id!r} and looking it up failed too",
        details={"client_order_id": client_order_id},
    )


async def submit_idempotent(
    orders: BrokerOrders[OrderT],
    client_order_id: str,
    payload: Mapping[str, object],
    *,
    max_sends: int = 3,
    lookups: int = 3,
    pause: float = 0.5,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Submitted[OrderT]:
    """Send `payload` (which carries `client_order_id`) so that at most one broker order results.

    Args:
        orders: The adapter's broker calls.
        client_order_id: The id inside `payload`; stored by the adapter before this call, so a restart
            mid-submit can find the order too.
        max_sends: Sends in total, the first included, while the outcome stays unknown and the
            lookup finds nothing.
        lookups: Tries of one lookup while the lookup itself fails, `pause` seconds apart.

    Raises:
        ProviderError: the outcome stayed unknown (every lookup failed, or nothing was found after
            `max_sends` sends), or the broker called the id a duplicate yet cannot find it.
        Whatever `orders.submit` raises besides OutcomeUnknown and DuplicateClientId (a rejection).
    """
    if max_sends < 1 or lookups < 1:
        raise ValueError("max_sends and lookups must be at least 1")
    for sends in range(1, max_sends + 1):
        try:
            return Submitted(await orders.submit(payload), adopted=False, sends=sends)
        except DuplicateClientId:
            found = await _look_up(orders, client_order_id, lookups, pause, sleep)
            if found is None:
                raise ProviderError(
                    f"the broker calls client order id {client_order_id!r} a duplicate but has no such order",
                    details={"client_order_id": client_order_id},
                ) from None
            return Submitted(found, adopted=True, sends=sends)
        except OutcomeUnknown:
            found = await _look_up(orders, client_order_id, lookups, pause, sleep)
            if found is not None:
                return Submitted(found, adopted=True, sends=sends)
            # Not there: resend under the same id (the broker refuses a second order with it).
    raise ProviderError(
        f"order {client_order_id!r}: no answer from the broker after {max_sends} sends, and it holds no "
        "such order",
        details={"client_order_id": client_order_id},
    )
