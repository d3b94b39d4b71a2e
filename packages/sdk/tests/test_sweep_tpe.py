"""`tpe:N`: Optuna asked and told in fixed batches, so the trials depend on the seed, not the workers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("optuna", reason="needs tradewire-sdk[tpe] (nox -s ray)")

from tradewire.sdk.loader import load_strategy_class
from tradewire.sdk.sweep import LocalExecutor, Sweep

sys.path.insert(0, str(Path(__file__).parent))
from sweep_strategy import write_strategy


def test_tpe_trials_depend_on_the_seed_only_and_respect_the_constraint(tmp_path):
    cls = load_strategy_class(write_strategy(tmp_path))
    params = {"fast": "5:30:5", "slow": "20:80:10"}

    def sweep(seed: int) -> Sweep:
        return Sweep(cls, sample=True, params=params, constraint="fast < slow", search="tpe:20", seed=seed)

    one = sweep(3).run(LocalExecutor(1))
    two = sweep(3).run(LocalExecutor(2, batch_size=3))
    assert [dict(r) for r in one.rows] == [dict(r) for r in two.rows]
    assert [r["trial_id"] for r in one.rows] == list(range(20))
    chosen = [(r["fast"], r["slow"]) for r in one.rows]
    assert len(set(chosen)) == 20 and all(f < s for f, s in chosen)
    other = sweep(4).run(LocalExecutor(2))
    assert [(r["fast"], r["slow"]) for r in other.rows] != chosen
