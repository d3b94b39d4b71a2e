"""Sweep scaling: a grid of the peers' SMA crossover on 1-minute bars, on 1..N local workers and on Ray.

  python benchmarks/sweep/bench_sweep.py                          # 64 trials, 1 M bars, local 1 and 2
  python benchmarks/sweep/bench_sweep.py --ray                    # ... and Ray with num_cpus=2
  python benchmarks/sweep/bench_sweep.py --bars 10000 --batch-size 1,8,64   # dispatch overhead
  python benchmarks/sweep/bench_sweep.py --ray --repeats 3        # round-robin, medians

Run-to-run noise on a shared VM is about 10 % (the same backtest took 3.1 s and 3.5 s in two runs
minutes apart), as large as the effect measured: `--repeats R` runs the local configurations
round-robin R times, then Ray R times, and computes the efficiency from the median walls.

Reports per executor: wall time, scaling efficiency T1 / (N * TN), the start-up (data preparation,
workers starting, first batch), the dispatch overhead per trial in the steady state (seconds per
trial between the first and the last finished batch, times the workers, minus one backtest in this
process), peak RSS and PSS summed over
the driver and its workers (PSS counts the memory-mapped data once, however many workers map it),
the load average, and whether every executor wrote the same trials.parquet bytes.
Data: the peers' gen_data.py (--peers-dir, env TRADEWIRE_PEERS_DIR, or ../shared/bench/peers
relative to the repo root); without it, the engine's seeded synthetic bars of the same shape.
Prints one `RESULT:{json}` line per run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def _data(bars: int, peers: str | None) -> list[Any]:
    import tradewire.engine as te

    folder = Path(peers or os.environ.get("TRADEWIRE_PEERS_DIR") or REPO.parent / "shared/bench/peers")
    if (folder / "gen_data.py").is_file():
        sys.path.insert(0, str(folder))
        import gen_data

        a = gen_data.make_arrays(bars)
        return [
            te.from_arrays(
                "SYN",
                a["ts"],
                open=a["open"],
                high=a["high"],
                low=a["low"],
                close=a["close"],
                volume=a["volume"],
                timeframe="1m",
                price_decimals=gen_data.PRICE_DECIMALS,
            )
        ]
    print("peers' gen_data.py not found: the engine's synthetic bars instead", file=sys.stderr)
    return [te.synthetic_bars("SYN", bars, price_decimals=6)]


def _tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over `root` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


class _Peak:
    """Samples the process tree's memory every 0.25 s on a thread; keeps the peaks."""

    def __init__(self) -> None:
        self.rss = self.pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            rss, pss = _tree_memory(os.getpid())
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)

    def __enter__(self) -> _Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bars", type=int, default=1_000_000)
    p.add_argument("--trials", type=int, default=64, help="a square grid of fast x slow (64 = 8 x 8)")
    p.add_argument("--workers", default="1,2", help="local worker counts to run, comma-separated")
    p.add_argument("--batch-size", default="", help="batch sizes to try (default: the executor's)")
    p.add_argument("--ray", action="store_true", help="also run on Ray (ray.init(num_cpus=max workers))")
    p.add_argument("--peers-dir", default=None)
    p.add_argument("--repeats", type=int, default=1, help="rounds of every configuration (medians)")
    a = p.parse_args()

    from tradewire.sdk.loader import load_strategy_class
    from tradewire.sdk.runner import backtest
    from tradewire.sdk.sweep import LocalExecutor, Sweep

    side = max(1, round(a.trials**0.5))
    params = {"fast": [5 + 5 * i for i in range(side)], "slow": [50 + 30 * i for i in range(side)]}
    cls = load_strategy_class(REPO / "benchmarks/peers/bench_tradewire.py", "SmaCross")
    data = _data(a.bars, a.peers_dir)
    workers = [int(w) for w in a.workers.split(",")]
    sizes: list[int | None] = [int(b) for b in a.batch_size.split(",") if b] or [None]
    scratch = Path(tempfile.mkdtemp(prefix="tradewire-bench-sweep-"))
    load = os.getloadavg()

    # one backtest in this process, on the prepared data the workers get: the per-trial work
    from tradewire.sdk.transports.inprocess.sweep_support import prepared_data

    prepared, _ = prepared_data(data, cls(), directory=scratch / "probe")
    timings = []
    for _ in range(3):  # the first pays for imports and warm-up: the fastest of three
        started = time.perf_counter()
        backtest(cls(fast=10, slow=50), prepared, cash="1000000")
        timings.append(time.perf_counter() - started)
    single = min(timings)

    runs: list[tuple[str, int, Any]] = [(f"local:{n}", n, None) for n in workers]
    try:
        import ray
    except ImportError:
        if a.ray:
            print("Ray is not installed (pip install 'tradewire-sdk[ray]'): no Ray run", file=sys.stderr)
            a.ray = False
    if a.ray:
        runs.append((f"ray (num_cpus={max(workers)})", max(workers), "ray"))
    results = []
    digests = set()
    # local configurations round-robin, then Ray (whose own processes would count in local runs)
    rounds = [r for r in runs if not r[2]] * a.repeats + [r for r in runs if r[2]] * a.repeats
    for i, (name, n, ray_cls) in enumerate(rounds):
        for size in sizes:
            out = scratch / f"{name.split()[0].replace(':', '-')}-{size}-{i}"
            if ray_cls:
                import ray

                from tradewire.sdk.sweep.ray_executor import RayExecutor

                if not ray.is_initialized():  # after the local runs: Ray's own processes count here
                    ray.init(num_cpus=n, include_dashboard=False, log_to_driver=False)
                executor: Any = RayExecutor(batch_size=size)
            else:
                executor = LocalExecutor(n, batch_size=size)
            sweep = Sweep(cls, data, params=params, cash="1000000", out=out)
            marks: list[tuple[float, int]] = []
            with _Peak() as peak:
                started = time.perf_counter()
                result = sweep.run(
                    executor, progress=lambda p, m=marks: m.append((time.perf_counter(), p.done))
                )
                wall = time.perf_counter() - started
            # steady state: from the first finished batch to the last, past start-up and data preparation
            (t0, d0), (t9, d9) = marks[0], marks[-1]
            steady = (t9 - t0) / (d9 - d0) if d9 > d0 else None
            digests.add(hashlib.sha256((out / "trials.parquet").read_bytes()).hexdigest())
            row = {
                "executor": name,
                "workers": n,
                "batch_size": size,
                "bars": a.bars,
                "trials": len(result.rows),
                "failed": result.failed,
                "wall_s": round(wall, 2),
                "trials_per_s": round(len(result.rows) / wall, 2),
                "efficiency": None,  # filled in below, once local:1 has run (in whatever order)
                "single_backtest_s": round(single, 3),
                "startup_s": round(marks[0][0] - started, 2),
                "steady_s_per_trial": None if steady is None else round(steady, 4),
                "overhead_per_trial_ms": None if steady is None else round((steady * n - single) * 1000, 1),
                "peak_rss_mb": round(peak.rss / 2**20),
                "peak_pss_mb": round(peak.pss / 2**20),
                "load_before": [round(x, 2) for x in load],
                "load_after": [round(x, 2) for x in os.getloadavg()],
            }
            results.append(row)
            print("RESULT:" + json.dumps(row), flush=True)
    walls: dict[tuple[str, int, int | None], list[float]] = {}
    for r in results:
        walls.setdefault((r["executor"], r["workers"], r["batch_size"]), []).append(r["wall_s"])
    medians = {k: statistics.median(v) for k, v in walls.items()}
    t1 = next((m for (name, _, _), m in medians.items() if name == "local:1"), None)
    for (name, n, size), m in medians.items():
        runs_ = ", ".join(f"{w:.1f}" for w in walls[(name, n, size)])
        line = f"SUMMARY: {name} (batch {size}): median wall {m:.2f} s of [{runs_}]"
        if t1 is not None:
            line += f", efficiency T1 / (N * TN) {t1 / (n * m):.3f}"
        print(line)
    print(f"identical trials.parquet across executors: {len(digests) == 1}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
