"""Prepared datasets published as Parquet named by their content hash, on storage every node can read."""

# A cluster's workers cannot map the driver's .npy files, and Ray's object store ships the columns
# again for every sweep. Published once under `<location>/<content hash>/` (a mounted path such as
# NFS, or a URI pyarrow's filesystems open: s3://, gs://, hdfs://, file://), a dataset is read by
# each node once, checked against its hash, and kept in the node's own cache as memory-mapped .npy
# files: one copy per node, whatever the number of workers or of sweeps over the same data.

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tradewire.engine.data.errors import DataError
from tradewire.engine.data.prepared import (
    Columns,
    PreparedSeries,
    dataset_key,
    described,
    description,
    load_dataset,
    saved_dataset,
)

__all__ = ["SharedDataset", "open_shared_dataset", "publish_dataset"]

#: Written last: a dataset directory without it is still being published (or was abandoned).
_MARKER = "dataset.json"
#: This machine's cache of fetched datasets (memory-mapped .npy files, one directory per hash).
CACHE_ENV = "TRADEWIRE_DATASET_CACHE"


@dataclass(frozen=True, slots=True)
class SharedDataset:
    """Where a published dataset lives: `location` (as given to `publish_dataset`) and its content
    hash `key`. Small and picklable: this, not the data, is what a sweep sends to each worker."""

    location: str
    key: str

    @property
    def uri(self) -> str:
        return f"{self.location.rstrip('/')}/{self.key}"


def _filesystem(location: str) -> tuple[Any, str]:
    try:
        from pyarrow import fs  # type: ignore[import-untyped]
    except ImportError as e:
        raise ImportError("shared datasets need pyarrow: pip install 'tradewire-engine[parquet]'") from e
    if "://" not in location:
        location = str(Path(location).resolve())
    try:
        opened: tuple[Any, str] = fs.FileSystem.from_uri(location)
    except Exception as e:  # pyarrow raises ArrowInvalid / OSError for unknown schemes or bad URIs
        raise DataError(location, None, f"cannot open this location: {e}") from None
    return opened


def publish_dataset(series: Sequence[PreparedSeries], location: str) -> SharedDataset:
    """Write `series` under `location/<content hash>/` as one Parquet file each (int64 columns, the
    series' description in the file's metadata), then the marker; a dataset already there is reused.

    Content addressing makes concurrent publishers harmless: they write the same bytes.

    Raises:
        DataError: the location cannot be opened or written.
        ImportError: pyarrow is not installed.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    if "://" not in location:  # workers resolve the same absolute path, whatever their directory
        location = str(Path(location).resolve())
    shared = SharedDataset(location, dataset_key(series))
    fs, root = _filesystem(location)
    directory = f"{root.rstrip('/')}/{shared.key}"
    try:
        if fs.get_file_info(f"{directory}/{_MARKER}").is_file:
            return shared
        fs.create_dir(directory, recursive=True)
        meta = []
        for i, s in enumerate(series):
            meta.append(description(s))
            table = pa.table({name: np.asarray(a) for name, a in s.columns.arrays.items()})
            table = table.replace_schema_metadata({"tradewire": json.dumps(meta[-1])})
            pq.write_table(table, f"{directory}/{i}.parquet", filesystem=fs, compression="zstd")
        with fs.open_output_stream(f"{directory}/{_MARKER}") as out:
            out.write(json.dumps({"key": shared.key, "series": meta}).encode())
    except OSError as e:
        raise DataError(shared.uri, None, f"cannot publish the dataset: {e}") from None
    return shared


def open_shared_dataset(shared: SharedDataset, cache: str | Path | None = None) -> list[PreparedSeries]:
    """The published dataset, memory-mapped from this machine's cache (filled from `shared` once,
    after its content is checked against the hash it was published under). The cache is `cache`,
    else $TRADEWIRE_DATASET_CACHE, else `tradewire-datasets` in the temporary directory.

    Raises:
        DataError: the dataset is missing, unfinished, or its content does not match its hash.
        ImportError: pyarrow is not installed.
    """
    if cache is None:
        cache = os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "tradewire-datasets"
    local = Path(cache)
    if (local / shared.key / _MARKER).is_file():
        return load_dataset(local / shared.key)
    loaded = _read(shared)
    if dataset_key(loaded) != shared.key:
        raise DataError(shared.uri, None, "its content does not match the hash it was published under")
    return saved_dataset(loaded, local / shared.key)  # hashed once, just above


def _read(shared: SharedDataset) -> list[PreparedSeries]:
    import pyarrow.parquet as pq

    fs, root = _filesystem(shared.location)
    directory = f"{root.rstrip('/')}/{shared.key}"
    try:
        with fs.open_input_stream(f"{directory}/{_MARKER}") as marker:
            meta = json.loads(marker.read())["series"]
        out = []
        for i, one in enumerate(meta):
            table = pq.read_table(f"{directory}/{i}.parquet", filesystem=fs)
            arrays = {
                n: np.ascontiguousarray(table.column(n).to_numpy(), dtype=np.int64) for n in one["columns"]
            }
            out.append(described(one, Columns(arrays)))
    except (OSError, KeyError, ValueError) as e:
        raise DataError(shared.uri, None, f"not a published dataset (or not finished): {e}") from None
    return out
