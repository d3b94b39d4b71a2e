"""The gateway's version and build commit (reported by /health)."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("tradewire-gateway")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

#: Build commit; set TRADEWIRE_GIT_SHA at image build time, "unknown" otherwise.
GIT_SHA: str = os.environ.get("TRADEWIRE_GIT_SHA", "unknown")
