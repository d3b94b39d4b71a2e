"""The engine's venues behind the gateway: a backtest replaying data, and the mock on a live clock.

The only gateway package that imports `tradewire.engine`, so that both platforms share the engine's
one fill model while the rest of the gateway depends on the protocol alone.
"""

from tradewire.gateway.providers.backtest.replay import EXTRA_HINT, create_venue, load_series

__all__ = ["EXTRA_HINT", "create_venue", "load_series"]
