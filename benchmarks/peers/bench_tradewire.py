"""Tradewire in the peer benchmark: SMA(10)/SMA(30) crossover on the peers' synthetic 1-minute bars.

  python benchmarks/peers/bench_tradewire.py --bars 1000000 --mode inprocess
  python benchmarks/peers/bench_tradewire.py --bars 100000 --mode wire
  python benchmarks/peers/bench_tradewire.py --bars 10000 --symbols 100 --mode wire

The strategy is written once as a `tradewire.sdk.Strategy` and run unchanged both ways:
  --mode inprocess  through the SDK's in-process transport (the engine in this process, no sockets);
  --mode wire       against `tradewire-gateway serve --platform backtest` started in a subprocess on
                    127.0.0.1, over REST + the `/v1/ws` stream (batched framing, one ack per batch).

Data comes from the peers' gen_data.py (found with --peers-dir, env TRADEWIRE_PEERS_DIR, or
../shared/bench/peers relative to the repo root). Market orders fill at the next bar's open, long
only, 100 units, no fees. Prints one `RESULT:{json}` line (gen_data.emit), like every peer script.

`--symbols N` runs the same rule on N symbols at once (seeds seed, seed+1, ...; cash N times the
peers'), every instant carrying N bars: the many-symbols throughput figure. Only N=1 has the
peers' reference answer.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tradewire.sdk import SMA, Candle, Strategy

REPO = Path(__file__).resolve().parents[2]
SYMBOL = "SYN"


def _peers_dir(arg: str | None) -> Path:
    p = arg or os.environ.get("TRADEWIRE_PEERS_DIR") or str(REPO.parent / "shared" / "bench" / "peers")
    return Path(p).resolve()


class SmaCross(Strategy):
    """The shared strategy: SMA(10)/SMA(30) of close (the SDK's running-sum SMA, the peers' float
    arithmetic); flat and cross-up → buy; long and cross-down → sell everything."""

    fast = 10
    slow = 30
    quantity = 100

    def on_start(self) -> None:
        self.f = SMA(self.fast)
        self.s = SMA(self.slow)
        self.prev: float | None = None

    def on_candle(self, bar: Candle) -> None:
        c = bar.close
        f = self.f.update(c)
        s = self.s.update(c)
        if s is None:
            return
        diff = f - s  # type: ignore[operator]
        prev, self.prev = self.prev, diff
        if prev is None:
            return
        if diff > 0:
            if prev <= 0 and not self.position(bar.symbol):
                self.buy(bar.symbol, self.quantity)
        elif diff < 0 and prev >= 0:
            held = self.position(bar.symbol)
            if held > 0:
                self.sell(bar.symbol, held)


class MultiSmaCross(Strategy):
    """SmaCross on every symbol, each with its own averages and crossover state."""

    fast = 10
    slow = 30
    quantity = 100

    def on_start(self) -> None:
        self.books: dict[str, list[Any]] = {}

    def on_candle(self, bar: Candle) -> None:
        sym = bar.symbol
        book = self.books.get(sym)
        if book is None:
            book = self.books[sym] = [SMA(self.fast), SMA(self.slow), None]
        c = bar.close
        f = book[0].update(c)
        s = book[1].update(c)
        if s is None:
            return
        diff = f - s
        prev = book[2]
        book[2] = diff
        if prev is None:
            return
        if diff > 0:
            if prev <= 0 and not self.position(sym):
                self.buy(sym, self.quantity)
        elif diff < 0 and prev >= 0:
            held = self.position(sym)
            if held > 0:
                self.sell(sym, held)


def _symbols(n: int) -> list[str]:
    return [SYMBOL] if n == 1 else [f"{SYMBOL}{i:03d}" for i in range(n)]


def _strategy(gen_data: Any, n: int) -> Strategy:
    cls = SmaCross if n == 1 else MultiSmaCross
    return cls(fast=gen_data.FAST, slow=gen_data.SLOW, quantity=gen_data.QTY)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _parquet_series(a: argparse.Namespace, gen_data: Any) -> list[Any]:
    """The peers' data written to Parquet by gen_data.py in its own process, then streamed by the
    engine: the run's memory is then the engine's and the SDK's, not the generator's arrays."""
    import tradewire.engine as te

    tmp = Path(tempfile.mkdtemp(prefix="tradewire-bench-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # the engine streams it during the run
    path = tmp / "bars.parquet"
    script = Path(gen_data.__file__)
    cmd = [sys.executable, str(script), "--bars", str(a.bars), "--seed", str(a.seed), "--out", str(path)]
    if a.symbols > 1:
        cmd += ["--symbols", str(a.symbols)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    # pandas writes one row group, which a Parquet reader decodes whole; 65,536-row groups let the
    # engine stream the file as it would a real data set
    regroup = (
        "import sys, pyarrow.parquet as pq; "
        "pq.write_table(pq.read_table(sys.argv[1]), sys.argv[1], row_group_size=65536)"
    )
    subprocess.run([sys.executable, "-c", regroup, str(path)], check=True)
    found = te.read_parquet(
        path, SYMBOL if a.symbols == 1 else None, timeframe="1m", price_decimals=gen_data.PRICE_DECIMALS
    )
    return found if isinstance(found, list) else [found]


def _run_inprocess(
    arrs: list[dict[str, Any]], gen_data: Any, t: Any, series: list[Any] | None = None
) -> tuple[Any, float, float]:
    import tradewire.engine as te
    from tradewire.sdk import backtest

    series = series or [
        te.from_arrays(
            sym,
            arr["ts"],
            open=arr["open"],
            high=arr["high"],
            low=arr["low"],
            close=arr["close"],
            volume=arr["volume"],
            timeframe="1m",
            price_decimals=gen_data.PRICE_DECIMALS,
        )
        for sym, arr in zip(_symbols(len(arrs)), arrs, strict=True)
    ]
    load_s = t.mark("load")
    result = backtest(
        _strategy(gen_data, len(series)),
        series if len(series) > 1 else series[0],
        cash=str(int(gen_data.START_CASH) * len(series)),
        quantity_decimals=0,
    )
    total = t.mark("run")
    # the run phase is the strategy loop; the rest of `total` is setting up the engine (data checks)
    return result, load_s + total - result.elapsed_s, result.elapsed_s


#: Wire mode: CPU seconds of the gateway process and of this (client) process during the run.
CPU_S: dict[str, float] = {}


def _cpu_s(pid: int) -> float:
    # utime + stime of a process, from /proc (Linux); 0 where there is no /proc
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_wire(
    arrs: list[dict[str, Any]], gen_data: Any, t: Any, a: argparse.Namespace
) -> tuple[Any, float, float]:
    import httpx

    from tradewire.sdk import run

    tmp = Path(tempfile.mkdtemp(prefix="tradewire-bench-"))
    try:
        data = tmp / "data"
        data.mkdir()
        for i, sym in enumerate(_symbols(len(arrs))):
            gen_data.make_dataframe(len(arrs[i]["ts"]), a.seed + i).to_parquet(data / f"{sym}.parquet")
        cash = int(gen_data.START_CASH) * len(arrs)
        (tmp / "engine.toml").write_text(f'cash = "{cash}"\nquantity_decimals = 0\n')
        port = _free_port()
        gateway = (
            shutil.which("tradewire-gateway", path=str(Path(sys.executable).parent)) or "tradewire-gateway"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADEWIRE_", "GATEWAY_"))}
        # the gateway's server stack (settings.py: loop, ws, http); its defaults when not given
        for name in ("loop", "ws", "http"):
            if getattr(a, f"server_{name}") is not None:
                env[f"TRADEWIRE_{name.upper()}"] = getattr(a, f"server_{name}")
        proc = subprocess.Popen(
            [
                gateway,
                "serve",
                "--platform",
                "backtest",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--data",
                str(data),
                "--engine-config",
                str(tmp / "engine.toml"),
                "--log-level",
                "warning",
                *(["--busy-poll", str(a.busy_poll)] if a.busy_poll is not None else []),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/livez", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the gateway did not start") from None
                    time.sleep(0.05)
            load_s = t.mark("load")
            gateway_cpu, client_cpu = _cpu_s(proc.pid), time.process_time()
            started = time.perf_counter()
            options = {"framing": a.framing}
            if a.stream_client:
                options["stream_client"] = a.stream_client
            result = run(
                _strategy(gen_data, len(arrs)),
                platform="backtest",
                gateway=url,
                busy_poll=a.busy_poll,
                **options,
            )
            run_s = time.perf_counter() - started
            # CPU of each side over the run: steadier than wall time on a shared machine
            CPU_S["gateway"] = _cpu_s(proc.pid) - gateway_cpu
            CPU_S["client"] = time.process_time() - client_cpu
            t.mark("run")
        finally:
            proc.terminate()
            proc.wait(30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result, load_s, run_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--mode", choices=["inprocess", "wire"], default="inprocess")
    ap.add_argument("--symbols", type=int, default=1, help="symbols per instant (default 1)")
    ap.add_argument(
        "--busy-poll",
        type=float,
        default=None,
        help="wire: seconds each side polls before sleeping (default: the platform's, 0.001); "
        "0 makes *_cpu_us_per_instant the real work of each side",
    )
    ap.add_argument("--server-loop", default=None, help="wire: the gateway's event loop (asyncio, uvloop)")
    ap.add_argument("--server-ws", default=None, help="wire: the gateway's WebSocket implementation")
    ap.add_argument("--server-http", default=None, help="wire: the gateway's HTTP implementation")
    ap.add_argument(
        "--stream-client",
        default=None,
        help="wire: the SDK's stream client (auto, websockets, picows); default TRADEWIRE_STREAM_CLIENT or auto",
    )
    ap.add_argument(
        "--framing",
        choices=["batch", "single"],
        default="batch",
        help="wire: batch (one frame and one ack per instant, the SDK's default) or single "
        "(one frame and one ack per event, what compatible clients get)",
    )
    ap.add_argument("--peers-dir", default=None)
    ap.add_argument("--check", action="store_true", help="also compute the numpy reference trade count")
    ap.add_argument(
        "--via-parquet",
        action="store_true",
        help="inprocess: gen_data.py writes the bars to Parquet in its own process and the engine streams "
        "them, so peak RSS is Tradewire's own (the memory target), not the generator's arrays",
    )
    ap.add_argument("--profile", default=None, help="write a pyinstrument text profile of the run phase here")
    a = ap.parse_args()

    sys.path.insert(0, str(_peers_dir(a.peers_dir)))
    import gen_data

    import tradewire.engine as te

    t = gen_data.Timer()
    parquet = _parquet_series(a, gen_data) if a.via_parquet and a.mode == "inprocess" else None
    arrs = [] if parquet else [gen_data.make_arrays(a.bars, a.seed + i) for i in range(a.symbols)]
    gen_s = t.mark("gen")
    profiler = None
    if a.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    if a.mode == "inprocess":
        result, load_s, run_s = _run_inprocess(arrs, gen_data, t, parquet)
    else:
        result, load_s, run_s = _run_wire(arrs, gen_data, t, a)
    if profiler is not None:
        profiler.stop()
        Path(a.profile).write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    res = {
        "framework": "tradewire",
        "version": te.__version__,
        "mode": a.mode,
        "bars": a.bars * a.symbols,
        "symbols": a.symbols,
        "gen_s": gen_s,
        "load_s": load_s,
        "run_s": run_s,
        "entries": result.entries,
        "exits": result.exits,
        "final_value": float(result.final_equity),
        "final_value_exact": str(result.final_equity),
    }
    if a.mode == "wire":
        from tradewire.sdk._stream_drivers import driver_name

        res["server_stack"] = "/".join(
            str(getattr(a, f"server_{n}") or "default") for n in ("loop", "ws", "http")
        )
        res["stream_client"] = driver_name(a.stream_client or "auto")
        res["framing"] = a.framing
        res["acked_batches"] = result.steps
        res["events"] = result.events
        res["instants_per_s"] = result.steps / run_s if run_s else None
        res["events_per_s"] = result.events / run_s if run_s else None
        for side, cpu in CPU_S.items():
            res[f"{side}_cpu_us_per_instant"] = round(cpu / result.steps * 1e6, 1) if result.steps else None
    if a.check:
        res["reference"] = gen_data.reference_trades(
            arrs[0]["close"] if arrs else gen_data.make_arrays(a.bars, a.seed)["close"]
        )
    gen_data.emit(res)


if __name__ == "__main__":
    main()
