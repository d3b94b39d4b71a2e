"""Pins the SDK/engine seam: the SDK uses only the engine's documented public API.

Statically, over every module of `tradewire.sdk`: only `tradewire.sdk.transports.inprocess` imports
the engine, and only `tradewire.engine` itself (its exported names, never a submodule such as
`tradewire.engine.core`); no private attribute of an engine object is read or written (`x._name`
for any `_name` the engine's source uses, nor through getattr/hasattr/setattr); the engine's
`Backtest.kernel` / `Backtest.sim` internals are never reached for; every `tradewire.engine.<name>`
mentioned (docstrings included) is an exported name.

Dynamically: real in-process runs (fast path, general path with quotes and an events log, time
windows, saved reports) with the engine's classes instrumented, failing on any private attribute
the SDK's code touches.
"""

from __future__ import annotations

import ast
import io
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

te = pytest.importorskip("tradewire.engine", reason="needs tradewire-sdk[backtest]")

import tradewire.sdk as sdk  # noqa: E402
from tradewire.sdk import Candle, Strategy, Tick  # noqa: E402

SDK_SRC = Path(sdk.__file__).resolve().parent
ENGINE_SRC = Path(te.__file__).resolve().parent
SEAM = "tradewire.sdk.transports.inprocess"
#: Private names the SDK once reached for, kept even after the engine renamed them.
KNOWN_PRIVATE = {"_c", "_div", "_qdiv", "_wire", "_raw", "_bars", "_quotes", "_sim", "_qs", "_fh"}
#: Public-looking engine attributes that are internals, not part of the embedding API.
INTERNAL_ATTRS = {"kernel", "sim"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SDK_SRC.parent.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sdk_files() -> Iterator[tuple[Path, str, ast.Module]]:
    for path in sorted(SDK_SRC.rglob("*.py")):
        yield path, path.read_text(encoding="utf-8"), ast.parse(path.read_text(encoding="utf-8"))


def _engine_private_names() -> set[str]:
    names = set(KNOWN_PRIVATE)
    for path in ENGINE_SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = node.name
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                name = node.value  # __slots__ entries, getattr names
            if name and re.fullmatch(r"_[A-Za-z0-9]\w*", name) and not name.endswith("__"):
                names.add(name)
    return names


def test_the_engine_source_scan_finds_its_private_names() -> None:
    names = _engine_private_names()
    assert {"_raw", "_run_fast", "_sim", "_match_bar", "_c"} <= names
    assert "between" not in names and "chunk" not in names


def test_only_the_inprocess_transport_imports_the_engine_and_only_its_public_names() -> None:
    exported = set(te.__all__)
    problems = []
    for path, _, tree in _sdk_files():
        module = _module_name(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [(a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [(node.module, a.name) for a in node.names]
            else:
                continue
            for mod, name in targets:
                if mod != "tradewire.engine" and not mod.startswith("tradewire.engine."):
                    continue
                where = f"{path.relative_to(SDK_SRC)}:{node.lineno}"
                if not (module == SEAM or module.startswith(SEAM + ".")):
                    problems.append(f"{where}: {module} imports {mod} (only {SEAM} may)")
                if mod != "tradewire.engine":
                    problems.append(f"{where}: imports the engine submodule {mod}")
                elif name is not None and name not in exported:
                    problems.append(f"{where}: imports {name!r}, not in tradewire.engine.__all__")
    assert not problems, "\n".join(problems)


def test_sdk_source_never_touches_a_private_engine_attribute() -> None:
    private = _engine_private_names()
    problems = []
    for path, _, tree in _sdk_files():
        for node in ast.walk(tree):
            where = f"{path.relative_to(SDK_SRC)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Attribute):
                owner = node.value
                own = isinstance(owner, ast.Name) and owner.id in ("self", "cls")
                if node.attr in private and not own:
                    problems.append(f"{where}: {ast.unparse(node)} (a private engine name)")
                if node.attr in INTERNAL_ATTRS and path.is_relative_to(SDK_SRC / "transports" / "inprocess"):
                    problems.append(f"{where}: {ast.unparse(node)} (engine internals: use the embedding API)")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr", "delattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in private
            ):
                problems.append(f"{where}: {ast.unparse(node)} (a private engine name)")
    assert not problems, "\n".join(problems)


def test_every_engine_name_the_sdk_mentions_is_exported() -> None:
    exported = set(te.__all__)
    problems = []
    for path, text, _ in _sdk_files():
        for match in re.finditer(r"tradewire\.engine\.(\w+)", text):
            if match.group(1) not in exported:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(SDK_SRC)}:{line}: {match.group(0)}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------- dynamic check
def _engine_classes() -> list[type]:
    from tradewire.engine.core.kernel import Kernel
    from tradewire.engine.data.merge import Chunk
    from tradewire.engine.messages import MessageBuilder
    from tradewire.engine.operations import ProtocolOperations
    from tradewire.engine.simulation import Simulation

    return [
        te.Backtest,
        te.BarView,
        te.QuoteView,
        te.StepView,
        te.FillView,
        te.BacktestResult,
        te.Series,
        ProtocolOperations,
        MessageBuilder,
        Chunk,
        Kernel,
        Simulation,
    ]


@pytest.fixture
def sdk_touches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every private (or internal) attribute of an engine object read from SDK code."""
    seen: list[str] = []
    sdk_dir = str(SDK_SRC)
    for cls in _engine_classes():
        original = cls.__getattribute__

        def guarded(self: Any, name: str, _original: Any = original, _cls: type = cls) -> Any:
            if (name[:1] == "_" and name[:2] != "__") or (_cls is te.Backtest and name in INTERNAL_ATTRS):
                caller = sys._getframe(1).f_code.co_filename
                if caller.startswith(sdk_dir):
                    seen.append(f"{_cls.__name__}.{name} from {caller}")
            return _original(self, name)

        monkeypatch.setattr(cls, "__getattribute__", guarded)
    return seen


def _bars(symbol: str = "AAA", n: int = 60, seed: int = 3) -> Any:
    return te.synthetic_bars(symbol, n, seed=seed, timeframe="1m")


class _Fast(Strategy):
    """One plain on_candle that reads state (the fast path with fill-time snapshots)."""

    def on_start(self) -> None:
        self.n = 0
        self.seen: list[Any] = []

    def on_candle(self, bar: Candle) -> None:
        self.n += 1
        self.seen.append((bar.open, bar.high, bar.low, bar.volume, bar.ts, bar.exact, self.now))
        if self.n == 5:
            handle = self.buy(bar.symbol, 3)
            self.seen.append((handle.correlation_id, handle.to_message()))
        if self.n == 20:
            self.seen.append((self.state.account, self.state.positions, self.state.fills))
            self.sell(bar.symbol, 3)


class _General(Strategy):
    """Every event kind, quotes included (the general path)."""

    def on_start(self) -> None:
        self.events: list[str] = []

    def on_candle(self, bar: Candle) -> None:
        if len(self.events) == 3:
            self.buy(bar.symbol, 1)

    def on_quote(self, tick: Tick) -> None:
        self.events.append(f"quote {tick.last} {tick.exact.bid}")

    def on_trade(self, event: Any) -> None:
        self.events.append("trade")


def test_runs_touch_no_private_engine_attribute(sdk_touches: list[str], tmp_path: Path) -> None:
    from tradewire.sdk import backtest
    from tradewire.sdk.cli.report import save_report
    from tradewire.sdk.transports.inprocess.reports import load_saved, render_saved

    fast = _Fast()
    result = backtest(fast, [_bars()])
    assert result.bars == 60 and fast.n == 60 and len(result.trades) == 2

    import numpy as np

    t0 = np.datetime64("2024-03-01T14:30", "ns")
    ts = t0 + np.arange(5) * np.timedelta64(1, "m")
    px = np.array([10.5, 10.6, 10.7, 10.8, 10.9])
    bars = te.from_arrays("AAA", ts, open=px, high=px, low=px, close=px, volume=px, timeframe="1m")
    quotes = te.from_arrays("AAA", ts + np.timedelta64(90, "s"), bid=[10.0] * 5, ask=[10.2] * 5)
    general = _General()
    log = io.BytesIO()
    out = backtest(general, [bars, quotes], events_log=log)
    assert general.events[:2] == ["quote 10.5 10.0", "quote 10.6 10.0"] and "trade" in general.events
    assert log.getvalue() and out.orders == 1

    windowed = backtest(_Fast(), [_bars(n=100)], start="1970-01-01", end="2100-01-01")
    assert windowed.bars == 100

    html, saved = save_report(result, tmp_path / "r.html", title="Seam")
    again = load_saved(saved)
    assert render_saved(again) == html.read_text(encoding="utf-8")
    assert again.final_value == result.report.final_value == Decimal(str(result.report.final_value))

    assert not sdk_touches, "\n".join(sorted(set(sdk_touches)))


def test_the_dynamic_check_catches_a_private_read(sdk_touches: list[str]) -> None:
    """The guard itself works: a private read from a module under the SDK's folder is caught."""
    code = compile("bar.chunk._cols", str(SDK_SRC / "fake_module.py"), "eval")

    class S:
        def on_bar(self, bar: Any) -> None:
            eval(code, {"bar": bar})

    te.Backtest(_bars(n=2)).run(S())
    assert sdk_touches and sdk_touches[0].startswith("Chunk._cols from")
