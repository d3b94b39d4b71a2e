"""The event stream without I/O: handshake options, refused handshakes, reconnect back-off, states and
the run check (a reconnect that reaches a restarted gateway stops with RunChanged)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from websockets.exceptions import InvalidStatus, InvalidURI

from tradewire.protocol import messages as m
from tradewire.protocol import routes
from tradewire.sdk._frames import Delivery, StreamState, parse_frame
from tradewire.sdk.config import ClientConfig, key_hint
from tradewire.sdk.errors import AuthenticationError, ConnectionLost, RunChanged

__all__ = ["MAX_FRAME", "StreamCore", "reconnect_delay"]

#: Frames up to this size are accepted (the spec keeps server frames under 256 KiB; batches can be larger).
MAX_FRAME = 64 * 1024 * 1024


def reconnect_delay(attempt: int, cap: float) -> float:
    """About 2**attempt seconds with jitter, capped (the spec's reconnect back-off)."""
    base = min(cap, float(2**attempt))
    return min(cap, base * random.uniform(0.5, 1.0))


class StreamCore:
    """What both stream drivers share: settings, handshake options and errors, back-off decisions."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        reconnect: bool = True,
        on_state: Callable[[StreamState], Any] | None = None,
        max_reconnects: int | None = None,
        candles: bool = False,
        run_id: str | None = None,
    ) -> None:
        self.config = config
        self.reconnect = reconnect
        self.on_state = on_state
        self.max_reconnects = max_reconnects
        self.candles = candles
        self.finished = False
        #: The gateway's run (its CONNECTED `run_id`): given, or the first one the stream sees.
        self.run_id = run_id

    def _connect_options(self) -> dict[str, Any]:
        return {
            "additional_headers": {k: v for k, v in self.config.headers().items() if k != "Accept"},
            "compression": None,  # the spec: no permessage-deflate
            "max_size": MAX_FRAME,
            "open_timeout": self.config.timeout,
            "ping_interval": 20,
            "ping_timeout": 20,
            "user_agent_header": None,
        }

    @staticmethod
    def _refused(error: InvalidStatus | InvalidURI) -> Exception:
        """The typed error for a failed handshake (401/403 is final: never retried)."""
        if isinstance(error, InvalidURI):
            return ConnectionLost(f"bad stream URL: {error}")
        if error.response.status_code in (401, 403):
            return AuthenticationError(key_hint(f"event stream refused: HTTP {error.response.status_code}"))
        return error

    def _receive(self, raw: bytes | str) -> Delivery | None:
        """What a server frame brings, whichever driver read it; None for a ping (answer PONG)."""
        return parse_frame(raw, self.candles)

    def _state(self, state: StreamState) -> None:
        if self.on_state is not None:
            self.on_state(state)

    def _check_run(self, first: Delivery) -> None:
        """Read the run id of a connection's first delivery (the gateway's CONNECTED); RunChanged (and
        the stream finished) when it names another run than the stream's. A gateway that sends none
        (the extension is Tradewire's) is not checked."""
        for event in first.events:
            if type(event) is m.ConnectionEvent and event.event == m.ConnectionEventType.CONNECTED:
                run_id = event.run_id
                if not run_id:
                    return
                if self.run_id is None:
                    self.run_id = run_id
                elif run_id != self.run_id:
                    self.finished = True
                    raise RunChanged(self.run_id, run_id)
                return

    def _check_close(self, code: int | None, reason: str | None) -> None:
        """ConnectionLost (and the stream finished) when the gateway closed saying its backtest is
        complete (events.md rule 7) although this stream never received `backtest_complete`: it
        reached a finished run, and reconnecting would only be closed again, forever."""
        if code == routes.CLOSE_NORMAL and reason == routes.CLOSE_REASON_COMPLETE:
            self.finished = True
            raise ConnectionLost(
                f"the backtest at {self.config.base_url} is already complete: "
                "start the gateway again for a new run"
            )

    def _next_delay(self, attempt: int, error: str | None) -> float:
        """Seconds to wait before reconnect attempt `attempt + 1`, or ConnectionLost when giving up."""
        if not self.reconnect:
            raise ConnectionLost(f"event stream lost: {error}")
        if self.max_reconnects is not None and attempt >= self.max_reconnects:
            raise ConnectionLost(
                f"the gateway at {self.config.base_url} is gone: no connection after "
                f"{attempt} reconnect attempt{'s' if attempt != 1 else ''} ({error})"
            )
        delay = reconnect_delay(attempt, self.config.reconnect_max_delay)
        self._state(StreamState("reconnecting", attempt + 1, delay, error))
        return delay
