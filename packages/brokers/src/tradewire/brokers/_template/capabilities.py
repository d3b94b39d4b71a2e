"""What the venue supports, per asset class (mapping.md §9): order types, TIFs, exits, emulated features.

Required. Report exactly what the adapter does: a feature the gateway emulates (exits managed after a
fill) is reported as such, one it refuses is absent, and the venue raises `UnsupportedOperation` for it
before calling the broker. Never substitute silently.
"""

from __future__ import annotations

from tradewire.brokers._template.errors import TemplateNotFilled
from tradewire.protocol.messages import Capabilities

__all__ = ["capabilities"]


def capabilities() -> Capabilities:
    """The venue's capabilities (required)."""
    raise TemplateNotFilled("capabilities", "capabilities")
