"""Compare two runs: the first snapshot, fill or final figure that differs, named with both values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tradewire.testkit.differential.snapshot import Snapshot

__all__ = ["ABSENT", "Divergence", "first_difference", "first_divergence"]


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


#: Stands for a key, list item or record one side has and the other lacks.
ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class Divergence:
    """Where two runs first differ.

    Attributes:
        where: The instant (time, record, handler, phase) or the part of the final result.
        field: Path of the first differing field inside it (`equity`, `positions.AAPL.current_price`).
        left, right: The two values (ABSENT where one side has none).
    """

    where: str
    field: str
    left: Any
    right: Any

    def message(self, left_name: str, right_name: str) -> str:
        """One line naming the instant, the field and both values."""
        return (
            f"{left_name} and {right_name} differ first at {self.where}: {self.field or '(value)'}: "
            f"{left_name} {self.left!r} != {right_name} {self.right!r}"
        )


def first_difference(left: Any, right: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """(path, left value, right value) of the first difference between two JSON-like values, or None.

    Dicts are walked in the left side's key order (then keys only the right has), lists item by item.
    Values must be equal and of the same type: Decimal text "1.0" and "1.00" differ, as a strategy
    printing them would see.
    """
    if isinstance(left, dict) and isinstance(right, dict):
        for key in [*left, *(k for k in right if k not in left)]:
            sub = f"{path}.{key}" if path else str(key)
            found = first_difference(left.get(key, ABSENT), right.get(key, ABSENT), sub)
            if found is not None:
                return found
        return None
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)) and type(left) is type(right):
        for i in range(max(len(left), len(right))):
            a = left[i] if i < len(left) else ABSENT
            b = right[i] if i < len(right) else ABSENT
            found = first_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if type(left) is not type(right) or left != right:
        return path, left, right
    return None


def first_divergence(left: Sequence[Snapshot], right: Sequence[Snapshot]) -> Divergence | None:
    """The first snapshot where two recordings differ (or where one of them ends early), or None."""
    for a, b in zip(left, right, strict=False):
        found = first_difference(a.fields(), b.fields())
        if found is not None:
            return Divergence(a.where(), *found)
    if len(left) != len(right):
        longer = left if len(left) > len(right) else right
        extra = longer[min(len(left), len(right))]
        seen = f"{extra.handler} {extra.phase} at {extra.time}"
        a_val = seen if longer is left else ABSENT
        b_val = seen if longer is right else ABSENT
        return Divergence(f"{extra.where()}, which only one run reached", "record", a_val, b_val)
    return None
