"""Golden traces: a scenario's event sequence with ids masked, stored as JSONL and compared across targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tradewire.protocol import codec

__all__ = ["GOLDEN_DIR", "compare", "normalize"]

GOLDEN_DIR = Path(__file__).parent / "golden"

#: Keys whose values are identifiers: replaced by `<id:n>` in order of first appearance, so links stay.
ID_KEYS = frozenset(
    {
        "id",
        "order_id",
        "position_id",
        "parent_order_id",
        "client_order_id",
        "event_id",
        "batch_id",
        "order_ids",
    }
)
#: Keys that carry client-chosen or wall-clock values: replaced by a constant.
MASKED_KEYS = frozenset({"correlation_id"})
#: Events the gateway produces on its own (never part of the simulation's trace).
LOCAL_TYPES = frozenset({"connection", "ping", "data_staleness", "rate_limit"})


def normalize(events: list[Any]) -> list[dict[str, Any]]:
    """Wire dicts of the simulation's events with ids and wall-clock fields masked."""
    ids: dict[str, str] = {}

    def mask(key: str, value: Any) -> Any:
        if key in MASKED_KEYS:
            return "<masked>"
        if key in ID_KEYS:
            if isinstance(value, list):
                return [mask(key, v) for v in value]
            if isinstance(value, str):
                return ids.setdefault(value, f"<id:{len(ids) + 1}>")
        return walk(value)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: mask(k, v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    out = []
    for e in events:
        d = codec.to_dict(e)
        if d.get("type") in LOCAL_TYPES:
            continue
        out.append(walk(d))
    return out


def _line(d: dict[str, Any]) -> str:
    return orjson.dumps(d, option=orjson.OPT_SORT_KEYS).decode()


def compare(
    scenario_id: str, events: list[Any], *, update: bool = False, directory: Path | None = None
) -> None:
    """Compare with `golden/<id>.jsonl`; `update` rewrites it. AssertionError names the first difference."""
    path = (directory or GOLDEN_DIR) / f"{scenario_id}.jsonl"
    lines = [_line(d) for d in normalize(events)]
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines))
        return
    if not path.is_file():
        raise AssertionError(f"no golden trace {path.name}; record it with --update-golden")
    expected = path.read_text().splitlines()
    for i, (want, got) in enumerate(zip(expected, lines, strict=False)):
        if want != got:
            raise AssertionError(
                f"event {i + 1} differs from the golden trace {path.name}:\n  expected {want}\n  got      {got}"
            )
    if len(expected) != len(lines):
        longer, which = (expected, "missing") if len(expected) > len(lines) else (lines, "unexpected")
        extra = longer[min(len(expected), len(lines))]
        raise AssertionError(
            f"golden trace {path.name} has {len(expected)} events, the run produced {len(lines)}; "
            f"first {which} event: {extra}"
        )
