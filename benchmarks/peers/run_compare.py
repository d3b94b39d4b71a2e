"""Run Tradewire and the peers (NautilusTrader, backtrader, pure Python) in one session, each bench in
a fresh process under GNU time -v, and print a table with Tradewire's speed ratio to each peer.

  python benchmarks/peers/run_compare.py --bars 1000000 --repeats 3 --slow-repeats 1 --peers-python PEERS_VENV/bin/python
  python benchmarks/peers/run_compare.py --bars 2000 --symbols 100 --peers-python PEERS_VENV/bin/python

`--symbols K` runs the same rule on K symbols per instant in every script that has that mode (all but
`bench_engine.py`, which is then left out); `--bars` is per symbol, and bars/s counts all of them.

Tradewire runs with this interpreter (the repo's venv); the peers with --peers-python (a venv with
backtrader and nautilus_trader). The peers' own scripts and gen_data.py are used unchanged, from
--peers-dir (default: env TRADEWIRE_PEERS_DIR or ../shared/bench/peers next to the repo). Raw runs
go to benchmarks/results/ (git-ignored). NautilusTrader reports its final cash balance (the last
position still open), the others their final value; the table says which.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

PEERS = {
    "purepython-loop": ("bench_purepython.py", ["--mode", "loop"]),
    "purepython-engine": ("bench_purepython.py", ["--mode", "engine"]),
    "nautilus": ("bench_nautilus.py", []),
    "backtrader": ("bench_backtrader.py", []),
}
SLOW = {"nautilus", "backtrader"}  # a minute or more per run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--symbols", type=int, default=1, help="symbols per instant (the portfolio case)")
    ap.add_argument(
        "--slow-repeats",
        type=int,
        default=None,
        help="runs of NautilusTrader and backtrader (default: --repeats)",
    )
    ap.add_argument("--peers-python", default=os.environ.get("PEERS_PYTHON", sys.executable))
    ap.add_argument(
        "--peers-dir",
        default=os.environ.get("TRADEWIRE_PEERS_DIR") or str(REPO.parent / "shared/bench/peers"),
    )
    ap.add_argument("--only", default="", help="subset of tradewire-engine,tradewire-sdk," + ",".join(PEERS))
    a = ap.parse_args()
    peers_dir = Path(a.peers_dir).resolve()
    sys.path.insert(0, str(peers_dir))
    from run_bench import parse_time_v  # the peers' own GNU time parser

    gnu_time = os.environ.get("GNU_TIME") or shutil.which("time")
    if not gnu_time:
        sys.exit("GNU time not found (apt-get install time) or set GNU_TIME")
    configs: dict[str, tuple[str, list[str], str]] = {
        "tradewire-engine": (
            sys.executable,
            [str(HERE / "bench_engine.py"), "--peers-dir", str(peers_dir)],
            str(REPO),
        ),
        "tradewire-sdk": (
            sys.executable,
            [str(HERE / "bench_tradewire.py"), "--peers-dir", str(peers_dir), "--mode", "inprocess"],
            str(REPO),
        ),
        **{k: (a.peers_python, [script, *extra], str(peers_dir)) for k, (script, extra) in PEERS.items()},
    }
    only = [x for x in a.only.split(",") if x]
    results: dict[str, list[dict]] = {}
    out_dir = REPO / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = (out_dir / f"compare_{a.bars}x{a.symbols}.jsonl").open("a")
    if a.symbols > 1:
        configs.pop("tradewire-engine")  # bench_engine.py has no multi-symbol mode
    for name, (py, args, cwd) in configs.items():
        if only and name not in only:
            continue
        repeats = a.slow_repeats if name in SLOW and a.slow_repeats is not None else a.repeats
        for rep in range(repeats):
            cmd = [gnu_time, "-v", py, *args, "--bars", str(a.bars)]
            if a.symbols > 1:
                cmd += ["--symbols", str(a.symbols)]
            t0 = time.perf_counter()
            p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=3600)
            line = next((x for x in p.stdout.splitlines() if x.startswith("RESULT:")), None)
            if p.returncode or line is None:
                print(
                    f"[{name}] FAILED rc={p.returncode}\n{p.stdout[-1500:]}\n{p.stderr[-3000:]}",
                    file=sys.stderr,
                )
                break
            r = (
                json.loads(line[7:])
                | parse_time_v(p.stderr)
                | {"config": name, "rep": rep, "outer_s": time.perf_counter() - t0}
            )
            raw.write(json.dumps(r) + "\n")
            raw.flush()
            results.setdefault(name, []).append(r)
            print(
                f"[{name} #{rep}] run_s={r['run_s']:.3f} rss={r.get('max_rss_mb', 0):.0f}MB "
                f"entries={r['entries']} exits={r['exits']} final={r.get('final_value', r.get('final_balance'))}",
                flush=True,
            )

    def med(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    base = "tradewire-engine" if "tradewire-engine" in results else "tradewire-sdk"
    tw = med(results[base], "run_s") if base in results else None
    bars = a.bars * a.symbols
    print(
        f"\nbars={a.bars} symbols={a.symbols} repeats={a.repeats} slow_repeats={a.slow_repeats or a.repeats}\n"
    )
    print(
        "| framework | version | median run_s | bars/s (run) | peak RSS MB | entries/exits | final value "
        f"| run_s ÷ {base} |"
    )
    print("|---|---|---:|---:|---:|---|---:|---:|")
    for name, runs in results.items():
        rs = med(runs, "run_s")
        ratio = "–" if tw is None or name == base else f"{rs / tw:.1f}×"
        print(
            f"| {name} | {runs[0].get('version')} | {rs:.3f} | {bars / rs:,.0f} | {med(runs, 'max_rss_mb'):.0f} | "
            f"{runs[0]['entries']}/{runs[0]['exits']} | {_final(runs[0])} | {ratio} |"
        )


def _final(run: dict) -> str:
    if "final_value" in run:
        return f"{run['final_value']:.4f}"
    return f"{run['final_balance']:.2f} (cash balance)"


if __name__ == "__main__":
    main()
