"""The `/v1/ws` event stream: broadcast hub, per-client sessions, backtest ack pacing."""

from tradewire.gateway.stream.hub import Hub
from tradewire.gateway.stream.session import Session

__all__ = ["Hub", "Session"]
