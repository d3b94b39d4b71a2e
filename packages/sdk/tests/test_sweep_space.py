"""The sweep's trial list: typed parameters, grid order, constraints, seeded random draws, spellings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradewire.sdk import Strategy
from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.sweep import Sweep
from tradewire.sdk.sweep.constraint import compile_constraint
from tradewire.sdk.sweep.executor import batches, parse_executor
from tradewire.sdk.sweep.space import space_of
from tradewire.sdk.sweep.trials import Search, parse_search, trial_list
from tradewire.sdk.sweep.walkforward import WalkForward, parse_walk_forward
from tradewire.sdk.sweep.worker import Task


class Typed(Strategy):
    fast = 10
    slow = 30
    band = 1.5
    quantity = Decimal("50")
    side = "long"
    hedge = False


def test_parameters_are_typed_from_the_class_attributes():
    space = space_of(
        Typed,
        {
            "fast": "5:15:5",
            "band": "0.1:0.3:0.1",
            "quantity": "1,2.5",
            "side": "long,short",
            "hedge": "true,false",
        },
    )
    assert [p.values for p in space] == [
        (5, 10, 15),
        (0.1, 0.2, 0.3),  # decimal steps: 0.3 is reached, no float drift drops it
        (Decimal("1"), Decimal("2.5")),
        ("long", "short"),
        (True, False),
    ]
    assert [p.kind for p in space] == [int, float, Decimal, str, bool]
    assert space_of(Typed, {"slow": [20, 40], "band": 2})[1].values == (2.0,)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"nope": "1:3"}, "has no parameter 'nope'"),
        ({"on_candle": "1"}, "has no parameter"),
        ({"fast": "1.5:3"}, "fractional"),
        ({"fast": "5:1"}, "START <= STOP"),
        ({"fast": "a,b"}, "not a int"),
        ({"fast": "1,1"}, "repeat"),
        ({}, "nothing to sweep"),
    ],
)
def test_bad_parameters_are_refused_with_the_reason(params, reason):
    with pytest.raises(ConfigurationError, match=reason):
        space_of(Typed, params)


def test_the_grid_varies_the_last_parameter_fastest_and_the_constraint_filters_it():
    space = space_of(Typed, {"fast": "5:15:5", "slow": "10:20:5"})
    trials = trial_list(space, Search("grid"), seed=0, constraint="fast < slow")
    assert [(t.id, t.params["fast"], t.params["slow"]) for t in trials] == [
        (0, 5, 10),
        (1, 5, 15),
        (2, 5, 20),
        (3, 10, 15),
        (4, 10, 20),
        (5, 15, 20),
    ]
    assert len(trial_list(space, Search("grid"), 0, lambda p: p["slow"] - p["fast"] >= 10)) == 3
    with pytest.raises(ConfigurationError, match="no parameter combination"):
        trial_list(space, Search("grid"), 0, "fast > 100")


def test_random_search_draws_from_the_seed_only():
    space = space_of(Typed, {"fast": "1:50", "slow": "1:50"})
    first = trial_list(space, Search("random", 20), seed=42)
    assert first == trial_list(space, Search("random", 20), seed=42)
    assert first != trial_list(space, Search("random", 20), seed=43)
    assert [t.id for t in first] == list(range(20))
    assert len({tuple(t.params.values()) for t in first}) == 20  # without replacement
    assert len(trial_list(space, Search("random", 5000), seed=1)) == 2500  # no more than the grid


def test_constraints_are_expressions_over_the_parameters_and_nothing_else():
    check = compile_constraint("fast < slow and (slow - fast) % 5 == 0 or not fast")
    assert check({"fast": 5, "slow": 15}) and not check({"fast": 5, "slow": 12})
    with pytest.raises(ConfigurationError, match="not a swept parameter"):
        compile_constraint("fast < other")({"fast": 1})
    with pytest.raises(ConfigurationError, match="cannot use"):
        compile_constraint("__import__('os').getpid() > 0")({"fast": 1})
    with pytest.raises(ConfigurationError, match="not an expression"):
        compile_constraint("fast <")


def test_spellings_of_search_executor_and_walk_forward():
    assert parse_search("random:500") == Search("random", 500) and parse_search("grid") == Search("grid")
    for bad in ("random", "tpe:0", "grid:3", "bayes:10"):
        with pytest.raises(ConfigurationError):
            parse_search(bad)
    assert parse_executor("local:3").workers == 3
    for bad in ("local:0", "threads", "local:x"):
        with pytest.raises(ConfigurationError):
            parse_executor(bad)
    assert parse_walk_forward("train=2y,test=6m,step=3m,anchored") == WalkForward("2y", "6m", "3m", True)
    with pytest.raises(ConfigurationError, match="needs train= and test="):
        parse_walk_forward("train=2y")


def test_batches_cut_the_tasks_in_order():
    tasks = [Task(i, {}) for i in range(10)]
    assert [[t.trial_id for t in b] for b in batches(tasks, 2, 4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert sum(len(b) for b in batches(tasks, 2, None)) == 10


def test_a_sweep_checks_its_objective_and_lists_its_trials():
    with pytest.raises(ConfigurationError, match="objective"):
        Sweep(Typed, params={"fast": "1:3"}, objective="luck")
    sweep = Sweep(Typed, params={"fast": "1:3", "slow": "2:4"}, constraint="fast < slow")
    assert [tuple(t.params.values()) for t in sweep.trials()] == [
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 3),
        (2, 4),
        (3, 4),
    ]
