"""Idempotent submit against an in-memory broker that injects each fault: never a second order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewire.brokers._live.submit import (
    ALPACA_CLIENT_ID,
    BINANCE_CLIENT_ID,
    BrokerOrders,
    ClientIdFactory,
    ClientIdRule,
    DuplicateClientId,
    OutcomeUnknown,
    submit_idempotent,
)
from tradewire.protocol.errors import OrderRejected, ProviderError, ValidationError

#: What the broker does with one submit call.
#: ok: creates, answers; lost_before: the request never arrives; lost_after: creates, the answer is lost
#: (timeout or reset); error_after: creates, then answers 5xx; reject: refuses with an error.
SUBMIT_FAULTS = ("ok", "lost_before", "lost_after", "error_after", "reject")
#: What the broker does with one lookup: ok answers; fail raises; stale answers "none" even if it exists.
LOOKUP_FAULTS = ("ok", "fail", "stale")


@dataclass
class FakeBroker:
    """The broker's side: orders by client order id, unique per id like Alpaca and Binance."""

    submit_faults: list[str] = field(default_factory=list)
    lookup_faults: list[str] = field(default_factory=list)
    orders: dict[str, dict[str, object]] = field(default_factory=dict)
    created: int = 0
    submits: int = 0
    lookups: int = 0

    async def submit(self, payload: Mapping[str, object]) -> dict[str, object]:
        self.submits += 1
        fault = self.submit_faults.pop(0) if self.submit_faults else "ok"
        coid = str(payload["client_order_id"])
        if fault == "lost_before":
            raise OutcomeUnknown("timeout")
        if fault == "reject":
            raise OrderRejected("insufficient buying power")
        if coid in self.orders:
            raise DuplicateClientId("client_order_id must be unique")
        self.created += 1
        order = {"id": f"broker-{self.created}", "client_order_id": coid, **payload}
        self.orders[coid] = order
        if fault == "lost_after":
            raise OutcomeUnknown("connection reset")
        if fault == "error_after":
            raise OutcomeUnknown("HTTP 500")
        return order

    async def find_by_client_id(self, client_order_id: str) -> dict[str, object] | None:
        self.lookups += 1
        fault = self.lookup_faults.pop(0) if self.lookup_faults else "ok"
        if fault == "fail":
            raise OutcomeUnknown("HTTP 503")
        if fault == "stale":
            return None
        return self.orders.get(client_order_id)


async def no_sleep(seconds: float) -> None:
    return None


PAYLOAD = {"client_order_id": "tw-ab12cd34-1", "symbol": "AAPL", "qty": "10", "side": "buy"}


def test_the_fake_is_a_broker_orders() -> None:
    broker: BrokerOrders[dict[str, object]] = FakeBroker()
    assert broker is not None


async def submit(broker: FakeBroker, **kw: int) -> tuple[dict[str, object], bool, int]:
    done = await submit_idempotent(broker, "tw-ab12cd34-1", PAYLOAD, sleep=no_sleep, **kw)
    return done.order, done.adopted, done.sends


async def test_a_plain_submit_sends_once() -> None:
    broker = FakeBroker()
    order, adopted, sends = await submit(broker)
    assert (order["id"], adopted, sends, broker.lookups) == ("broker-1", False, 1, 0)


@pytest.mark.parametrize("fault", ["lost_after", "error_after"])
async def test_an_order_created_behind_a_lost_answer_is_adopted(fault: str) -> None:
    broker = FakeBroker(submit_faults=[fault])
    order, adopted, sends = await submit(broker)
    assert (order["id"], adopted, sends) == ("broker-1", True, 1)
    assert broker.created == 1 and broker.submits == 1


async def test_a_request_that_never_arrived_is_resent_under_the_same_id() -> None:
    broker = FakeBroker(submit_faults=["lost_before"])
    order, adopted, sends = await submit(broker)
    assert (order["client_order_id"], adopted, sends) == ("tw-ab12cd34-1", False, 2)
    assert broker.created == 1


async def test_a_stale_lookup_leads_to_a_resend_the_broker_calls_a_duplicate_then_adoption() -> None:
    # The order exists but the lookup does not see it yet: the resend under the same id is refused
    # as a duplicate, and the order is adopted, not created again.
    broker = FakeBroker(submit_faults=["error_after"], lookup_faults=["stale"])
    order, adopted, sends = await submit(broker)
    assert (order["id"], adopted, sends) == ("broker-1", True, 2)
    assert broker.created == 1


async def test_a_failing_lookup_is_retried_then_adopts() -> None:
    broker = FakeBroker(submit_faults=["lost_after"], lookup_faults=["fail", "fail"])
    _, adopted, _ = await submit(broker, lookups=3)
    assert adopted and broker.lookups == 3 and broker.created == 1


async def test_when_the_lookup_fails_too_it_is_a_provider_error_and_nothing_is_resent() -> None:
    broker = FakeBroker(submit_faults=["lost_after"], lookup_faults=["fail"] * 3)
    with pytest.raises(ProviderError, match="looking it up failed too") as info:
        await submit(broker, lookups=3)
    assert info.value.details == {"client_order_id": "tw-ab12cd34-1"}
    assert broker.submits == 1 and broker.created == 1


async def test_no_answer_after_max_sends_is_a_provider_error() -> None:
    broker = FakeBroker(submit_faults=["lost_before"] * 3)
    with pytest.raises(ProviderError, match="after 3 sends"):
        await submit(broker, max_sends=3)
    assert broker.submits == 3 and broker.created == 0


async def test_a_duplicate_answer_adopts_the_existing_order() -> None:
    broker = FakeBroker()
    broker.orders["tw-ab12cd34-1"] = {"id": "broker-0", "client_order_id": "tw-ab12cd34-1"}
    order, adopted, _ = await submit(broker)
    assert (order["id"], adopted, broker.created) == ("broker-0", True, 0)


async def test_a_duplicate_the_broker_cannot_find_is_a_provider_error() -> None:
    broker = FakeBroker(lookup_faults=["stale"])
    broker.orders["tw-ab12cd34-1"] = {"id": "broker-0"}
    with pytest.raises(ProviderError, match="duplicate"):
        await submit(broker)


async def test_a_rejection_passes_through_untouched() -> None:
    broker = FakeBroker(submit_faults=["reject"])
    with pytest.raises(OrderRejected):
        await submit(broker)
    assert broker.lookups == 0 and broker.submits == 1


@settings(max_examples=300, deadline=None)
@given(
    submit_faults=st.lists(st.sampled_from(SUBMIT_FAULTS[:-1]), max_size=6),
    lookup_faults=st.lists(st.sampled_from(LOOKUP_FAULTS), max_size=8),
    max_sends=st.integers(1, 4),
    lookups=st.integers(1, 3),
)
async def test_no_sequence_of_faults_creates_a_second_order(
    submit_faults: list[str], lookup_faults: list[str], max_sends: int, lookups: int
) -> None:
    broker = FakeBroker(submit_faults=list(submit_faults), lookup_faults=list(lookup_faults))
    try:
        order, _, sends = await submit(broker, max_sends=max_sends, lookups=lookups)
    except ProviderError:
        assert broker.created <= 1
    else:
        assert broker.created == 1
        assert order is broker.orders["tw-ab12cd34-1"]  # the one order the broker holds
        assert sends <= max_sends
    assert broker.submits <= max_sends


def test_client_ids_have_a_fixed_format_and_fit_both_brokers() -> None:
    ids = ClientIdFactory("ab12cd34", BINANCE_CLIENT_ID)
    first, second = ids.next_id(), ids.next_id()
    assert (first, second) == ("tw-ab12cd34-1", "tw-ab12cd34-2")
    for value in (first, second, "tw-ffffffffffffffff-18446744073709551615"[:36]):
        assert BINANCE_CLIENT_ID.check(value) == value
        assert ALPACA_CLIENT_ID.check(value) == value


def test_a_session_that_makes_ids_too_long_is_refused_up_front() -> None:
    with pytest.raises(ValidationError):
        ClientIdFactory("x" * 40, BINANCE_CLIENT_ID)


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        (BINANCE_CLIENT_ID, "a" * 37),
        (BINANCE_CLIENT_ID, "has space"),
        (BINANCE_CLIENT_ID, "émoji"),
        (BINANCE_CLIENT_ID, ""),
        (ALPACA_CLIENT_ID, "a" * 49),
        (ALPACA_CLIENT_ID, "tab\tinside"),
    ],
)
def test_a_client_supplied_id_the_broker_cannot_take_is_a_validation_error(
    rule: ClientIdRule, value: str
) -> None:
    with pytest.raises(ValidationError) as info:
        rule.check(value)
    assert info.value.details["field"] == "client_order_id"


def test_binance_takes_its_documented_characters() -> None:
    assert BINANCE_CLIENT_ID.check("web_.A:Z/09-x") == "web_.A:Z/09-x"
