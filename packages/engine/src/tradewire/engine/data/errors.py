"""DataError: bad input refused before the run, naming the source, the row and the reason; DataNotice."""

from __future__ import annotations

__all__ = ["DataError", "DataNotice"]


class DataError(ValueError):
    """Market data that cannot be simulated: missing columns, unsorted or duplicate timestamps,
    high < low, NaN, negative volume, unknown timeframe.

    Attributes:
        source: File name or a description of the in-memory source.
        row: 1-based data row (header excluded), or None when the whole source is at fault.
        reason: What is wrong.
    """

    def __init__(self, source: str, row: int | None, reason: str) -> None:
        where = f"{source} row {row}" if row is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.row = row
        self.reason = reason


class DataNotice(UserWarning):
    """Input that is read, but not entirely as it stands (an `Adj Close` column left unused, say):
    issued with `warnings.warn` once per source, so a command line can print it as one line."""
