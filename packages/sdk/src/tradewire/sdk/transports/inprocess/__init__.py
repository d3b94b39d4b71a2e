"""The in-process transport: a Strategy driven by the engine's synchronous Backtest, no sockets, no JSON."""

from tradewire.sdk.transports.inprocess.loader import engine
from tradewire.sdk.transports.inprocess.run import run_inprocess
from tradewire.sdk.transports.inprocess.transport import InProcessTransport

__all__ = ["InProcessTransport", "engine", "run_inprocess"]
