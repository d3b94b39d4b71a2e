"""The reconnect state machine of a broker stream, sans I/O: what to tell clients and how long to wait.

mapping.md §8: on a loss emit BROKER_DISCONNECTED, then RECONNECTING per attempt, backing off
exponentially with jitter; BROKER_RECONNECTED (with the gap) only after the resync succeeded; give up
with BROKER_CONNECTION_FAILED. The caller owns the sockets and the timer; this object only decides.

    link = Reconnector(Backoff(), random.random)
    link.up(now)                        # first connection made
    step = link.lost(now, "socket closed")   # -> [BROKER_DISCONNECTED], retry_in=1.0
    ... sleep(step.retry_in) ...
    link.attempt(now)                   # -> [RECONNECTING]; then connect, authenticate, subscribe
    link.opened(now)                    # socket is back; now resync over REST
    link.resynced(now)                  # -> [BROKER_RECONNECTED gap_duration_ms=...]
    # or, on any failure on the way: link.failed(now, error, retry_after=hint)
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from tradewire.protocol.messages import ConnectionEvent, ConnectionEventType

__all__ = ["Backoff", "InvalidTransition", "LinkState", "Notice", "Reconnector", "Step"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """The policy. Defaults are mapping.md §8's: 1 s doubling to 60 s, give up after 5 minutes."""

    #: The first wait, seconds.
    initial: float = 1.0
    #: Each further wait is this many times the previous one.
    factor: float = 2.0
    #: No wait is longer (a broker's own retry hint may be: it is honoured as given).
    cap: float = 60.0
    #: A wait is shortened by up to this fraction, at random, so many clients do not retry in step.
    jitter: float = 0.5
    #: Connected this long, the next loss starts the backoff from `initial` again; a link that keeps
    #: dropping sooner keeps backing off further.
    stable_after: float = 30.0
    #: Give up once an outage has lasted this long (None: never by time).
    give_up_after: float | None = 300.0
    #: Give up after this many failed attempts in one outage (None: never by count).
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.factor < 1 or self.cap < self.initial:
            raise ValueError("backoff needs initial > 0, factor >= 1 and cap >= initial")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, failures: int, draw: float) -> float:
        """The wait before attempt `failures + 1`, with `draw` in [0, 1) from the random source."""
        base = self.initial
        for _ in range(failures):  # stops at the cap: a long outage never overflows the power
            base *= self.factor
            if base >= self.cap:
                break
        return min(base, self.cap) * (1 - self.jitter * draw)


class LinkState(enum.Enum):
    """Where the link is."""

    #: Not connected yet (before `up`).
    IDLE = "idle"
    #: Streaming; events flow.
    CONNECTED = "connected"
    #: Lost; waiting `Step.retry_in` before the next attempt.
    WAITING = "waiting"
    #: An attempt is in flight (connect, authenticate, subscribe).
    CONNECTING = "connecting"
    #: The socket is back; the REST resync runs before clients hear BROKER_RECONNECTED.
    RESYNCING = "resyncing"
    #: Gave up; only `up` (a new start) leaves this state.
    FAILED = "failed"


class InvalidTransition(RuntimeError):
    """A call that makes no sense in the current state (an adapter bug, not a network condition)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """One connection event for clients (spec events.md); `message` builds the wire object."""

    event: ConnectionEventType
    error: str | None = None
    gap_duration_ms: int | None = None

    def message(self, broker: str) -> ConnectionEvent:
        """The `connection` event, without a timestamp (the caller stamps it when it sends)."""
        return ConnectionEvent(
            event=self.event, broker=broker, error=self.error, gap_duration_ms=self.gap_duration_ms
        )


@dataclass(frozen=True, slots=True)
class Step:
    """What a transition asks of the caller: send `notices` in order, then wait `retry_in` seconds
    (None: no timer) before calling `attempt`."""

    notices: tuple[Notice, ...] = ()
    retry_in: float | None = None


class Reconnector:
    """The state machine. Times are seconds on one monotonic clock, passed in by the caller.

    Args:
        policy: The backoff policy.
        draw: The jitter source, returning floats in [0, 1) (`random.random`, or a fixed value in tests).
    """

    def __init__(self, policy: Backoff, draw: Callable[[], float]) -> None:
        self.policy = policy
        self._draw = draw
        self.state = LinkState.IDLE
        self._connected_at = 0.0
        self._outage_started = 0.0
        #: Failed attempts since the link was last stable (drives the delay).
        self._failures = 0
        #: Attempts in the current outage (drives `max_attempts`).
        self._attempts = 0

    @property
    def failures(self) -> int:
        """Failed attempts since the link was last stable."""
        return self._failures

    def up(self, now: float) -> Step:
        """The first connection (or a fresh start after FAILED) is streaming. No event: the gateway
        reports CONNECTED itself."""
        self._expect("up", LinkState.IDLE, LinkState.FAILED)
        self.state = LinkState.CONNECTED
        self._connected_at = now
        self._failures = 0
        self._attempts = 0
        return Step()

    def lost(self, now: float, error: str | None = None) -> Step:
        """The stream dropped (socket closed, ping timeout, shutdown notice, staleness).

        While connecting or resyncing this is a failed attempt (`failed`); while waiting or failed
        it changes nothing (a second report of the same loss).
        """
        if self.state in (LinkState.CONNECTING, LinkState.RESYNCING):
            return self.failed(now, error)
        if self.state in (LinkState.WAITING, LinkState.FAILED):
            return Step()
        self._expect("lost", LinkState.CONNECTED)
        if now - self._connected_at >= self.policy.stable_after:
            self._failures = 0
        self._outage_started = now
        self._attempts = 0
        self.state = LinkState.WAITING
        wait = self.policy.delay(self._failures, self._draw())
        return Step((Notice(ConnectionEventType.BROKER_DISCONNECTED, error),), retry_in=wait)

    def attempt(self, now: float) -> Step:
        """The wait is over: an attempt starts. Emits RECONNECTING (one per attempt)."""
        self._expect("attempt", LinkState.WAITING)
        self.state = LinkState.CONNECTING
        self._attempts += 1
        return Step((Notice(ConnectionEventType.RECONNECTING),))

    def opened(self, now: float) -> Step:
        """Connected, authenticated and subscribed again: resync over REST next (no event yet)."""
        self._expect("opened", LinkState.CONNECTING)
        self.state = LinkState.RESYNCING
        return Step()

    def resynced(self, now: float) -> Step:
        """Every missed event was emitted: report BROKER_RECONNECTED with the gap since the loss."""
        self._expect("resynced", LinkState.RESYNCING)
        self.state = LinkState.CONNECTED
        self._connected_at = now
        gap_ms = max(0, round((now - self._outage_started) * 1000))
        return Step((Notice(ConnectionEventType.BROKER_RECONNECTED, gap_duration_ms=gap_ms),))

    def failed(self, now: float, error: str | None = None, retry_after: float | None = None) -> Step:
        """The attempt (or its resync) failed. Wait longer, or give up.

        Args:
            retry_after: The broker's own hint (HTTP 429/418 `Retry-After`, Alpaca 406 while the old
                connection is cleaned up), seconds. The wait is at least this long, even past `cap`.
        """
        self._expect("failed", LinkState.CONNECTING, LinkState.RESYNCING)
        self._failures += 1
        wait = self.policy.delay(self._failures, self._draw())
        if retry_after is not None:
            wait = max(wait, retry_after)
        policy = self.policy
        out_of_attempts = policy.max_attempts is not None and self._attempts >= policy.max_attempts
        out_of_time = policy.give_up_after is not None and (
            now + wait - self._outage_started > policy.give_up_after
        )
        if out_of_attempts or out_of_time:
            self.state = LinkState.FAILED
            reason = error or "reconnect attempts exhausted"
            return Step((Notice(ConnectionEventType.BROKER_CONNECTION_FAILED, reason),))
        self.state = LinkState.WAITING
        return Step(retry_in=wait)

    def _expect(self, call: str, *states: LinkState) -> None:
        if self.state not in states:
            raise InvalidTransition(f"{call}() in state {self.state.value}")
