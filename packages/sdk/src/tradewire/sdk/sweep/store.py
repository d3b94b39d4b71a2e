"""The trials table: rows kept in memory and streamed to Parquet as batches finish, read back to resume."""

# Layout under --out: sweep.json (what was swept: a resume must match it), parts/part-*.parquet (one
# file per finished batch, written to a temporary name and renamed, so a killed run never leaves a
# torn file), and trials.parquet (every row sorted by key) when the sweep ends.

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.sweep.space import Parameter
from tradewire.sdk.sweep.worker import METRICS, PHASES

__all__ = ["TrialStore", "row_key"]


def row_key(row: Mapping[str, Any]) -> tuple[int, int, int]:
    """Sort key of a row: window, then phase (train before test), then trial id."""
    return (int(row["window"]), PHASES[str(row["phase"])], int(row["trial_id"]))


def _arrow() -> Any:
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError as e:
        raise ConfigurationError(
            f"sweeps write Parquet: pip install 'tradewire-sdk[sweep]' (pyarrow) ({e})"
        ) from None
    return pa, pq


def _schema(space: Sequence[Parameter]) -> Any:
    pa, _ = _arrow()
    kinds = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), Decimal: pa.string(), str: pa.string()}
    fields = [
        pa.field("trial_id", pa.int64()),
        pa.field("window", pa.int32()),
        pa.field("phase", pa.string()),
    ]
    fields += [pa.field(p.name, kinds[p.kind]) for p in space]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    fields += [pa.field("objective", pa.float64())] + [pa.field(m, pa.float64()) for m in METRICS]
    fields += [pa.field("returns", pa.list_(pa.float64())), pa.field("days", pa.list_(pa.int64()))]
    return pa.schema(fields)


class TrialStore:
    """Rows by key; with `out`, each `add` writes a Parquet part and `finish` the sorted table.

    Raises (constructor):
        ConfigurationError: `out` holds another sweep's results, or results without `resume`.
    """

    def __init__(
        self, out: Path | None, space: Sequence[Parameter], manifest: Mapping[str, Any], resume: bool
    ) -> None:
        self.out = out
        self.space = list(space)
        self.schema = _schema(space)
        self.rows: dict[tuple[int, int, int], dict[str, Any]] = {}
        self._parts = 0
        if out is None:
            return
        parts = out / "parts"
        saved = out / "sweep.json"
        if saved.is_file():
            if not resume:
                raise ConfigurationError(f"{out} holds a sweep already: pass --resume, or choose a new --out")
            if json.loads(saved.read_text()) != json.loads(json.dumps(manifest)):
                raise ConfigurationError(
                    f"{out} holds a different sweep (strategy, parameters, search, seed, data or "
                    "walk-forward differ): choose a new --out"
                )
            for file in sorted(parts.glob("part-*.parquet")):
                for row in self._read(file):
                    self.rows[row_key(row)] = row
                self._parts += 1
        else:
            parts.mkdir(parents=True, exist_ok=True)
            saved.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")

    def _read(self, file: Path) -> list[dict[str, Any]]:
        _, pq = _arrow()
        rows: list[dict[str, Any]] = pq.read_table(file, schema=self.schema).to_pylist()
        for p in self.space:
            if p.kind is Decimal:
                for row in rows:
                    row[p.name] = Decimal(row[p.name])
        return rows

    def _table(self, rows: Iterable[Mapping[str, Any]]) -> Any:
        pa, _ = _arrow()
        decimals = [p.name for p in self.space if p.kind is Decimal]
        plain = [{**r, **{n: str(r[n]) for n in decimals}} for r in rows]
        return pa.Table.from_pylist(plain, schema=self.schema)

    def done(self) -> set[tuple[int, int, int]]:
        return set(self.rows)

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Keep `rows` and, with `out`, write them as one more part (atomically)."""
        for row in rows:
            self.rows[row_key(row)] = row
        if self.out is None or not rows:
            return
        _, pq = _arrow()
        name = self.out / "parts" / f"part-{self._parts:06d}-{os.getpid()}.parquet"
        self._parts += 1
        tmp = name.with_suffix(".tmp")
        pq.write_table(self._table(rows), tmp)
        tmp.replace(name)

    def sorted_rows(self) -> list[dict[str, Any]]:
        return [self.rows[k] for k in sorted(self.rows)]

    def finish(self) -> Path | None:
        """Write trials.parquet (every row, sorted by key); its path, or None without `out`."""
        if self.out is None:
            return None
        _, pq = _arrow()
        target = self.out / "trials.parquet"
        tmp = target.with_suffix(".tmp")
        pq.write_table(self._table(self.sorted_rows()), tmp)
        tmp.replace(target)
        return target
