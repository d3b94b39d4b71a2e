"""A gateway run's ids made comparable with an in-process run's: its run id taken out of them."""

# A backtest gateway names each start a new run and puts the run id into its order and trade ids
# (`ord-<run_id>-000001`), so that a restarted gateway never repeats an id; an in-process backtest has
# no run, and its ids are `ord-000001`. Everything else is byte for byte the same, including the
# correlation ids, which the engine derives from the order ids: those are mapped back as well.

from __future__ import annotations

from typing import Any

__all__ = ["without_run"]


def without_run(value: Any, run_id: str | None) -> Any:
    """`value` (JSON-like: dicts, lists, tuples, strings) with `<run_id>-` taken out of every id that
    carries it, and every correlation id derived from such an order id replaced by the in-process one.
    Unchanged when `run_id` is None or empty."""
    if not run_id:
        return value
    from tradewire.engine import correlation_id

    marker = f"-{run_id}-"
    order_ids: set[str] = set()
    _collect(value, marker, order_ids)
    mapping = {correlation_id(oid): correlation_id(oid.replace(marker, "-")) for oid in order_ids}
    return _rewrite(value, marker, mapping)


def _collect(value: Any, marker: str, out: set[str]) -> None:
    if isinstance(value, str):
        if value.startswith("ord") and marker in value:
            out.add(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _collect(k, marker, out)
            _collect(v, marker, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect(v, marker, out)


def _rewrite(value: Any, marker: str, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value) or (value.replace(marker, "-") if marker in value else value)
    if isinstance(value, dict):
        return {_rewrite(k, marker, mapping): _rewrite(v, marker, mapping) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_rewrite(v, marker, mapping) for v in value)
    if isinstance(value, list):
        return [_rewrite(v, marker, mapping) for v in value]
    return value
