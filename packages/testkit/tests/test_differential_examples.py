"""Every example strategy sees and does the same in-process and over the wire, instant by instant."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradewire.sdk.loader import load_strategy_class
from tradewire.testkit.differential import check

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.py"))


def test_the_examples_are_found() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_the_same_both_ways(path: Path) -> None:
    local, remote = check(load_strategy_class(path))
    assert local.result is not None and local.result.trades, "an example that never trades proves little"
    assert remote.result is not None and len(local.recording) == len(remote.recording) > 0
