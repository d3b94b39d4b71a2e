"""Broker errors → the protocol's error table (mapping.md §7), and the template's own not-filled-in error.

Fill in `error_from_response`: one function from a broker answer (HTTP status + decoded body) to the
exception the venue raises, keeping the broker's code and message in `details`:

| broker answer | raise |
|---|---|
| funds, quantity, price, market closed, post-only | `OrderRejected` with `reject_codes.rejected(...)` |
| unknown order / position / symbol | `OrderNotFound` / `PositionNotFound` / `SymbolNotFound` |
| not cancelable / modifiable | `OrderNotModifiable` |
| 429 / 418 / weight exceeded | `RateLimited` (and feed `ratelimit.RateLimiter.observe`) |
| bad keys | `AuthenticationError` |
| 5xx, timeout, reset on a submit | `_live.submit.OutcomeUnknown` (idempotent submit looks it up) |
| duplicate client order id | `_live.submit.DuplicateClientId` (adopt the existing order) |
| anything else | `ProviderError` |
"""

from __future__ import annotations

from tradewire.protocol.errors import TradewireError

__all__ = ["TemplateNotFilled", "error_from_response"]


class TemplateNotFilled(NotImplementedError):
    """Raised by every part of the template: it names the file and the piece to write."""

    def __init__(self, piece: str, module: str) -> None:
        super().__init__(
            f"tradewire.brokers._template is a skeleton, not a venue: copy it to "
            f"tradewire/brokers/<broker>/ and implement {piece} in {module}.py "
            "(the table in the tradewire-brokers README lists what is required)"
        )
        self.piece = piece
        self.module = module


def error_from_response(status: int, body: object) -> TradewireError | Exception:
    """The exception for one broker error answer (required)."""
    raise TemplateNotFilled("error_from_response", "errors")
