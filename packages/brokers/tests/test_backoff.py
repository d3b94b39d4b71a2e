"""The reconnect state machine (mapping.md §8), driven by hand: no sockets, no sleeping, a fixed jitter."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradewire.brokers._live.backoff import Backoff, InvalidTransition, LinkState, Reconnector, Step
from tradewire.protocol.messages import ConnectionEventType as E


def events(step: Step) -> list[E]:
    return [n.event for n in step.notices]


def link(policy: Backoff | None = None, draw: float = 0.0) -> Reconnector:
    machine = Reconnector(policy or Backoff(), lambda: draw)
    machine.up(0.0)
    return machine


def test_a_gap_emits_disconnected_reconnecting_then_reconnected_with_its_duration() -> None:
    m = link()
    step = m.lost(100.0, "socket closed")
    assert events(step) == [E.BROKER_DISCONNECTED]
    assert step.notices[0].error == "socket closed"
    assert step.retry_in == 1.0
    assert events(m.attempt(101.0)) == [E.RECONNECTING]
    assert m.opened(101.2) == Step()  # socket back: nothing to say until the resync is done
    assert m.state.value == "resyncing"
    done = m.resynced(105.3)
    assert events(done) == [E.BROKER_RECONNECTED]
    assert done.notices[0].gap_duration_ms == 5300
    assert m.state.value == "connected"


def test_the_wait_doubles_per_failure_up_to_the_cap() -> None:
    m = link(Backoff(initial=1, factor=2, cap=60, give_up_after=None))
    waits = [m.lost(100.0).retry_in]
    for i in range(8):
        m.attempt(0.0)
        waits.append(m.failed(100.0 + i, "refused").retry_in)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_each_attempt_emits_one_reconnecting_and_a_resync_failure_counts_as_a_failed_attempt() -> None:
    m = link(Backoff(give_up_after=None))
    m.lost(0.0)
    assert events(m.attempt(1.0)) == [E.RECONNECTING]
    m.opened(1.1)
    step = m.failed(1.5, "REST resync failed")
    assert step.notices == () and step.retry_in == 2.0
    assert events(m.attempt(3.5)) == [E.RECONNECTING]


def test_jitter_shortens_the_wait_by_up_to_its_fraction_from_the_injected_source() -> None:
    assert link(Backoff(jitter=0.5), draw=0.0).lost(0.0).retry_in == 1.0
    assert link(Backoff(jitter=0.5), draw=0.5).lost(0.0).retry_in == 0.75
    assert link(Backoff(jitter=0.5, initial=4, cap=8), draw=0.999).lost(0.0).retry_in == pytest.approx(2.002)


def test_it_gives_up_after_the_outage_lasts_too_long_with_connection_failed() -> None:
    m = link(Backoff(initial=1, factor=2, cap=60, give_up_after=300))
    m.lost(0.0)
    now = 0.0
    step = Step()
    for _ in range(50):
        m.attempt(now)
        step = m.failed(now, "connect timeout")
        if step.retry_in is None:
            break
        now += step.retry_in
    assert events(step) == [E.BROKER_CONNECTION_FAILED]
    assert step.notices[0].error == "connect timeout"
    assert m.state is LinkState.FAILED
    assert now <= 300  # never waited past the deadline
    assert m.lost(now + 1) == Step()  # a late report of the loss changes nothing


def test_it_gives_up_after_max_attempts() -> None:
    m = link(Backoff(max_attempts=2, give_up_after=None))
    m.lost(0.0)
    m.attempt(1.0)
    assert events(m.failed(1.0)) == []
    m.attempt(3.0)
    assert events(m.failed(3.0)) == [E.BROKER_CONNECTION_FAILED]
    m.up(10.0)  # an explicit new start leaves FAILED
    assert m.state is LinkState.CONNECTED


def test_a_retry_hint_lengthens_the_wait_even_past_the_cap() -> None:
    m = link(Backoff(cap=60, give_up_after=None))
    m.lost(0.0)
    m.attempt(1.0)
    assert m.failed(1.0, "429", retry_after=90.0).retry_in == 90.0
    m.attempt(91.0)
    assert m.failed(91.0, "429", retry_after=0.5).retry_in == 4.0  # the hint is a floor, not a ceiling


def test_a_ban_longer_than_the_give_up_window_fails_at_once() -> None:
    m = link(Backoff(give_up_after=300))
    m.lost(0.0)
    m.attempt(1.0)
    assert events(m.failed(1.0, "418 banned", retry_after=3 * 86400)) == [E.BROKER_CONNECTION_FAILED]


def test_the_backoff_resets_only_after_a_stable_period() -> None:
    m = link(Backoff(stable_after=30, give_up_after=None))
    m.lost(0.0)
    for t in (1.0, 3.0):
        m.attempt(t)
        m.failed(t)
    m.attempt(7.0)
    m.opened(7.0)
    m.resynced(7.5)
    # Dropped again 5 s later: flapping, so the backoff goes on from where it was.
    assert m.lost(12.5).retry_in == 4.0
    m.attempt(16.5)
    m.opened(16.5)
    m.resynced(17.0)
    # Up for a minute: stable, so the next loss starts from the first wait again.
    assert m.lost(77.0).retry_in == 1.0


def test_loss_while_connecting_is_a_failed_attempt_and_a_repeated_loss_is_ignored() -> None:
    m = link(Backoff(give_up_after=None))
    m.lost(0.0)
    assert m.lost(0.1) == Step()
    m.attempt(1.0)
    step = m.lost(1.2, "closed during auth")
    assert step.notices == () and step.retry_in == 2.0
    assert m.state is LinkState.WAITING


@pytest.mark.parametrize(
    ("call", "state"),
    [("attempt", "connected"), ("opened", "connected"), ("resynced", "waiting"), ("failed", "waiting")],
)
def test_calls_out_of_order_are_adapter_bugs(call: str, state: str) -> None:
    m = link()
    if state == "waiting":
        m.lost(0.0)
    with pytest.raises(InvalidTransition, match=call):
        getattr(m, call)(1.0)
    with pytest.raises(InvalidTransition, match="up"):
        m.up(2.0)


def test_a_notice_becomes_the_wire_connection_event() -> None:
    m = link()
    m.lost(0.0)
    m.attempt(1.0)
    m.opened(1.0)
    event = m.resynced(2.5).notices[0].message("alpaca-paper")
    assert (event.event, event.broker, event.gap_duration_ms) == (E.BROKER_RECONNECTED, "alpaca-paper", 2500)


@pytest.mark.parametrize(
    "bad", [{"initial": 0}, {"factor": 0.5}, {"cap": 0.5}, {"jitter": 1.0}, {"max_attempts": 0}]
)
def test_a_policy_that_cannot_work_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**bad)  # type: ignore[arg-type]


@given(
    outcomes=st.lists(st.sampled_from(["fail", "fail_resync", "ok", "drop"]), min_size=1, max_size=60),
    seed=st.integers(0, 2**32),
)
def test_any_run_emits_events_in_the_specs_grammar(outcomes: list[str], seed: int) -> None:
    """Whatever happens: every outage opens with one DISCONNECTED, each attempt says RECONNECTING,
    and it ends with exactly one RECONNECTED (after an attempt) or CONNECTION_FAILED; waits stay in bounds."""
    policy = Backoff()
    m = Reconnector(policy, random.Random(seed).random)
    m.up(0.0)
    now, emitted = 0.0, []
    for outcome in outcomes:
        if m.state is LinkState.FAILED:
            break
        if m.state is LinkState.CONNECTED:
            step = m.lost(now)
        else:
            emitted += events(m.attempt(now))
            if outcome == "fail":
                step = m.failed(now)
            else:
                m.opened(now)
                step = m.failed(now) if outcome == "fail_resync" else m.resynced(now + 0.1)
        emitted += events(step)
        if step.retry_in is not None:
            assert 0 < step.retry_in <= policy.cap
            now += step.retry_in
        now += 1.0
    text = " ".join(e.name for e in emitted)
    for outage in text.split("BROKER_DISCONNECTED")[1:]:
        words = outage.split()
        assert set(words[:-1]) <= {"RECONNECTING"}
        if words and words[-1] != "RECONNECTING":
            assert words[-1] in ("BROKER_RECONNECTED", "BROKER_CONNECTION_FAILED")
            assert "RECONNECTING" in words
    assert not text or text.startswith("BROKER_DISCONNECTED")
