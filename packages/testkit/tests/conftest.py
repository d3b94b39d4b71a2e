"""Fixtures of the testkit's own tests: pytester, and this folder importable (`broken_venue` is a helper module)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

pytest_plugins = ["pytester"]
