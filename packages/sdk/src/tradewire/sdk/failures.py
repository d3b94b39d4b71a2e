"""A strategy handler that raised: where in the strategy's code, at what simulated time, on which event."""

# A traceback through the SDK's and the engine's frames buries the one line the author needs. The
# run catches the handler's exception, keeps the strategy's own frame, the instant and the event,
# finishes its bookkeeping (fills, account, report: partial), and raises StrategyError with all of it.

from __future__ import annotations

import datetime as dt
import linecache
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tradewire.protocol import codec
from tradewire.protocol import messages as m
from tradewire.sdk.market import Candle, Tick

if TYPE_CHECKING:
    from tradewire.sdk.result import RunResult

__all__ = ["HandlerFailed", "Interrupted", "StrategyError", "describe_event", "strategy_frame"]


def _ours() -> tuple[str, ...]:
    """Folders whose frames are Tradewire's or the standard library's, not the strategy author's."""
    import sysconfig

    import tradewire

    folders = [str(Path(p).resolve()) for p in tradewire.__path__]
    folders.append(str(Path(sysconfig.get_paths()["stdlib"]).resolve()))
    return tuple(f + "/" for f in folders)


class HandlerFailed(Exception):
    """Raised inside a run when a handler raised: carries the handler's name and its argument."""

    def __init__(self, error: BaseException, handler: str, event: Any) -> None:
        super().__init__(handler)
        self.error = error
        self.handler = handler
        self.event = event


class StrategyError(Exception):
    """The strategy's code raised while handling an event; the run stopped there.

    Attributes:
        error: The exception the strategy raised (also the `__cause__`).
        handler: Name of the handler that raised (`on_candle`, `on_order`, ...).
        when: The simulated (or wall) time of the event being handled.
        event: One line describing that event.
        location: `file:line in function` of the strategy's own innermost frame, and its source line.
        result: The run's partial result (`partial` is True): fills, account and report up to `when`.
    """

    def __init__(
        self,
        error: BaseException,
        handler: str,
        when: dt.datetime,
        event: str,
        location: str,
        result: RunResult | None,
    ) -> None:
        self.error = error
        self.handler = handler
        self.when = when
        self.event = event
        self.location = location
        self.result = result
        super().__init__(self.describe())

    def describe(self) -> str:
        """The error in a few lines: the exception, the strategy's line, the event and its time."""
        lines = [f"{type(self.error).__name__}: {self.error}"]
        if self.location:
            lines.append(f"  at {self.location}")
        lines.append(f"  in {self.handler}, handling {self.event} at {codec.timestamp_text(self.when)}")
        return "\n".join(lines)


class Interrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C) between two deliveries; nothing after `when` was simulated.

    Raised by a progress callback to end a run; the run finishes its bookkeeping and raises it again
    with `when` and `result` (`partial` True: fills, account and report up to `when`) filled in.
    """

    def __init__(self, when: dt.datetime | None = None, result: RunResult | None = None) -> None:
        super().__init__("interrupted")
        self.when = when
        self.result = result


def strategy_frame(error: BaseException) -> str:
    """`file:line in function` and the source line of the innermost frame outside Tradewire, or ''."""
    ours = _ours()
    found: traceback.FrameSummary | None = None
    tb: TracebackType | None = error.__traceback__
    for frame in traceback.extract_tb(tb):
        path = str(Path(frame.filename).resolve()) if not frame.filename.startswith("<") else ""
        if path and not path.startswith(ours):
            found = frame
    if found is None:
        return ""
    line = (found.line or linecache.getline(found.filename, found.lineno or 0)).strip()
    where = f"{_shown(found.filename)}:{found.lineno} in {found.name}"
    return f"{where}\n      {line}" if line else where


def _shown(filename: str) -> str:
    """The path relative to the working folder when it is inside it (as the user typed it), else whole."""
    path = Path(filename).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def describe_event(event: Any) -> str:
    """One line naming an event the way an author thinks of it (`candle AAPL 1d 2024-03-01T00:00:00Z`)."""
    if event is None:
        return "no event"
    if isinstance(event, Candle):
        return (
            f"candle {event.symbol} {event.timeframe} {codec.timestamp_text(event.time)} close={event.close}"
        )
    if isinstance(event, Tick):
        return f"quote {event.symbol} {codec.timestamp_text(event.time)} bid={event.bid} ask={event.ask}"
    if isinstance(event, m.OrderEvent) and event.order is not None:
        return f"{codec.enum_spelling(event.event)} {event.order.symbol} order {event.order.id}"
    if isinstance(event, m.TradeEvent) and event.trade is not None:
        return f"{codec.enum_spelling(event.event)} {event.trade.symbol} trade {event.trade.id}"
    if isinstance(event, m.PositionEvent) and event.position is not None:
        return f"{codec.enum_spelling(event.event)} {event.position.symbol}"
    if isinstance(event, m.AccountEvent):
        return codec.enum_spelling(event.event)
    return type(event).__name__
