"""Record a strategy's view at every handler call, without changing what the strategy or the runtime sees."""

# The wrappers are instance attributes, not a subclass: the SDK chooses its code path (and, today,
# whether to keep state at all) by inspecting the strategy's class, so the class must stay the
# user's own. Each wrapper keeps its handler's kind (plain or async) and its routing marks.

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from tradewire.sdk import Strategy
from tradewire.testkit.differential.snapshot import Snapshot, describe_event, state_of

__all__ = ["ALWAYS_CALLED", "Recording", "record"]

#: Handlers the runtime calls whether or not the strategy overrides them.
ALWAYS_CALLED = ("on_start", "on_stop", "on_error")
#: Handlers it calls only when the strategy's class overrides them. on_connection is left out: the
#: link's own events exist over the wire only.
OVERRIDABLE = (
    "on_candle",
    "on_quote",
    "on_order",
    "on_trade",
    "on_position",
    "on_account",
    "on_margin_warning",
)


class Recording:
    """The snapshots of one run, in the order the strategy's handlers ran."""

    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []

    def take(self, strategy: Strategy, handler: str, phase: str, args: tuple[Any, ...]) -> None:
        """Append what `strategy` sees now, around a call of `handler` with `args`."""
        self.snapshots.append(
            Snapshot(
                index=len(self.snapshots),
                time=strategy.now.isoformat().replace("+00:00", "Z"),
                handler=handler,
                phase=phase,
                event=describe_event(args[0]) if args else None,
                state=state_of(strategy),
            )
        )

    def __len__(self) -> int:
        return len(self.snapshots)


def _handler_names(strategy: Strategy) -> list[str]:
    cls = type(strategy)
    names = list(ALWAYS_CALLED)
    names += [n for n in OVERRIDABLE if getattr(cls, n) is not getattr(Strategy, n)]
    # methods routed with @on.candle(...) and friends
    names += [
        n for n in dir(cls) if n not in names and getattr(getattr(cls, n, None), "__tradewire_routes__", None)
    ]
    return names


def _wrap(recording: Recording, strategy: Strategy, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    take = recording.take
    if inspect.iscoroutinefunction(fn):

        async def async_handler(*args: Any) -> Any:
            take(strategy, name, "before", args)
            result = await fn(*args)
            take(strategy, name, "after", args)
            return result

        return functools.wraps(fn)(async_handler)

    def handler(*args: Any) -> Any:
        take(strategy, name, "before", args)
        result = fn(*args)
        take(strategy, name, "after", args)
        return result

    return functools.wraps(fn)(handler)


def record(strategy: Strategy) -> Recording:
    """Start recording `strategy` (call before the run; one recording per instance)."""
    if "_differential_recording" in vars(strategy):
        raise RuntimeError("this strategy instance is already recorded")
    recording = Recording()
    for name in _handler_names(strategy):
        setattr(strategy, name, _wrap(recording, strategy, name, getattr(strategy, name)))
    vars(strategy)["_differential_recording"] = recording
    return recording
