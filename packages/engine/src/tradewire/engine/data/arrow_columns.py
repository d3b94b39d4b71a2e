"""Arrow columns as numpy arrays, read straight from their buffers so that pandas is never loaded."""

# pyarrow's `Array.to_numpy` goes through its pandas conversion layer, which imports pandas (about
# 50 MB of resident memory) even for a zero-copy float column. A Parquet stream needs only
# fixed-width numbers and timestamps, which are plain buffers: view them directly.

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["column_numpy"]


def _dtype(t: Any) -> np.dtype | None:
    """The numpy dtype whose items are exactly the values of fixed-width Arrow type `t`, if any."""
    import pyarrow as pa  # type: ignore[import-untyped]

    if pa.types.is_timestamp(t):
        # Arrow stores a timestamp as int64 counts of its unit since the epoch, UTC even with a zone
        return np.dtype(f"datetime64[{t.unit}]")
    if pa.types.is_floating(t):
        return np.dtype(f"f{t.bit_width // 8}")
    if pa.types.is_signed_integer(t):
        return np.dtype(f"i{t.bit_width // 8}")
    if pa.types.is_unsigned_integer(t):
        return np.dtype(f"u{t.bit_width // 8}")
    return None


def column_numpy(col: Any) -> np.ndarray:
    """A read-only numpy view of Arrow array `col` (no copy) when it is a fixed-width number or
    timestamp column without nulls; anything else (nulls, text, dates) goes through pyarrow's own
    conversion, nulls becoming NaN/NaT as before."""
    dtype = _dtype(col.type)
    if dtype is None or col.null_count:
        return np.asarray(col.to_numpy(zero_copy_only=False))
    if len(col) == 0:
        return np.empty(0, dtype=dtype)
    data = col.buffers()[1]
    return np.frombuffer(data, dtype=dtype, count=len(col), offset=col.offset * dtype.itemsize)
