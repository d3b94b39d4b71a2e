"""Shared test helpers of the brokers package (the small Alpaca server) are importable by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
