"""Pins the `tradewire` command as a user runs it (a subprocess): one line and exit 2 for each user
mistake (the traceback only with --debug), output files checked first and written whole, Ctrl-C,
costs, and the data notices."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SMA = str(ROOT / "examples" / "sma_crossover.py")
SCRIPT = Path(sys.executable).parent / "tradewire"

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="the tradewire console script is not installed")

BARS = "timestamp,symbol,open,high,low,close,volume\n2024-01-02T00:00:00Z,AAPL,1,2,0.5,1.5,10\n"


def tradewire(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        check=False,
    )


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text(BARS.splitlines()[0] + "\n")
    (tmp_path / "broken.py").write_text("from tradewire.sdk import Strategy\n\nclass S(Strategy)\n    pass\n")
    (tmp_path / "none.py").write_text("x = 1\n")
    (tmp_path / "init.py").write_text(
        "from tradewire.sdk import Strategy\n\nclass S(Strategy):\n    def __init__(self):\n"
        "        super().__init__()\n        self.ratio = 1 / 0\n"
    )
    (tmp_path / "bars.parquet").write_bytes(b"PAR1")
    (tmp_path / "latin.csv").write_bytes(BARS.replace("AAPL", "\xc9TAT").encode("latin-1"))
    # a pyarrow that cannot be imported: Parquet without its extra
    (tmp_path / "no_pyarrow" / "pyarrow").mkdir(parents=True)
    (tmp_path / "no_pyarrow" / "pyarrow" / "__init__.py").write_text("raise ImportError('no pyarrow')\n")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "empty.csv"], "empty.csv: empty file: no header row"),
        (["--data", "header.csv"], "header.csv: no rows of data"),
        (["--sample", "--param", "fast=abc"], "--param fast=abc: fast must be an integer"),
        (["--sample", "--param", "quantity=lots"], "quantity must be a decimal"),
        (["--sample", "--cash", "abc"], "cash must be a decimal amount such as 100000, not 'abc'"),
        (["--sample", "--cash", "-5"], "cash must be more than zero, not -5"),
        (["--data", "missing.csv"], "data file not found: missing.csv"),
        (["--data", "latin.csv"], "latin.csv: not UTF-8 text"),
        (
            ["--sample", "--symbols", "SPY"],
            "no data for SPY in the bundled sample (symbols there: AAPL, BTC/USD, MSFT)",
        ),
        (["--sample", "--commission", "lots"], "--commission 'lots': choose one of per-share, percent"),
        (["--sample", "--slippage", "bps:x"], "--slippage 'bps:x': 'x' is not a number"),
        (["--sample", "--report", "empty.csv/r.html"], "--report empty.csv/r.html: empty.csv is a file"),
        (["--sample", "--events", "."], "--events .: is a folder"),
    ],
)
def test_user_errors_are_one_line_exit_2(files: Path, args: list[str], message: str) -> None:
    done = tradewire("backtest", SMA, *args, cwd=files)
    assert done.returncode == 2, done.stderr
    assert lines(done.stderr) == [f"error: {lines(done.stderr)[0][7:]}"] and message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_run_stopped_by_a_check_leaves_no_folder_behind(files: Path) -> None:
    """The output folders are made when a file is written, not when its name is checked."""
    args = ("--data", "header.csv", "--report", "out/deep/r.html", "--events", "ev/e.jsonl")
    done = tradewire("backtest", SMA, *args, cwd=files)
    assert done.returncode == 2 and "no rows of data" in done.stderr, done.stderr
    assert not (files / "out").exists() and not (files / "ev").exists()


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        ("broken.py", "broken.py:3: syntax error: expected ':'"),
        ("none.py", "none.py: no Strategy subclass found"),
        ("init.py", "S() raised ZeroDivisionError: division by zero"),
    ],
)
def test_a_bad_strategy_file_is_one_line(files: Path, strategy: str, message: str) -> None:
    done = tradewire("backtest", strategy, "--sample", cwd=files)
    assert done.returncode == 2 and len(lines(done.stderr)) == 1 and message in done.stderr


def test_parquet_without_pyarrow_says_how_to_install_it(files: Path) -> None:
    env = {"PYTHONPATH": str(files / "no_pyarrow")}
    done = tradewire("backtest", SMA, "--data", "bars.parquet", cwd=files, env=env)
    assert done.returncode == 2 and len(lines(done.stderr)) == 1, done.stderr
    assert "pip install pyarrow" in done.stderr and "pip install -e 'packages/engine[parquet]'" in done.stderr


def test_long_parquet_without_pandas_says_to_install_pandas(files: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {"timestamp": ["2024-01-02T00:00:00Z"], "symbol": ["AAPL"], "open": [1.0], "high": [2.0]}
    pq.write_table(
        pa.table({**columns, "low": [0.5], "close": [1.5], "volume": [10.0]}), files / "long.parquet"
    )
    (files / "no_pandas" / "pandas").mkdir(parents=True)
    (files / "no_pandas" / "pandas" / "__init__.py").write_text("raise ImportError('no pandas')\n")
    done = tradewire("backtest", SMA, "--data", "long.parquet", cwd=files, env={"PYTHONPATH": "no_pandas"})
    assert done.returncode == 2 and len(lines(done.stderr)) == 1, done.stderr
    assert (
        "needs pandas too: pip install pyarrow pandas" in done.stderr
        and "pip install pyarrow (" not in done.stderr
    )
    assert "pip install -e 'packages/engine[parquet,pandas]'" in done.stderr


def test_debug_adds_the_traceback(files: Path) -> None:
    done = tradewire("backtest", SMA, "--data", "empty.csv", "--debug", cwd=files)
    assert done.returncode == 2
    assert "Traceback (most recent call last)" in done.stderr and "DataError" in done.stderr
    assert lines(done.stderr)[-1].startswith("error: empty.csv: empty file")


def test_output_folders_are_created_and_nothing_is_left_when_the_run_fails(files: Path) -> None:
    done = tradewire(
        "backtest", SMA, "--sample", "--report", "new/deep/r.html", "--events", "logs/ev.jsonl", cwd=files
    )
    assert done.returncode == 0, done.stderr
    assert (files / "new/deep/r.html").stat().st_size > 0 and (files / "new/deep/r.json").is_file()
    assert (files / "logs/ev.jsonl").stat().st_size > 0
    assert not list(files.rglob("*.part*"))
    # the data is refused before the run: neither file is created (not even empty)
    bad = tradewire(
        "backtest", SMA, "--data", "empty.csv", "--report", "x/r.html", "--events", "y/e.jsonl", cwd=files
    )
    assert bad.returncode == 2
    assert not (files / "x/r.html").exists() and not (files / "y/e.jsonl").exists()


def test_a_report_from_a_live_platform_is_refused_before_connecting_or_making_folders(files: Path) -> None:
    # nothing listens on the port: the refusal must come first, without a connection attempt
    live = tradewire(
        "run", SMA, "--platform", "mock", "--gateway", "http://127.0.0.1:9", "--report", "o/r.html", cwd=files
    )
    assert live.returncode == 2
    assert lines(live.stderr) == ["error: --report: reports come from backtests, not from mock"]
    assert not (files / "o").exists()


def test_an_atomic_write_that_fails_leaves_the_old_file() -> None:
    import tempfile

    from tradewire.sdk.cli._files import atomic

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "ev.jsonl"
        target.write_text("old")
        with pytest.raises(RuntimeError), atomic(target) as part:
            part.write_text("half")
            raise RuntimeError("the run failed")
        assert target.read_text() == "old" and os.listdir(folder) == ["ev.jsonl"]


def test_costs_on_the_command_line(files: Path) -> None:
    free = tradewire("backtest", SMA, "--sample", "--report", "free.html", cwd=files)
    paid = tradewire(
        "backtest", SMA, "--sample", "--commission", "percent:0.1", "--slippage", "bps:5",
        "--report", "paid.html", cwd=files,
    )  # fmt: skip
    assert free.returncode == paid.returncode == 0, paid.stderr
    free_json = json.loads((files / "free.json").read_text())
    paid_json = json.loads((files / "paid.json").read_text())
    assert free_json["final_value"] == "109956.50"
    assert float(paid_json["final_value"]) < float(free_json["final_value"])
    fees = [float(f["commission"]) for f in paid_json["fills"]]
    assert len(fees) == 35 and all(fee > 0 for fee in fees)


def test_an_adj_close_column_is_one_notice(files: Path) -> None:
    (files / "SPY.csv").write_text(
        "Date;Open;High;Low;Close;Adj Close;Volume\n"
        "2024-01-02T09:30:00-05:00;1;2;0.5;1.5;1.4;10\n"
        "2024-01-03T09:30:00-05:00;1;2;0.5;1.5;1.4;10\n"
    )
    done = tradewire(
        "backtest", SMA, "--data", "SPY.csv", "--symbols", "SPY", "--report", "spy.html", cwd=files
    )
    assert done.returncode == 0, done.stderr
    assert lines(done.stderr) == [
        "notice: SPY.csv: the 'Adj Close' column is ignored; orders fill at the unadjusted "
        "open/high/low/close (adjust the prices first for splits and dividends)"
    ]


SLOW = """
import time
from pathlib import Path

from tradewire.sdk import Candle, Strategy


class Slow(Strategy):
    symbols = ("AAPL",)
    timeframe = "1d"

    def on_candle(self, bar: Candle) -> None:
        if not self.position("AAPL"):
            self.buy("AAPL", 1)
        else:  # the one fill has happened: the test interrupts from here on
            Path("started").touch()
        time.sleep(0.01)
"""


def interrupted_once_started(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """`tradewire args...` in `cwd`, sent Ctrl-C once the strategy wrote `started` there: its exit
    status, stdout and stderr."""
    process = subprocess.Popen(
        [str(SCRIPT), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    deadline = time.monotonic() + 60
    while not (cwd / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


@pytest.mark.parametrize("events", [True, False], ids=["every-event-path", "candles-only-path"])
def test_ctrl_c_stops_at_the_current_instant_with_a_partial_summary_and_report(
    files: Path, events: bool
) -> None:
    (files / "slow.py").write_text(SLOW)
    log = ["--events", "ev.jsonl"] if events else []
    returncode, out, err = interrupted_once_started(
        ["backtest", "slow.py", "--sample", "--report", "out/r.html", *log], files
    )
    assert returncode == 130, err
    [line] = lines(err)
    assert line.startswith("interrupted at 2023-") and "Traceback" not in err
    when = line.removeprefix("interrupted at ")
    assert f"Slow backtest (partial: interrupted at {when})" in " ".join(out.split())  # the title wraps
    saved = json.loads((files / "out/r.json").read_text())
    assert saved["title"] == f"Slow backtest (partial: interrupted at {when})"
    assert "partial: interrupted at" in (files / "out/r.html").read_text()
    assert len(saved["fills"]) == 1
    if events:
        assert (
            files / "ev.jsonl"
        ).stat().st_size > 0 and "events: ev.jsonl (partial: the run stopped early)" in out


def _default_sigint() -> None:
    """In the child, before exec: SIGINT as a terminal's foreground job has it (a test run started from
    a background shell has it ignored, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_before_the_run_is_one_line_and_writes_nothing(files: Path) -> None:
    # the strategy file presses Ctrl-C as it is loaded: before any bar, with the outputs asked for
    (files / "press.py").write_text(
        "import os, signal\n\nfrom tradewire.sdk import Strategy\n\n"
        "os.kill(os.getpid(), signal.SIGINT)\n\n\nclass Pressed(Strategy):\n    symbols = ('AAPL',)\n"
    )
    args = ["backtest", "press.py", "--sample", "--report", "r.html", "--events", "ev.jsonl"]
    done = subprocess.run(
        [str(SCRIPT), *args],
        cwd=files,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_default_sigint,
    )
    assert done.returncode == 130 and lines(done.stderr) == ["interrupted"], done.stderr
    assert done.stdout == "" and not (files / "r.html").exists() and not (files / "ev.jsonl").exists()


WAITER = """
from pathlib import Path

from tradewire.sdk import Strategy


class Waiter(Strategy):
    symbols = ("AAPL",)

    def on_candle(self, bar):
        Path("up").touch()
"""


def test_run_gives_up_with_one_line_when_the_gateway_goes_away(tmp_path: Path) -> None:
    from tradewire.testkit.harness import running_gateway

    (tmp_path / "waiter.py").write_text(WAITER)
    mock = {"symbols": ("AAPL",), "candle_interval": 0.05}
    with running_gateway("mock", mock=mock) as gw:
        args = ["run", "waiter.py", "--platform", "mock", "--gateway", gw.url, "--reconnects", "2"]
        process = subprocess.Popen(
            [str(SCRIPT), *args, "--no-progress"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not (tmp_path / "up").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (tmp_path / "up").exists()
    _, err = process.communicate(timeout=60)  # two attempts: at most 1 + 2 s of back-off
    assert process.returncode == 2, err
    got = lines(err)
    assert got[0].startswith("connection to the gateway lost: ")
    assert got[1].startswith("reconnecting in ") and got[1].endswith(" s (attempt 1 of 2)")
    assert got[2].startswith("reconnecting in ") and got[2].endswith(" s (attempt 2 of 2)")
    assert got[3].startswith(
        f"error: the gateway at {gw.url} is gone: no connection after 2 reconnect attempts"
    )
    assert len(got) == 4 and "Traceback" not in err


def test_run_against_a_web_server_that_is_no_gateway_is_one_line(tmp_path: Path) -> None:
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)  # 404 pages in HTML
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        done = tradewire("run", SMA, "--platform", "backtest", "--gateway", url, cwd=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 2 and lines(done.stderr) == [
        "error: HTTP 404: an HTML page, not a Tradewire error body (is the URL a Tradewire gateway?)"
    ], done.stderr


@pytest.mark.parametrize("driver", ["websockets", "picows"])
def test_ctrl_c_while_reconnecting_stops_the_run(tmp_path: Path, driver: str) -> None:
    from tradewire.testkit.harness import running_gateway

    (tmp_path / "waiter.py").write_text(WAITER)
    mock = {"symbols": ("AAPL",), "candle_interval": 0.05}
    with running_gateway("mock", mock=mock) as gw:
        args = ["run", "waiter.py", "--platform", "mock", "--gateway", gw.url, "--no-progress"]
        process = subprocess.Popen(
            [str(SCRIPT), *args, "--reconnects", "50"],  # minutes of back-off: only Ctrl-C ends it soon
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COLUMNS": "200", "TRADEWIRE_STREAM_CLIENT": driver},
            preexec_fn=_default_sigint,
        )
        deadline = time.monotonic() + 30
        while not (tmp_path / "up").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (tmp_path / "up").exists()
    assert process.stderr is not None
    try:
        seen = [process.stderr.readline(), process.stderr.readline()]  # the drop, then the first wait
        assert seen[1].startswith("reconnecting in "), seen
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # never left running into the next test
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    got = lines(err)
    assert got[-1].startswith("interrupted at ") and "Traceback" not in err
    assert all(line.startswith(("reconnecting in ", "interrupted at ")) for line in got)
    assert "Waiter on mock (partial: interrupted at" in " ".join(out.split())


def test_run_prints_the_summary_after_backtest_complete_and_never_reconnects(tmp_path: Path) -> None:
    from tradewire.testkit.harness import running_gateway

    with running_gateway("backtest", mode="process") as gw:
        done = tradewire("run", SMA, "--platform", "backtest", "--gateway", gw.url, cwd=tmp_path)
        # the gateway is still up: a client that reconnected would have said so
    assert done.returncode == 0, done.stderr
    assert "109,956.50 USD" in done.stdout and lines(done.stderr) == []


def test_run_against_a_finished_backtest_stops_with_one_line(tmp_path: Path) -> None:
    from tradewire.testkit.harness import running_gateway

    with running_gateway("backtest", mode="process") as gw:
        first = tradewire("run", SMA, "--platform", "backtest", "--gateway", gw.url, cwd=tmp_path)
        # the gateway closes every new stream with 1000 "backtest complete": this reconnected forever
        again = {
            driver: tradewire(
                *("run", SMA, "--platform", "backtest", "--gateway", gw.url),
                cwd=tmp_path,
                env={"TRADEWIRE_STREAM_CLIENT": driver},
                timeout=60,
            )
            for driver in ("websockets", "picows")
        }
    assert first.returncode == 0
    for done in again.values():
        assert done.returncode == 2 and lines(done.stderr) == [
            f"error: the backtest at {gw.url} is already complete: start the gateway again for a new run"
        ]


def test_init_writes_a_project_that_runs_as_written(tmp_path: Path) -> None:
    from tradewire.testkit.harness import running_gateway

    done = tradewire("init", "mean-rev", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    project = tmp_path / "mean-rev"
    assert sorted(p.name for p in project.iterdir()) == ["gateway.toml", "mean_rev.py", "test_mean_rev.py"]
    # the strategy backtests, its test passes, and the config serves it to `tradewire run`
    ran = tradewire("backtest", "mean_rev.py", "--sample", cwd=project)
    assert ran.returncode == 0 and "MeanRev backtest" in ran.stdout, ran.stderr
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mean_rev.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert tested.returncode == 0 and "2 passed" in tested.stdout, tested.stdout + tested.stderr
    config = str(project / "gateway.toml")
    with running_gateway("backtest", mode="process", extra_args=["--config", config]) as gw:
        wire = tradewire("run", "mean_rev.py", "--platform", "backtest", "--gateway", gw.url, cwd=project)
    assert wire.returncode == 0 and "MeanRev on backtest" in wire.stdout, wire.stderr
    again = tradewire("init", "mean-rev", cwd=tmp_path)
    assert again.returncode == 2 and "already exist: choose another NAME or add --force" in again.stderr
    # the next step is one line to copy, however narrow the terminal
    narrow = tradewire("init", "mean-rev-two", cwd=tmp_path, env={"COLUMNS": "40"})
    assert lines(narrow.stdout)[-1] == (
        "next: cd mean-rev-two && tradewire backtest mean_rev_two.py --sample && python -m pytest -q"
    )


def test_progress_shows_a_checking_data_phase_then_percentage_and_eta(tmp_path: Path) -> None:
    import re

    (tmp_path / "slow.py").write_text(SLOW.replace('Path("started").touch()', "pass"))
    # a terminal as rich sees one (FORCE_COLOR, TTY_INTERACTIVE): the live lines are drawn
    env = {"FORCE_COLOR": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "200"}
    done = tradewire("backtest", "slow.py", "--sample", cwd=tmp_path, env=env)
    assert done.returncode == 0
    shown = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", done.stderr).replace("\r", "\n")
    assert "checking data (the bundled sample)" in shown
    percentages = re.findall(r" (\d{1,3})% 20\d\d-\d\d-\d\d 00:00 [\d,]+ bars .* ETA", shown)
    assert percentages and 0 < int(percentages[-1]) <= 100


def test_ctrl_c_stops_a_wire_run_with_a_partial_summary(tmp_path: Path) -> None:
    from tradewire.testkit.harness import running_gateway

    (tmp_path / "slow.py").write_text(SLOW)
    with running_gateway("backtest", mode="process") as gw:
        returncode, out, err = interrupted_once_started(
            ["run", "slow.py", "--platform", "backtest", "--gateway", gw.url, "--report", "out/r.html"],
            tmp_path,
        )
    assert returncode == 130, err
    [line] = lines(err)
    assert line.startswith("interrupted at 2023-") and "Traceback" not in err
    when = line.removeprefix("interrupted at ")
    assert f"Slow on backtest (partial: interrupted at {when})" in " ".join(out.split())
    # the report up to that instant, marked partial, as in-process
    saved = json.loads((tmp_path / "out/r.json").read_text())
    assert saved["title"] == f"Slow on backtest (partial: interrupted at {when})"
    assert "partial: interrupted at" in (tmp_path / "out/r.html").read_text() and len(saved["fills"]) == 1


def test_cash_in_any_decimal_spelling(files: Path) -> None:
    done = tradewire("backtest", SMA, "--sample", "--cash", "1e6", cwd=files)
    assert done.returncode == 0 and "1,000,000" in done.stdout, done.stderr


def test_init_says_to_install_pytest_where_it_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tradewire.sdk.cli import app
    from tradewire.sdk.cli import init as init_command

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(init_command, "find_spec", lambda name: None)  # an environment without pytest
    assert app(["init", "bare"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "next: cd bare && tradewire backtest bare.py --sample && pip install pytest && python -m pytest -q"
    )
