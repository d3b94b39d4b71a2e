"""`tradewire init NAME`: a new strategy project (strategy, gateway config, test) that runs as written."""

from __future__ import annotations

import keyword
import re
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated

from cyclopts import Parameter

from tradewire.sdk.cli import _ui

__all__ = ["init"]

STRATEGY = '''\
"""{title}: a moving-average crossover to start from (edit on_candle).

    tradewire backtest {module}.py --sample --report out/report.html
"""

from __future__ import annotations

from decimal import Decimal

from tradewire.sdk import SMA, Candle, Strategy


class {cls}(Strategy):
    """Long when the fast average is above the slow one, flat otherwise."""

    symbols = ("AAPL",)
    timeframe = "1d"
    # parameters: override with --param fast=5 (typed like these defaults)
    fast = 10
    slow = 30
    quantity = Decimal("10")

    def on_start(self) -> None:
        self.averages = {{s: (SMA(self.fast), SMA(self.slow)) for s in self.symbols}}

    def on_candle(self, bar: Candle) -> None:
        fast, slow = self.averages[bar.symbol]
        f, s = fast.update(bar.close), slow.update(bar.close)
        if f is None or s is None:
            return
        held = self.position(bar.symbol)
        if f > s and not held:
            self.buy(bar.symbol, self.quantity)
        elif f < s and held > 0:
            self.sell(bar.symbol, held)
'''

CONFIG = """\
# Serve this strategy's backtest over the wire, as a live platform would be served:
#   tradewire-gateway serve --config gateway.toml
#   tradewire run {module}.py --platform backtest
# Settings are the gateway's (tradewire-gateway serve --help); the environment (TRADEWIRE_...) and
# flags win over this file. Without [backtest] data the gateway serves the bundled sample.
platform = "backtest"
host = "127.0.0.1"
port = 8080

[backtest]
timeframe = "1d"
# data = ["bars.csv"]
"""

TEST = '''\
"""{cls} on the bundled sample: it trades, and the same run gives the same fills."""

from pathlib import Path

from tradewire.sdk import backtest
from tradewire.sdk.loader import load_strategy_class

HERE = Path(__file__).resolve().parent


def run():
    cls = load_strategy_class(HERE / "{module}.py")
    return backtest(cls(), sample=True)


def test_it_trades_and_is_deterministic():
    first, second = run(), run()
    assert first.trades and first.final_equity is not None
    assert first.trade_dicts() == second.trade_dicts()


def test_parameters_change_the_run():
    cls = load_strategy_class(HERE / "{module}.py")
    assert backtest(cls(fast=5, slow=20), sample=True).trade_dicts() != run().trade_dicts()
'''


def init(
    name: str,
    /,
    *,
    force: Annotated[bool, Parameter(help="overwrite files that already exist")] = False,
) -> int:
    """Start a strategy project in folder NAME: NAME.py (a strategy), gateway.toml (a sample gateway
    config) and test_NAME.py (a test), each ready to run.

    Example: tradewire init momentum && cd momentum && tradewire backtest momentum.py --sample
    """
    from tradewire.sdk.errors import ConfigurationError

    try:
        folder = Path(name)
        module = re.sub(r"\W", "_", folder.name.lower()).strip("_")
        if not module or module[0].isdigit() or keyword.iskeyword(module):
            raise ConfigurationError(
                f"{name!r} does not make a Python module name: use letters, digits and _"
            )
        cls = "".join(part.capitalize() for part in module.split("_") if part) or "MyStrategy"
        values = {"module": module, "cls": cls, "title": cls}
        files = {
            folder / f"{module}.py": STRATEGY.format(**values),
            folder / "gateway.toml": CONFIG.format(**values),
            folder / f"test_{module}.py": TEST.format(**values),
        }
        existing = [str(p) for p in files if p.exists()]
        if existing and not force:
            raise ConfigurationError(
                f"{', '.join(existing)} already exist: choose another NAME or add --force"
            )
        if folder.exists() and not folder.is_dir():
            raise ConfigurationError(f"{folder} is a file, not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
            _ui.console.print(f"wrote {path}", highlight=False)
        # the test it wrote needs pytest, which the SDK does not install
        tests = "python -m pytest -q" if find_spec("pytest") else "pip install pytest && python -m pytest -q"
        _ui.console.print(
            f"next: cd {folder} && tradewire backtest {module}.py --sample && {tests}",
            highlight=False,
            soft_wrap=True,  # a command to copy: never broken across lines in a narrow terminal
        )
    except _ui.USER_ERRORS() as e:
        return _ui.fail(e)
    return 0
