"""Sweeps on local processes (spawn): identical results whatever the workers, failed and lost trials,
resume after a killed run, walk-forward, the CLI and the report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="needs tradewire-sdk[sweep]")

import pyarrow.parquet as pq

from tradewire.sdk.loader import load_strategy_class
from tradewire.sdk.sweep import LocalExecutor, Sweep

sys.path.insert(0, str(Path(__file__).parent))
from sweep_strategy import write_strategy

PARAMS = {"fast": "5:20:5", "slow": "20:60:20"}


def _sweep(file: Path, out: Path | None, **kw) -> Sweep:  # type: ignore[no-untyped-def]
    cls = load_strategy_class(file)
    return Sweep(cls, sample=True, params=PARAMS, constraint="fast < slow", out=out, **kw)


def _comparable(rows):  # type: ignore[no-untyped-def]
    """Rows as plain dicts (the objects differ; their values must not)."""
    return [dict(r) for r in rows]


def test_one_and_two_workers_give_the_same_table_byte_for_byte_and_a_failing_trial_is_a_row(tmp_path):
    file = write_strategy(tmp_path, crash=15)
    one = _sweep(file, tmp_path / "one").run(LocalExecutor(1))
    two = _sweep(file, tmp_path / "two").run(LocalExecutor(2, batch_size=2))
    assert _comparable(one.rows) == _comparable(two.rows)
    assert (tmp_path / "one/trials.parquet").read_bytes() == (tmp_path / "two/trials.parquet").read_bytes()
    assert [r["trial_id"] for r in one.rows] == list(range(11))
    failed = [r for r in one.rows if r["status"] == "failed"]
    assert [(r["fast"], r["slow"]) for r in failed] == [(15, 20), (15, 40), (15, 60)]
    assert all("ZeroDivisionError: the strategy's own bug in on_candle" in r["error"] for r in failed)
    assert failed[0]["objective"] is None and one.failed == 3
    ok = [r for r in one.rows if r["status"] == "ok"]
    best = max(ok, key=lambda r: (r["objective"], -r["trial_id"]))
    assert one.best_params == {"fast": best["fast"], "slow": best["slow"]}
    assert isinstance(one.best_params["fast"], int)
    assert one.statistics.trials == 8 and 0.0 <= one.statistics.pbo <= 1.0
    assert 0.0 <= one.statistics.deflated_sharpe <= 1.0 and one.statistics.observations > 500
    table = pq.read_table(tmp_path / "one/trials.parquet")
    assert table.num_rows == 11 and table.schema.field("fast").type == "int64"
    frame = one.frame()
    assert list(frame["trial_id"]) == list(range(11)) and "returns" not in frame.columns


def test_a_lost_worker_rebuilds_the_pool_and_only_its_trial_fails(tmp_path):
    file = write_strategy(tmp_path, die=10)
    result = _sweep(file, None).run(LocalExecutor(2, batch_size=1, max_retries=1))
    lost = [(r["fast"], r["slow"]) for r in result.rows if r["status"] != "ok"]
    assert lost == [(10, 20), (10, 40), (10, 60)]
    assert all(r["error"].startswith("worker lost") for r in result.rows if r["status"] != "ok")
    assert sum(r["status"] == "ok" for r in result.rows) == 8


def test_resume_after_a_killed_run_skips_what_finished(tmp_path):
    trace = tmp_path / "runs.txt"
    file = write_strategy(tmp_path, pause=0.6, trace=str(trace))
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        "from tradewire.sdk.cli import main; main()",
        "sweep",
        str(file),
        "--sample",
        "--param",
        "fast=5:20:5",
        "--param",
        "slow=20:60:20",
        "--constraint",
        "fast < slow",
        "--executor",
        "local:1",
        "--batch-size",
        "1",
        "--out",
        str(out),
    ]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "parts").glob("part-*.parquet"))) < 3:
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the driver and its workers, mid-sweep
        process.wait()
    parts = sorted((out / "parts").glob("part-*.parquet"))
    kept = {(r["fast"], r["slow"]) for f in parts for r in pq.read_table(f).to_pylist()}
    assert 3 <= len(kept) < 11 and not (out / "trials.parquet").exists()
    before = trace.read_text().splitlines()
    with pytest.raises(Exception, match="--resume"):
        _sweep(file, out).run(LocalExecutor(1))
    resumed = _sweep(file, out, resume=True).run(LocalExecutor(1))
    after = trace.read_text().splitlines()[len(before) :]
    assert not kept & {tuple(int(x) for x in line.split(",")) for line in after}  # none ran again
    (tmp_path / "fresh").mkdir()
    fresh = _sweep(write_strategy(tmp_path / "fresh"), None).run(LocalExecutor(2))
    assert _comparable(resumed.rows) == _comparable(fresh.rows)
    assert pq.read_table(out / "trials.parquet").num_rows == 11


def test_walk_forward_chooses_in_sample_and_scores_out_of_sample(tmp_path):
    file = write_strategy(tmp_path)
    result = _sweep(file, tmp_path / "wf", walk_forward="train=1y,test=6m").run(LocalExecutor(2))
    assert len(result.windows) == 2
    for w in result.windows:
        train = [r for r in result.rows if r["window"] == w.index and r["phase"] == "train"]
        test = [r for r in result.rows if r["window"] == w.index and r["phase"] == "test"]
        assert len(train) == 11 and len(test) == 1
        best = max(train, key=lambda r: (r["objective"], -r["trial_id"]))
        assert test[0]["trial_id"] == best["trial_id"] == w.trial_id
        assert w.in_sample == best["objective"] and w.out_of_sample == test[0]["objective"]
        assert test[0]["days"][0] * 86_400 * 10**9 >= w.test_start
        assert train[0]["days"][-1] * 86_400 * 10**9 <= w.train_end  # the day of the last bar's end
        # Each window's choice is judged among its own in-sample trials.
        assert w.statistics.trials == 11 and 0.0 <= w.statistics.pbo <= 1.0
        assert 0.0 <= w.statistics.deflated_sharpe <= 1.0
    assert result.statistics == result.windows[-1].statistics  # the choice one would trade next
    oos = result.out_of_sample
    assert oos is not None
    returns = [r for w in result.windows for r in w.test_returns]
    growth = 1.0
    for r in returns:
        growth *= 1.0 + r
    assert (oos.windows, oos.days) == (2, len(returns)) and oos.days > 200
    assert oos.total_return == pytest.approx(growth - 1.0, rel=1e-12)
    assert oos.positive == sum(1 for w in result.windows if w.out_of_sample > 0)
    ins = sum(w.in_sample for w in result.windows) / 2
    outs = sum(w.out_of_sample for w in result.windows) / 2
    assert oos.efficiency == (pytest.approx(outs / ins) if ins > 0 else None)
    html = result.report(tmp_path / "wf/report.html").read_text()
    assert "Walk-forward" in html and "<svg" in html and "deflated Sharpe ratio" in html
    assert "walk-forward efficiency" in html and "out-of-sample daily Sharpe ratio" in html


def test_the_command_prints_the_best_parameters_and_writes_the_table_and_report(tmp_path):
    file = write_strategy(tmp_path)
    out = tmp_path / "cli"
    command = [
        sys.executable,
        "-c",
        "from tradewire.sdk.cli import main; main()",
        "sweep",
        str(file),
        "--sample",
    ]
    command += ["--param", "fast=5,10", "--param", "slow=20,40", "--search", "random:3", "--seed", "7"]
    command += ["--executor", "local:2", "--out", str(out), "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "best parameters" in done.stdout and "PBO" in done.stdout
    assert pq.read_table(out / "trials.parquet").num_rows == 3
    assert (out / "report.html").read_text().startswith("<!doctype html>")
    bad = subprocess.run([*command[:6], "--param", "nope=1:3"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "has no parameter 'nope'" in bad.stderr


def test_workers_receive_the_data_as_file_paths_not_as_copies(tmp_path):
    import pickle

    from tradewire.sdk.sweep.worker import StrategyRef, WorkerSetup
    from tradewire.sdk.transports.inprocess.sweep_support import detached, prepared_data

    cls = load_strategy_class(write_strategy(tmp_path))
    data, key = prepared_data(None, cls(), sample=True, directory=tmp_path / "data")
    assert [s.symbol for s in data] == ["AAPL", "MSFT"] and (tmp_path / "data" / key).is_dir()
    mapped = len(pickle.dumps(WorkerSetup(StrategyRef.of(cls), data)))
    copied = len(pickle.dumps(WorkerSetup(StrategyRef.of(cls), detached(data))))
    assert mapped < 3_000 < 500 * 6 * 8 < copied  # 2 symbols x ~520 days x 6 int64 columns


def test_data_published_on_shared_storage_gives_the_same_table_and_is_fetched_once_per_machine(
    tmp_path, monkeypatch
):
    import pickle

    from tradewire.engine import SharedDataset
    from tradewire.sdk.sweep.worker import StrategyRef, WorkerSetup

    monkeypatch.setenv("TRADEWIRE_DATASET_CACHE", str(tmp_path / "node-cache"))  # spawned workers inherit it
    file = write_strategy(tmp_path, crash=15)
    plain = _sweep(file, tmp_path / "plain").run(LocalExecutor(2))
    job = _sweep(file, tmp_path / "shared-run", shared_data=(tmp_path / "store").as_uri())
    shared = job.run(LocalExecutor(2))
    assert _comparable(shared.rows) == _comparable(plain.rows)
    assert (tmp_path / "plain/trials.parquet").read_bytes() == (
        tmp_path / "shared-run/trials.parquet"
    ).read_bytes()
    [published] = (tmp_path / "store").iterdir()
    assert sorted(p.name for p in published.iterdir()) == ["0.parquet", "1.parquet", "dataset.json"]
    assert [p.name for p in (tmp_path / "node-cache").iterdir()] == [published.name]
    # What each worker receives: the strategy's address and the dataset's, not the columns.
    ref = SharedDataset((tmp_path / "store").as_uri(), published.name)
    setup = WorkerSetup(StrategyRef.of(job.strategy), [object()], shared=ref)  # data dropped when pickled
    assert len(pickle.dumps(setup)) < 1_000


def _default_sigint() -> None:
    """In the child, before exec: SIGINT as a terminal's foreground job has it. A shell that starts
    this test run in the background sets SIGINT to ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_keeps_what_finished(tmp_path):
    file = write_strategy(tmp_path, pause=0.6)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-c",
        "from tradewire.sdk.cli import main; main()",
        "sweep",
        str(file),
        "--sample",
    ]
    command += ["--param", "fast=5:20:5", "--param", "slow=20:60:20", "--constraint", "fast < slow"]
    command += ["--executor", "local:1", "--batch-size", "1", "--out", str(out), "--no-progress"]
    process = subprocess.Popen(
        command,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while len(list((out / "parts").glob("part-*.parquet"))) < 2:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends the foreground group on Ctrl-C
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert b"--resume" in err
    kept = pq.read_table(out / "trials.parquet").to_pylist()
    assert 2 <= len(kept) < 11 and all(r["status"] == "ok" for r in kept)


def test_a_trial_whose_metrics_are_undefined_is_finished_but_never_the_best(tmp_path):
    from tradewire.sdk.sweep.walkforward import best_row
    from tradewire.sdk.sweep.worker import StrategyRef, Task, WorkerSetup, run_task
    from tradewire.sdk.transports.inprocess.sweep_support import prepared_data

    (tmp_path / "idle.py").write_text(
        "from tradewire.sdk import Strategy\n\n\nclass Idle(Strategy):\n"
        '    symbols = ("AAPL",)\n    timeframe = "1d"\n    level = 1\n'
    )
    cls = load_strategy_class(tmp_path / "idle.py")
    data, _ = prepared_data(None, cls(), sample=True)
    row = run_task(WorkerSetup(StrategyRef.of(cls), data), Task(0, {"level": 2}), "sharpe")
    assert row["status"] == "ok" and row["error"] is None
    assert row["sharpe"] is None and row["objective"] is None  # no trade: no Sharpe ratio
    assert row["total_return"] == 0.0 and len(row["returns"]) == len(row["days"]) > 500
    assert best_row([row]) is None
