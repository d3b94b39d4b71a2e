"""A wire-level fake of Alpaca: Trading API v2, Market Data v2 and both streams on one loopback port.

It imports nothing from `tradewire.brokers` (import-linter enforces it), so it stays an independent
oracle of Alpaca's shapes. Start it with `FakeAlpaca` or `python -m tradewire.testkit.fakes.alpaca`.
"""

from tradewire.testkit.fakes.alpaca.config import Assets, FakeConfig, Paths
from tradewire.testkit.fakes.alpaca.faults import Faults
from tradewire.testkit.fakes.alpaca.prices import PricePath
from tradewire.testkit.fakes.alpaca.server import FakeAlpaca, running_fake

__all__ = ["Assets", "FakeAlpaca", "FakeConfig", "Faults", "Paths", "PricePath", "running_fake"]
