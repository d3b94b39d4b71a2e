"""A wire-level fake of Binance Spot: signed REST, the WebSocket API and market streams on one port.

It imports nothing from `tradewire.brokers` (import-linter enforces it), so it stays an independent
oracle of Binance's shapes, written from binance.md. Start it with `FakeBinance` or
`python -m tradewire.testkit.fakes.binance`.
"""

from tradewire.testkit.fakes.binance.config import FakeConfig, SymbolSpec
from tradewire.testkit.fakes.binance.faults import Faults
from tradewire.testkit.fakes.binance.prices import PricePath
from tradewire.testkit.fakes.binance.server import FakeBinance, running_fake

__all__ = ["FakeBinance", "FakeConfig", "Faults", "PricePath", "SymbolSpec", "running_fake"]
