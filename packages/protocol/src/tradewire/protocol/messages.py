"""The generated wire messages of tradewire.v1, re-exported under a stable name."""

from tradewire.protocol._generated.tradewire.v1 import *  # noqa: F403
from tradewire.protocol._generated.tradewire.v1 import __all__ as __all__
