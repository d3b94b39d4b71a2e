"""How long a decimal input may be: at most 64 characters and 40 significant digits (spec README)."""

# Clients send full-precision values ("54.13012882970661470174299015": 28 digits), which every venue
# then brings onto its grid; the bound only stops values no computation produces (a 1,000-digit
# quantity) before they reach arithmetic whose default precision is 28 digits.

from __future__ import annotations

from decimal import Decimal
from typing import Final

__all__ = ["MAX_CHARS", "MAX_DIGITS", "SHORT", "excess", "too_long"]

#: Characters of the text, sign and point included.
MAX_CHARS: Final = 64
#: Digits from the first non-zero one to the last one written.
MAX_DIGITS: Final = 40
#: A well-formed decimal text this short cannot break either bound (the codec's fast path).
SHORT: Final = MAX_DIGITS + 1


def excess(text: str) -> str | None:
    """Why the well-formed decimal `text` is too long, or None when it is within the bounds."""
    if len(text) < SHORT:
        return None
    if len(text) > MAX_CHARS:
        return f"longer than {MAX_CHARS} characters"
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    if len(digits) > MAX_DIGITS:
        return f"more than {MAX_DIGITS} significant digits"
    return None


def too_long(value: Decimal | int) -> str | None:
    """`excess` for a number given as an object (in-process callers), judged by its plain text."""
    return excess(format(value, "f") if isinstance(value, Decimal) else str(value))
