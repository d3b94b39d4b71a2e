"""Sweeps on Ray (local mode, two CPUs): the same table as local processes, and failed trials."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="needs tradewire-sdk[ray] (nox -s ray)")

from tradewire.sdk.loader import load_strategy_class  # noqa: E402
from tradewire.sdk.sweep import LocalExecutor, Sweep  # noqa: E402
from tradewire.sdk.sweep.ray_executor import RayExecutor  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from sweep_strategy import write_strategy  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def _ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _sweep(file: Path, out: Path | None, **kw) -> Sweep:  # type: ignore[no-untyped-def]
    params = {"fast": "5:20:5", "slow": "20:60:20"}
    return Sweep(
        load_strategy_class(file), sample=True, params=params, constraint="fast < slow", out=out, **kw
    )


def test_ray_gives_the_local_table_byte_for_byte_with_its_failed_rows(tmp_path):
    file = write_strategy(tmp_path, crash=15)
    on_ray = _sweep(file, tmp_path / "ray").run(RayExecutor(batch_size=2))
    local = _sweep(file, tmp_path / "local").run(LocalExecutor(2))
    assert [dict(r) for r in on_ray.rows] == [dict(r) for r in local.rows]
    assert (tmp_path / "ray/trials.parquet").read_bytes() == (tmp_path / "local/trials.parquet").read_bytes()
    assert sum(r["status"] == "failed" for r in on_ray.rows) == 3
    assert on_ray.best_params == local.best_params


def test_walk_forward_on_ray_matches_local(tmp_path):
    file = write_strategy(tmp_path)
    kw = {"walk_forward": "train=1y,test=6m"}
    on_ray = _sweep(file, None, **kw).run("ray")
    local = _sweep(file, None, **kw).run(LocalExecutor(2))
    assert [dict(r) for r in on_ray.rows] == [dict(r) for r in local.rows]
    assert [w.trial_id for w in on_ray.windows] == [w.trial_id for w in local.windows]


def test_data_on_shared_storage_gives_the_same_table_on_ray(tmp_path):
    # Ray's workers started before this test: they fetch into the default cache, in the temp directory
    file = write_strategy(tmp_path, crash=15)
    on_ray = _sweep(file, tmp_path / "ray", shared_data=str(tmp_path / "store")).run(
        RayExecutor(batch_size=2)
    )
    local = _sweep(file, tmp_path / "local").run(LocalExecutor(2))
    assert [dict(r) for r in on_ray.rows] == [dict(r) for r in local.rows]
    assert (tmp_path / "ray/trials.parquet").read_bytes() == (tmp_path / "local/trials.parquet").read_bytes()
    assert len(list((tmp_path / "store").iterdir())) == 1
